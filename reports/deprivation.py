"""Deprivation by indicator: how many poor and near-poor households lack each indicator of the year's
standard, in the area's total (`deprivation_summary`, one query) and per child area (`deprivation_by_area`).

`deprivation_by_area` is the shortfall of each basic social service per commune (per village in a commune's
report): rows are the report's child areas, columns the indicators of the standard the review year follows,
each split into poor and near-poor households deprived of it. One aggregate grouped by commune (and village),
whatever the number of households. Not an official form: the forms of Appendix VII of Circular
07/2021/TT-BLĐTBXH (7.8–7.10 replaced by Circular 02/2022/TT-BLĐTBXH) could not be checked, so the sheet
has a plain title and its columns are data in reports/registry.py.
"""
from collections import defaultdict

from django.db.models import Count, Q

from core.formatting import rate
from reports.cache import cached_report
from reports.scope import ReportScope
from review.models import Assessment, Classification, Indicator, PovertyStandard


def year_indicators(year):
    """The indicators of the standard the review year follows, in the standard's order (one query)."""
    return [
        {"code": code, "name": name, "dimension": dimension}
        for code, name, dimension in Indicator.objects.filter(
            standard__first_year__lte=year, standard__last_year__gte=year
        ).order_by("position", "pk").values_list("code", "name", "dimension")
    ]


def deprived_of(code):
    """Assessments recording indicator `code` among their deprivations (stored as ",1,4,9,")."""
    return Q(deprivations__contains=f",{code},")


@cached_report
def deprivation_summary(*, user, area_code, year, comparable=False):
    scope = ReportScope(user, area_code, year, comparable)
    standard = PovertyStandard.objects.for_year(year).prefetch_related("indicators").first()
    indicators = list(standard.indicators.all()) if standard else []
    queryset = Assessment.objects.visible_to(user).filter(year=year, commune_id__in=scope.communes)
    aggregates = {"poor_total": Count("id", filter=Q(classification=Classification.POOR)),
                  "near_poor_total": Count("id", filter=Q(classification=Classification.NEAR_POOR))}
    for indicator in indicators:
        lacks = deprived_of(indicator.code)
        aggregates[f"poor_{indicator.code}"] = Count("id", filter=lacks & Q(classification=Classification.POOR))
        aggregates[f"near_{indicator.code}"] = Count("id", filter=lacks & Q(classification=Classification.NEAR_POOR))
    counts = queryset.aggregate(**aggregates)
    rows = [
        {"area": f"{indicator.code}. {indicator.name}", "code": indicator.code, "dimension": indicator.dimension,
         "poor": counts[f"poor_{indicator.code}"], "poor_share": rate(counts[f"poor_{indicator.code}"], counts["poor_total"]),
         "near_poor": counts[f"near_{indicator.code}"],
         "near_poor_share": rate(counts[f"near_{indicator.code}"], counts["near_poor_total"])}
        for indicator in indicators
    ]
    return {"year": year, "area": scope.area_dict(), "issuer": scope.issuer(), "rows": rows,
            "total": {"area": "Tổng số hộ", "poor": counts["poor_total"], "near_poor": counts["near_poor_total"]},
            "denominators": {"poor_share": "hộ nghèo thiếu hụt chỉ số / tổng số hộ nghèo",
                             "near_poor_share": "hộ cận nghèo thiếu hụt chỉ số / tổng số hộ cận nghèo"}}


@cached_report
def deprivation_by_area(*, user, area_code, year, comparable=False):
    """{"year", "area", "indicators": [{"code", "name", "dimension"}], "rows": [{"area", "poor", "near_poor",
    "poor_<code>", "near_poor_<code>" for each indicator}], "total": {...}}."""
    scope = ReportScope(user, area_code, year, comparable)
    indicators = year_indicators(year)
    poor, near_poor = Q(classification=Classification.POOR), Q(classification=Classification.NEAR_POOR)
    aggregates = {"poor": Count("id", filter=poor), "near_poor": Count("id", filter=near_poor)}
    for indicator in indicators:
        lacks = deprived_of(indicator["code"])
        aggregates[f"poor_{indicator['code']}"] = Count("id", filter=lacks & poor)
        aggregates[f"near_poor_{indicator['code']}"] = Count("id", filter=lacks & near_poor)
    fields = ["commune_id"] + (["village_id"] if scope.by_village else [])
    records = (
        Assessment.objects.visible_to(user).filter(year=year, commune_id__in=scope.communes)
        .filter(poor | near_poor).values(*fields).annotate(**aggregates).order_by()
    )
    rows = defaultdict(lambda: dict.fromkeys(aggregates, 0))
    for code in scope.rows_expected():
        rows[code]  # every child area gets a row, even with no poor or near-poor household
    for record in records:
        target = rows[scope.row_of(record["commune_id"], record.get("village_id"))]
        for name in aggregates:
            target[name] += record[name]
    rows.pop(None, None)  # records outside the map of the year (should not happen)
    total = {name: sum(values[name] for values in rows.values()) for name in aggregates}
    return {
        "year": year, "comparable": comparable, "area": scope.area_dict(), "issuer": scope.issuer(),
        "indicators": indicators,
        "rows": [{"area": scope.row_label(code), **values} for code, values in sorted(rows.items())],
        "total": total,
    }
