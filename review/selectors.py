"""The reads of the review: the list to review and the class in force, the households without a result, the
members the labour derivation reads, the figures of the progress board, and the units as they were in a
year (their names and villages, for the printouts and the lists page). Nothing here writes.

The list to review (Decision 24/2021/QĐ-TTg): the next annual review (N+1) starts from the class in force —
the last annual result amended by the regular (in-year) reviews since; its list is every household on the
current poor and near-poor lists plus the households that applied.
"""
import datetime
from collections import defaultdict

from django.db.models import BooleanField, Case, Count, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from areas.map import villages_on
from areas.models import AdministrativeUnit, AdministrativeUnitVersion, unit_label
from households.models import Household, Member
from review.calendar import lists_year_of
from review.labour import LABOUR_FIELDS
from review.models import Assessment, Classification, RegularReview, ReviewRequest, ReviewRound
from review.placement import households_placed_in

POOR, NEAR_POOR, NOT_POOR = Classification.POOR, Classification.NEAR_POOR, Classification.NOT_POOR
LISTED = (POOR, NEAR_POOR)  # the classes whose households are on a list (and so on the next list to review)


def annotate_review_list(households: QuerySet, year: int) -> QuerySet:
    """Households annotated for the annual review of `year`:
    - `annual_class`: their result of review year − 1 (None when not reviewed then);
    - `regular_class`: the class of their latest regular review amending those lists (None when none);
    - `class_in_force`: what the review starts from, the regular review's class, else the annual one, else
      not poor;
    - `has_request`: a request for this year's review not yet decided by a regular review nor refused;
    - `on_review_list`: on the list to review (poor or near-poor now, or applied).
    One query whatever the number of households (correlated subqueries on indexed columns)."""
    annual = Assessment.objects.filter(household=OuterRef("pk"), year=year - 1).values("classification")[:1]
    regular = (RegularReview.objects.filter(household=OuterRef("pk"), year=year - 1)
               .order_by("-effective_on", "-pk").values("classification")[:1])
    # A request already decided by a regular review (one that cites it) is settled: it puts nobody on the list.
    # A regular request answered by a written refusal is settled as well.
    requested = ReviewRequest.objects.filter(household=OuterRef("pk"), year=year, regular_reviews__isnull=True,
                                             refused_on=None)
    return households.annotate(
        annual_class=Subquery(annual), regular_class=Subquery(regular), has_request=Exists(requested),
    ).annotate(
        class_in_force=Coalesce("regular_class", "annual_class", Value(NOT_POOR)),
    ).annotate(
        on_review_list=Case(When(Q(class_in_force__in=LISTED) | Q(has_request=True), then=Value(True)),
                            default=Value(False), output_field=BooleanField()),
    )


def households_to_review(commune, year: int, households: QuerySet | None = None) -> QuerySet:
    """The list to review of a commune's annual review of `year`: its active households of that review
    (review.placement) on the poor and near-poor lists in force (the result of review year − 1 amended by the
    regular reviews since) and those with a request for this review. `households`: the queryset to start from
    (a user's visible households)."""
    return annotate_review_list(review_households(commune, year, households), year).filter(on_review_list=True)


def review_households(commune, year: int, households: QuerySet | None = None) -> QuerySet:
    """The active households the commune's review of `year` covers: placed in the commune that year and
    registered by the close of its window (review.placement); what the worksheet lists and counts."""
    base = households if households is not None else Household.objects.all()
    return households_placed_in(getattr(commune, "pk", commune), year, base.active())


def class_in_force_on(household, day: datetime.date) -> tuple:
    """(class, RegularReview or None, Assessment or None) of `household` on `day`: its result of the review
    whose lists are in force that day, then the latest regular review amending them effective by that day.
    A household not reviewed that year was on no list: not poor."""
    household_id = getattr(household, "pk", household)
    year = lists_year_of(day)
    assessment = Assessment.objects.filter(household_id=household_id, year=year).select_related(
        "review_round").first()
    latest = (RegularReview.objects.filter(household_id=household_id, year=year, effective_on__lte=day)
              .order_by("-effective_on", "-pk").first())
    if latest is not None:
        return latest.classification, latest, assessment
    return (assessment.classification if assessment else NOT_POOR), None, assessment


def unassessed_households(review_round: ReviewRound) -> QuerySet:
    """The households of the round's review without a result of its year: those the worksheet counts as
    "chưa rà soát" (`review_households`: a household registered after the window closed is not one of them)."""
    return review_households(review_round.commune_id, review_round.year).filter(that_year__isnull=True)


