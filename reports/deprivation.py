"""Deprivation by indicator: how many poor and near-poor households lack each indicator (one query)."""
from django.db.models import Count, Q

from core.formatting import rate
from reports.cache import cached_report
from reports.scope import ReportScope
from review.models import Assessment, Classification, PovertyStandard


@cached_report
def deprivation_summary(*, user, area_code, year, comparable=False):
    scope = ReportScope(user, area_code, year, comparable)
    standard = PovertyStandard.objects.for_year(year).prefetch_related("indicators").first()
    indicators = list(standard.indicators.all()) if standard else []
    queryset = Assessment.objects.visible_to(user).filter(year=year, commune_id__in=scope.communes)
    aggregates = {"poor_total": Count("id", filter=Q(classification=Classification.POOR)),
                  "near_poor_total": Count("id", filter=Q(classification=Classification.NEAR_POOR))}
    for indicator in indicators:
        lacks = Q(deprivations__contains=f",{indicator.code},")
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
