"""The poverty report as of a date: the annual lists amended by the regular (in-year) reviews.

`?as_of=YYYY-MM-DD` picks the lists in force that day, those of review year N = the date's year − 1 (the
lists of the review carried out in the autumn of N apply in N + 1), and the regular reviews amending them
(review.RegularReview of year N) effective on or before the date. The annual columns stay as they are:
annual movements compare annual results year-end to year-end, so the province tables' balance
start − out + in = end holds. The in-year changes have columns of their own, per row:

- poor_recognised_in_year: poor on the date, not poor on the annual list (newly poor, or from near-poor);
- poor_escaped_in_year: poor on the annual list, not poor on the date (to near-poor or out of both);
- near_poor_recognised_in_year: near-poor on the date, not near-poor on the annual list (from poor included);
- near_poor_escaped_in_year: near-poor on the annual list, neither poor nor near-poor on the date;
- near_poor_to_poor_in_year: near-poor on the annual list, poor on the date;
- poor_as_of = poor − poor_escaped_in_year + poor_recognised_in_year;
- near_poor_as_of = near_poor − near_poor_escaped_in_year − near_poor_to_poor_in_year
  + near_poor_recognised_in_year; their rates over the year's households.

A household's class on the annual list is its assessment of year N as stored now (not poor without one); on
the date, the class of its latest regular review effective by then. A change counts in the row of the
household's entry on the lists (its assessment of year N), or, for a household on no list of the report's
area, in the row where it was recognised: every row keeps its balance with its annual counts.

Queries do not grow with the communes: the annual summary (reports.poverty, cached), the regular reviews of
the scope in one query and the annual class of their households in one more. The in-year part is not cached:
reports/cache.py versions its cache by the tables it lists, which do not include the regular reviews.
"""
import copy
import datetime
from collections import defaultdict

from django.db.models import Q

from core.dates import read_day
from core.formatting import rate
from reports.params import BadParameter
from reports.poverty import poverty_summary
from reports.scope import ReportScope
from review.models import Assessment, Classification, RegularReview

POOR, NEAR_POOR, NOT_POOR = Classification.POOR, Classification.NEAR_POOR, Classification.NOT_POOR
CHANGES = ("poor_recognised_in_year", "poor_escaped_in_year", "near_poor_recognised_in_year",
           "near_poor_escaped_in_year", "near_poor_to_poor_in_year")
AS_OF_FIGURES = (*CHANGES, "poor_as_of", "near_poor_as_of")
# Lists of review years 2000–2100 (reports.params.parse_year's range) are in force in 2001–2101.
FIRST_DAY, LAST_DAY = datetime.date(2001, 1, 1), datetime.date(2101, 12, 31)


def parse_as_of(value):
    """The date of `?as_of=` (ISO "2025-06-30", or "30/06/2025" as typed in Vietnam); None when empty."""
    try:
        day = read_day(value)  # core.dates: the project's one reading of a date
    except ValueError:
        raise BadParameter(f"Ngày “{str(value).strip()[:40]}” không hợp lệ: hãy ghi ngày/tháng/năm, ví dụ "
                           "30/06/2025.") from None
    if day is None:
        return None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise BadParameter(f"Ngày {day:%d/%m/%Y} nằm ngoài khoảng {FIRST_DAY:%d/%m/%Y}–{LAST_DAY:%d/%m/%Y}.")
    return day


def lists_year(day):
    """The review year whose lists are in force on `day`."""
    return day.year - 1


def in_year_changes(scope, year, day):
    """{row code: {change: count}} of the regular reviews of review year `year` effective by `day` for the
    scope's households: those recorded in its communes, and those amending an entry of its lists (a household
    reviewed in a commune merged since, recognised by its successor). Two queries."""
    listed_here = Assessment.objects.filter(year=year, commune_id__in=scope.communes).values("household_id")
    reviews = (RegularReview.objects.visible_to(scope.user)
               .filter(year=year, effective_on__lte=day)
               .filter(Q(commune_id__in=scope.communes) | Q(household_id__in=listed_here)))
    latest = {}
    for household_id, commune_id, village_id, classification in reviews.order_by(
            "household_id", "effective_on", "pk").values_list("household_id", "commune_id", "village_id",
                                                              "classification"):
        latest[household_id] = (commune_id, village_id, classification)
    if not latest:
        return {}
    annual = {
        household_id: (commune_id, village_id, classification)
        for household_id, commune_id, village_id, classification in Assessment.objects.visible_to(scope.user)
        .filter(year=year, commune_id__in=scope.communes, household_id__in=reviews.values("household_id"))
        .values_list("household_id", "commune_id", "village_id", "classification")
    }
    rows = defaultdict(lambda: dict.fromkeys(CHANGES, 0))
    for household_id, (commune_id, village_id, after) in latest.items():
        listed = annual.get(household_id)
        # A household on the lists changes in the row of its entry (the lists being amended); one on no list
        # of the scope joins in the row where it was recognised.
        row = scope.row_of(listed[0], listed[1]) if listed else scope.row_of(commune_id, village_id)
        before = listed[2] if listed else NOT_POOR
        if before == POOR and after != POOR:
            rows[row]["poor_escaped_in_year"] += 1
        if after == POOR and before != POOR:
            rows[row]["poor_recognised_in_year"] += 1
        if before == NEAR_POOR and after != NEAR_POOR:
            rows[row]["near_poor_to_poor_in_year" if after == POOR else "near_poor_escaped_in_year"] += 1
        if after == NEAR_POOR and before != NEAR_POOR:
            rows[row]["near_poor_recognised_in_year"] += 1
    rows.pop(None, None)  # outside the report's map
    return rows