def labour_members(household_ids) -> dict:
    """{household id: [members]} with the fields the labour derivation reads (review.labour), one query."""
    members = defaultdict(list)
    for member in (Member.objects.filter(household_id__in=household_ids).only("household_id", *LABOUR_FIELDS)
                   .order_by("pk")):
        members[member.household_id].append(member)
    return members


def failed_meetings(review_round: ReviewRound) -> list:
    """The round's recorded village meetings where the result did not stand (not more than half in favour)."""
    return [meeting for meeting in review_round.village_meetings.select_related("village").order_by("village")
            if not meeting.passed]


def progress_counts(user, communes, year: int) -> tuple[dict, dict, dict, dict]:
    """What the progress board reads for `year`, within the user's scope: ({commune: assessed}, {commune:
    round}, {commune: {"n": on the list to review, "done": of them assessed}}, {commune: households of the
    review}), one grouped query each; the households are those of review.placement (placed in the commune
    that year, registered by the close of its window)."""
    codes = list(communes)
    assessed = dict(Assessment.objects.visible_to(user).filter(year=year).values_list("commune_id")
                    .annotate(n=Count("id")))
    rounds = {r.commune_id: r for r in ReviewRound.objects.visible_to(user).filter(year=year)}
    placed = households_placed_in(codes, year, Household.objects.visible_to(user).active())
    listed = {row["year_commune"]: row for row in annotate_review_list(placed, year).filter(on_review_list=True)
              .values("year_commune").annotate(n=Count("id"), done=Count("id", filter=Q(that_year__isnull=False)))
              .order_by()}
    registered = dict(placed.values_list("year_commune").annotate(n=Count("id")).order_by())
    return assessed, rounds, listed, registered


# --- what the certificate prints -------------------------------------------------------------------------

def recognised_years(user, household, years) -> tuple[dict, dict]:
    """What a certificate may print for `household` over review `years`, within the user's scope: ({review year:
    Assessment} of the years whose round the commune chairman recognised (locked), {review year: RegularReview}
    the latest regular review amending that year's lists, itself a chairman's decision). A result still open or
    only reported to the level above is on no certificate. Two queries."""
    annual = {a.year: a for a in Assessment.objects.visible_to(user).locked()
              .filter(household=household, year__in=list(years)).select_related("review_round")}
    regular = {}
    for review in (RegularReview.objects.visible_to(user).filter(household=household, year__in=list(years))
                   .order_by("year", "effective_on", "pk")):
        regular[review.year] = review  # the latest of each year wins
    return annual, regular


# --- units as they were (what the printouts and the lists page read) ---------------------------------------

def year_day(year: int) -> datetime.date:
    """A review ends in December: a unit's name "in year N" is its name on 31 December of N."""
    return datetime.date(year, 12, 31)


class UnitNames:
    """The kind and name of a few units on given days, from their dated versions (two queries)."""

    def __init__(self, codes):
        codes = {code for code in codes if code}
        self.units = AdministrativeUnit.objects.in_bulk(codes)
        self.versions = defaultdict(list)
        for version in AdministrativeUnitVersion.objects.filter(unit_id__in=codes):
            self.versions[version.unit_id].append(version)

    def _version(self, code, day):
        for version in self.versions.get(code, ()):
            if (version.valid_from is None or version.valid_from <= day) and (
                    version.valid_to is None or version.valid_to >= day):
                return version
        return None

    def kind_name(self, code, day):
        version = self._version(code, day)
        if version is not None:
            return version.kind, version.name
        unit = self.units.get(code)
        return (unit.kind, unit.name) if unit else ("", "")

    def parent(self, code, day):
        version = self._version(code, day)
        if version is not None:
            return version.parent_id
        unit = self.units.get(code)
        return unit.parent_id if unit else None

    def label(self, code, day):
        """"Thị trấn Đắk Tô" as it was named on `day`."""
        return unit_label(*self.kind_name(code, day))

    def committee(self, code, day):
        """The People's Committee line of a header: "THỊ TRẤN ĐẮK TÔ" (the kind written out, never dropped)."""
        kind, name = self.kind_name(code, day)
        if kind and not name.lower().startswith(kind.lower()):
            return f"{kind} {name}".upper()
        return name.upper()


def villages_under(commune_code: str, year: int) -> list[str]:
    """The codes of the villages under the commune on 31 December of `year`, in code order: a village the 2025
    reform moved into the commune is not on its 2024 lists (nor one it moved out on its 2025 lists)."""
    return villages_on([commune_code], year_day(year))
