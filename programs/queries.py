"""Query vocabulary shared by admin screens and reports."""
from django.db.models import OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from areas.models import AdministrativeUnit
from programs.models import Benefit


def allocations_with_disbursed(allocations):
    """Each allocation with the money its program gave in its year inside its area (commune or above)."""
    given = (
        Benefit.objects.filter(program_id=OuterRef("program_id"), year=OuterRef("year"))
        .filter(household__commune__in=_communes_under(OuterRef(OuterRef("area_id"))))
        .values("program_id").annotate(total=Sum("amount")).values("total")
    )
    return allocations.annotate(disbursed_amount=Coalesce(Subquery(given), Value(0)))


def _communes_under(area):
    return AdministrativeUnit.objects.filter(
        Q(code=area) | Q(parent_id=area) | Q(parent__parent_id=area) | Q(versions__parent_id=area)
    ).values("code")