def _add_as_of(figures, changes):
    for name in CHANGES:
        figures[name] = changes.get(name, 0)
    figures["poor_as_of"] = (figures.get("poor", 0) - figures["poor_escaped_in_year"]
                             + figures["poor_recognised_in_year"])
    figures["near_poor_as_of"] = (figures.get("near_poor", 0) - figures["near_poor_escaped_in_year"]
                                  - figures["near_poor_to_poor_in_year"] + figures["near_poor_recognised_in_year"])
    figures["poor_as_of_rate"] = rate(figures["poor_as_of"], figures.get("households", 0))
    figures["near_poor_as_of_rate"] = rate(figures["near_poor_as_of"], figures.get("households", 0))


def _row_key(code):
    """The code a summary row carries for a row of the scope ("_none", households without a village: "")."""
    return "" if code == "_none" else code


def poverty_report(*, user, area_code, year, comparable=False, as_of=None, **options):
    """The poverty summary (reports.poverty.poverty_summary); with `as_of`, that of the lists in force on the
    date (its year decides the review year, whatever `year` says), with the in-year columns."""
    day = parse_as_of(as_of)
    if day is None:
        return poverty_summary(user=user, area_code=area_code, year=year, comparable=comparable, **options)
    year = lists_year(day)
    result = copy.deepcopy(poverty_summary(user=user, area_code=area_code, year=year, comparable=comparable,
                                           **options))
    scope = ReportScope(user, area_code, year, comparable)
    changes = in_year_changes(scope, year, day)
    by_key = {_row_key(code): values for code, values in changes.items()}
    rows = list(result["rows"])
    for row in rows:
        _add_as_of(row, by_key.get(row["area"]["code"] if isinstance(row.get("area"), dict) else "", {}))
    total_changes = {name: sum(values[name] for values in changes.values()) for name in CHANGES}
    _add_as_of(result["total"], total_changes)
    result["rows"] = rows
    result["year"] = year
    result["as_of"] = day.isoformat()
    result["title"] = (f"Kết quả rà soát hộ nghèo, hộ cận nghèo năm {year} và biến động trong năm {year + 1} "
                       f"đến ngày {day:%d/%m/%Y}")
    result["notes"] = [
        *result.get("notes", ()),
        f"Tại ngày {day:%d/%m/%Y} áp dụng danh sách hộ nghèo, hộ cận nghèo theo kết quả rà soát năm {year} (áp dụng "
        f"năm {year + 1}) và các quyết định công nhận qua rà soát thường xuyên có hiệu lực đến ngày đó.",
        "Các cột đầu kỳ, thoát nghèo, phát sinh, cuối kỳ là kết quả rà soát định kỳ (so sánh cuối năm với cuối năm "
        "trước); biến động trong năm theo rà soát thường xuyên ở các cột riêng.",
        "Hộ nghèo tại ngày = hộ nghèo cuối kỳ − thoát nghèo trong năm + hộ nghèo mới công nhận trong năm (kể cả hộ "
        "cận nghèo chuyển thành hộ nghèo). Hộ cận nghèo tại ngày = hộ cận nghèo cuối kỳ − thoát cận nghèo trong năm "
        "− chuyển thành hộ nghèo trong năm + hộ cận nghèo mới công nhận trong năm (kể cả hộ nghèo chuyển thành hộ "
        "cận nghèo).",
    ]
    result.setdefault("denominators", {})["poor_as_of_rate"] = f"hộ nghèo tại ngày {day:%d/%m/%Y} / tổng số hộ"
    return result
