"""Whether a review year's figures are final (issue 14 §6): until every commune of the report's area has its
review round recognised (ReviewRound.status APPROVED: the chairman's decision, or the district's approval
for review years before the 2025 reform), the year's figures are provisional, and pages, the dashboard, Excel
titles and API payloads say so: "đang rà soát: 12/51 xã đã công nhận".

The communes counted are those of the report's area valid on 31 December of the review year (the map every
report of the year uses: for the 2025 review, the communes formed by the reform), whatever the map the
report is drawn on; the recognised ones are counted by one query.
"""
from areas.map import report_day
from reports.scope import ReportScope
from review.models import ReviewRound, RoundStatus


def year_communes(scope, year):
    """The communes of `scope` valid on 31 December of `year`."""
    day = report_day(year)
    return sorted(code for code in scope.communes if (unit := scope.map.get(code)) is not None and unit.valid_on(day))


def provisional_status(*, user, area_code, year, comparable=False, scope=None):
    """None when the year's figures are final for the area (every commune's round recognised, or no commune);
    else {"recognised": n, "communes": m, "label": "đang rà soát: n/m xã đã công nhận"}."""
    if year is None:
        return None
    scope = scope or ReportScope(user, area_code, year, comparable)
    communes = year_communes(scope, year)
    if not communes:
        return None
    recognised = ReviewRound.objects.visible_to(user).filter(
        year=year, commune_id__in=communes, status=RoundStatus.APPROVED).count()
    if recognised >= len(communes):
        return None
    return {"recognised": recognised, "communes": len(communes),
            "label": f"đang rà soát: {recognised}/{len(communes)} xã đã công nhận"}


def with_provisional(build):
    """A report's build that also says whether its review year is still under review (`provisional`)."""
    def run(**kwargs):
        result = build(**kwargs)
        if isinstance(result, dict):
            result["provisional"] = provisional_status(
                user=kwargs["user"], area_code=kwargs["area_code"], year=result.get("year", kwargs.get("year")),
                comparable=kwargs.get("comparable", False))
        return result
    run.__wrapped__ = build
    return run
