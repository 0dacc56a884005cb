"""Whether and where a household counts in a review year: THE placement rule. Every report, export, list, board,
worksheet and confirmation reads its households of a year through here (docs/rules.md, "One answer to where,
when").

- Whether: a household belongs to review year Y when it was on the register at some day from 1 January of Y to
  the close of Y's review window (`registration_cutoff`: review.calendar.review_closes, 14 December by default,
  the day after which a request counts for the next year's review), or when it has a result of Y (reviewed that
  year, it lived there). A household registered on 05/12/2026 belongs to the 2026 review, not to 2024's or 2025's.
- Where: the commune and village of its result of Y (an Assessment carries the round's commune and the village
  at the time of the review); without one, the commune its village belonged to on 31 December of Y (the map's
  dated parents), else its commune now. A household of Tân Cảnh reviewed there in 2024 and filed under xã Đăk Tô
  since the 2025 reform is Tân Cảnh's in 2024 and Đăk Tô's in 2025.

Reports then carry the year's commune onto the report's map (reports.scope: the year's own map, or today's through
successors); the units in force are the map's (areas.map); the review's communes of a year are those in force on
the day its review opens (`review_communes`, the rule of review.calendar.round_closed_message).
"""
import datetime

from django.db.models import Case, CharField, F, FilteredRelation, Q, QuerySet, When
from django.db.models.functions import Coalesce

from areas.map import report_day
from areas.models import AdministrativeUnit, AdministrativeUnitVersion
from households.models import Household, present_during
from review.calendar import review_closes, review_opens
from review.models import Assessment


def registration_cutoff(year: int) -> datetime.date:
    """The last registration day of a household that belongs to the review of `year`: the day its window closes."""
    return review_closes(year)


def _village_then(day):
    """The household's village's dated version in force on `day` (joined, one row at most: versions of a unit do
    not overlap), whose parent is the commune the village belonged to then; none where the village has no dated
    version for that day (its parent now, the household's commune, then stands)."""
    return FilteredRelation("village__versions", condition=(
        (Q(village__versions__valid_from__isnull=True) | Q(village__versions__valid_from__lte=day))
        & (Q(village__versions__valid_to__isnull=True) | Q(village__versions__valid_to__gte=day))))


def placed_households(year: int, households: QuerySet | None = None) -> QuerySet:
    """Households annotated with their commune and village of `year` (`year_commune`, `year_village`) and their
    result of the year joined as `that_year`, whether or not they belong to the year's review: where a record of
    the year that names a household (a benefit paid that year) lies."""
    base = households if households is not None else Household.objects.all()
    return base.annotate(that_year=FilteredRelation("assessments", condition=Q(assessments__year=year)),
                         village_then=_village_then(report_day(year))).annotate(
        year_commune=Coalesce("that_year__commune_id", "village_then__parent_id", "commune_id",
                              output_field=CharField()),
        year_village=Case(When(that_year__isnull=False, then=F("that_year__village_id")),
                          default=F("village_id"), output_field=CharField()),
    )


def could_be_placed_in(communes, year: int) -> Q:
    """A condition every household placed in one of `communes` (codes) in `year` meets, found by three index
    lookups: its result of the year there, its village under one of them in some version, or its commune one of
    them. It narrows a computation for a few communes (a worksheet's save recomputing its commune) to
    their candidates before the placement's joins, instead of placing the province's households to keep a
    commune's; the placement itself still decides."""
    codes = list(communes)
    candidates = Household.objects.filter(commune_id__in=codes).values("pk").order_by().union(
        Assessment.objects.filter(year=year, commune_id__in=codes).values("household_id").order_by(),
        Household.objects.filter(village_id__in=AdministrativeUnitVersion.objects.filter(
            parent_id__in=codes).values("unit_id")).values("pk").order_by())
    return Q(pk__in=candidates)  # one UNION of three index scans (an OR of them scans the households)


def register_communes(household_ids, year: int) -> set:
    """The communes these households are placed in for `year` when they have no result of that year (their
    village's commune then, else their commune now): where writing or removing a result moves them from or to."""
    return set(Household.objects.filter(id__in=list(household_ids)).annotate(
        village_then=_village_then(report_day(year))).annotate(
        register_commune=Coalesce("village_then__parent_id", "commune_id", output_field=CharField())
    ).values_list("register_commune", flat=True))


def households_of_year(year: int, households: QuerySet | None = None) -> QuerySet:
    """The households that belong to the review of `year` (see the module), placed as `placed_households` places
    them. `households`: the queryset to start from (a user's visible households, the active ones)."""
    return placed_households(year, households).filter(
        present_during(datetime.date(year, 1, 1), registration_cutoff(year)) | Q(that_year__isnull=False))


def households_placed_in(communes, year: int, households: QuerySet | None = None) -> QuerySet:
    """The households of the review of `year` placed in one of `communes` (codes) that year."""
    codes = [communes] if isinstance(communes, str) else list(communes)
    return households_of_year(year, households).filter(year_commune__in=codes)


def review_communes(year: int) -> QuerySet:
    """The communes of the review of `year`: those in force on the day it opens (a commune merged away on
    1 July 2025 has no 2025 review; its households are reviewed in the commune that took them)."""
    return AdministrativeUnit.objects.communes().valid_on(review_opens(year))
