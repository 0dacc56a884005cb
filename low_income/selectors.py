"""Reads of the low-income-worker procedure: the commune's list of workers with low income for a period."""
from django.db.models import QuerySet

from low_income.models import LowIncomeConfirmation


def worker_list(user, *, commune_id: str | None = None, year: int | None = None, month: int | None = None) -> QuerySet:
    """The confirmations of workers with low income, through the scoping door, for a commune and a period (a year,
    or a month of it), ordered as the list is printed: commune, village, household, worker."""
    rows = LowIncomeConfirmation.objects.visible_to(user).select_related(
        "member", "household", "commune", "village", "determination")
    if commune_id:
        rows = rows.filter(commune_id=commune_id)
    if year:
        rows = rows.filter(decision_date__year=year)
        if month:
            rows = rows.filter(decision_date__month=month)
    return rows.order_by("commune_id", "village__name", "household__code", "member__full_name", "decision_date")
