"""Poor and near-poor households by ethnic group, for an area and a review year.

Per ethnic group (the household's, i.e. its head's, as the register records it): the households living in
the area during the year (the register, as the poverty report counts them where a commune declared no
total; declared totals are not split by group, so they are not used here), the poor and the near-poor
households of the year's review, their rates over the group's households and the group's share of all poor
households. Three queries whatever the number of households: the register grouped by group, the year's
assessments grouped by group, and the groups' names.

Not an official form: the forms of Appendix VII of Circular 07/2021/TT-BLĐTBXH (7.8–7.10 replaced by
Circular 02/2022/TT-BLĐTBXH) could not be checked; the sheet has a plain title and its columns are data in
reports/registry.py.
"""
from collections import defaultdict

from django.db.models import Count, Q

from core.formatting import rate
from households.models import EthnicGroup
from reports.cache import cached_report
from reports.poverty import registered_households
from reports.scope import ReportScope
from review.models import Assessment, Classification

FIGURES = ("households", "poor", "near_poor")


def _with_rates(figures, all_poor):
    return {
        **figures,
        "poor_rate": rate(figures["poor"], figures["households"]),
        "near_poor_rate": rate(figures["near_poor"], figures["households"]),
        "poor_share": rate(figures["poor"], all_poor),
    }


@cached_report
def ethnic_group_summary(*, user, area_code, year, comparable=False):
    """{"year", "area", "rows": [{"area", "code", "minority", households, poor, near_poor, rates}], "total",
    "ethnic_minority": the same figures for every minority group together}."""
    scope = ReportScope(user, area_code, year, comparable)
    groups = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
    for record in registered_households(scope, year).values("ethnic_group_id").annotate(n=Count("id")).order_by():
        groups[record["ethnic_group_id"]]["households"] += record["n"]
    assessments = (
        Assessment.objects.visible_to(user).filter(year=year, commune_id__in=scope.communes)
        .values("household__ethnic_group_id")
        .annotate(poor=Count("id", filter=Q(classification=Classification.POOR)),
                  near_poor=Count("id", filter=Q(classification=Classification.NEAR_POOR)))
        .order_by()
    )
    for record in assessments:
        target = groups[record["household__ethnic_group_id"]]
        target["poor"] += record["poor"]
        target["near_poor"] += record["near_poor"]
    known = EthnicGroup.objects.in_bulk([code for code in groups if code is not None])
    total = {name: sum(values[name] for values in groups.values()) for name in FIGURES}
    minority = {name: sum(values[name] for code, values in groups.items()
                          if code in known and known[code].is_minority) for name in FIGURES}
    rows = []
    for code, values in sorted(groups.items(), key=lambda item: (item[0] is None, item[0] or "")):
        group = known.get(code)
        rows.append({
            "area": group.name if group else "Chưa rõ dân tộc", "code": code or "",
            "minority": "x" if group and group.is_minority else "",
            **_with_rates(values, total["poor"]),
        })
    return {
        "year": year, "comparable": comparable, "area": scope.area_dict(), "issuer": scope.issuer(),
        "rows": rows, "total": _with_rates(total, total["poor"]),
        "ethnic_minority": _with_rates(minority, total["poor"]),
        "denominators": {"poor_rate": "hộ nghèo của dân tộc / tổng số hộ của dân tộc đó",
                         "near_poor_rate": "hộ cận nghèo của dân tộc / tổng số hộ của dân tộc đó",
                         "poor_share": "hộ nghèo của dân tộc / tổng số hộ nghèo"},
    }
