"""Where a report page, the annual package and the dashboard open (issue 26.5): the year and area read from the
query string (?year=, ?area=), with one default year for all of them — the latest year whose review is recognised
in every commune of the area (its figures final), else the latest year with a review. A leader can still pick a
year under review. A year or area that cannot be shown is a BadParameter with a sentence; the page then offers
the selectors (reports.views), never a URL parameter to type."""
from django.http import Http404

from areas.map import default_area, resolve_area
from reports.cache import cached_report
from reports.params import BadParameter, available_years, parse_year
from reports.provisional import provisional_status
from reports.scope import report_area_exists


def latest_final_year(*, user, area_code, years):
    """The latest of `years` whose review is recognised in every commune of the area (its figures final), or
    None."""
    for year in sorted(years, reverse=True):
        try:
            status = provisional_status(user=user, area_code=area_code, year=year,
                                        comparable=not report_area_exists(area_code, year))
        except BadParameter:
            continue
        if status is None:
            return year
    return None


@cached_report
def _opening_year(*, user, area_code, year, comparable=False, years):
    """Cached like a report, until the data changes (`year`, the latest of `years`, is the cache's parameter):
    a round per commune and year to count, read on every dashboard view otherwise."""
    return latest_final_year(user=user, area_code=area_code, years=years) or year


def opening_year(*, user, area_code, years) -> int:
    """THE default year of every report and of the dashboard: the latest year recognised everywhere in the area,
    else the latest of `years` (the years with a review in the user's area)."""
    return _opening_year(user=user, area_code=area_code, year=max(years), years=tuple(sorted(years)))


def report_parameters(request):
    """(area_code, year, years) from the query string, with the user's defaults; BadParameter for a year that is
    not one, an area that does not exist or lies outside the user's, or a user without an area."""
    years = available_years(request.user)
    year = parse_year(request.GET.get("year"), None)
    area_code = (request.GET.get("area") or "").strip()
    if not area_code:
        area = default_area(request.user)
        if area is None:
            raise BadParameter("Tài khoản của bạn chưa được giao địa bàn nào.")
        area_code = area.code
    try:
        resolve_area(request.user, area_code)
    except Http404 as error:
        raise BadParameter(f"{error} Hãy chọn một địa bàn trong danh sách.") from None
    if year is None:
        year = opening_year(user=request.user, area_code=area_code, years=years)
    return area_code, year, years


def comparable_asked(request, area_code, year) -> bool:
    """Whether the report is drawn on today's map: asked (?comparable=1), or the year is the one the product
    opened on (none asked) and the area did not exist then — a province formed by the 2025 reform opening on
    2024, the latest year recognised everywhere, opens on today's map as the dashboard does, not on an error.
    A year the officer asked for is answered as asked (a clear 400 naming the choice)."""
    if request.GET.get("comparable") == "1":
        return True
    return not (request.GET.get("year") or "").strip() and not report_area_exists(area_code, year)

