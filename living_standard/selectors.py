"""Reads of the average-living-standard procedure: the list of households recognised in a commune and month."""
from django.db.models import QuerySet

from living_standard.models import LivingStandardDecision


def recognised_list(user, *, commune_id: str | None = None, year: int | None = None,
                    month: int | None = None) -> QuerySet:
    """The decisions recognising households of average living standard, through the scoping door, for a commune
    and a period (a year, or a month of it), ordered as the list is printed: commune, village, household."""
    rows = LivingStandardDecision.objects.visible_to(user).select_related(
        "household", "commune", "village", "determination")
    if commune_id:
        rows = rows.filter(commune_id=commune_id)
    if year:
        rows = rows.filter(decision_date__year=year)
        if month:
            rows = rows.filter(decision_date__month=month)
    return rows.order_by("commune_id", "village__name", "household__code", "decision_date")
