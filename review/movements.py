"""Derived data of the assessments: movements over the years, re-classification, and following the
household's members and livelihood. Every movement comes from ONE path, review.classification's
movements_over_years over a household's {year: class} (`movements_of`); every derived write goes through
`write_derived` or `household_facts_refresh`, which lock the rounds first (review.locks) and leave recognised
rounds as they are, returning them as (commune_id, year) for the caller to say so (review.locks.held_back_notice).
"""
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.dispatch import receiver
from simple_history.utils import bulk_update_with_history

from accounts.models import Role, role_of
from households.models import Household
from households.services import household_facts_changed
from review.classification import MissingInput, classify, movements_over_years
from review.labour import household_labour, stored_override
from review.locks import by_year, lock_rounds, round_key
from review.models import Assessment
from review.selectors import labour_members
from review.standards import all_lines

DERIVED = ["classification", "movement"]


# --- the one path over years ------------------------------------------------------------------------------

def classes_by_household(household_ids, *, before_year=None) -> dict:
    """{household id: {year: class}} of the households' assessments (before `before_year` if given): one query."""
    rows = Assessment.objects.filter(household_id__in=household_ids)
    if before_year is not None:
        rows = rows.filter(year__lt=before_year)
    classes = defaultdict(dict)
    for household_id, year, classification in rows.values_list("household_id", "year", "classification"):
        classes[household_id][year] = classification
    return classes


def movements_of(classes_by_year: dict) -> dict:
    """{year: class} -> {year: movement}: the movement of each year from the previous year's class and whether
    the household was poor before (review.classification.movements_over_years)."""
    return movements_over_years(classes_by_year)


def movement_for(household_id, year: int, classification: str) -> str:
    """The movement of the household's `year` if that year's class is `classification`."""
    classes = classes_by_household([household_id], before_year=year)[household_id]
    return movements_of({**classes, year: classification})[year]


def movements_by_household(classes) -> dict:
    """{household id: {year: class}} -> {household id: {year: movement}}."""
    return {household_id: movements_of(by_year_) for household_id, by_year_ in classes.items()}


def follow_movements(rows, movements) -> list:
    """The rows (assessments) whose movement differs from the one path's (`movements`, from
    movements_by_household), set to it."""
    changed = []
    for row in rows:
        new = movements[row.household_id][row.year]
        if new != row.movement:
            row.movement = new
            changed.append(row)
    return changed


def write_derived(rows, reason: str, acting_user=None) -> list:
    """Write the derived fields (class, movement) of `rows` in bulk, the audit trail naming `acting_user`
    and `reason`.

    Rows of approved (recognised) rounds are not written: a recognised year is a legal record, and what follows
    from a correction or a new line reaches it only once the level above reopens the round (with a reason).
    The rounds of `rows` are locked and checked under the lock; returns the (commune_id, year) of the
    approved rounds whose rows would have changed, sorted by year, for the caller to say so."""
    if not rows:
        return []
    rounds = {r.pk: r for r in lock_rounds(Q(pk__in={row.review_round_id for row in rows}))}
    held_back = by_year(round_key(rounds[row.review_round_id]) for row in rows if rounds[row.review_round_id].is_locked)
    writable = [row for row in rows if not rounds[row.review_round_id].is_locked]
    if writable:
        # The rows are in open rounds, locked above: the plain manager skips AssessmentQuerySet.update's
        # own (unlocked) check. A manager, not a QuerySet: simple_history tests `manager or ...`, and the truth
        # of a QuerySet reads every row of the table.
        bulk_update_with_history(writable, Assessment, DERIVED, batch_size=1000, default_user=acting_user,
                                 default_change_reason=reason[:100], manager=Assessment._base_manager)
    return held_back


def household_movements_refresh(*, household_id, from_year: int, acting_user) -> list:
    """Keep later years' movements right after an earlier year changed (derived data only). Approved
    rounds are left as they are: returns their (commune_id, year) where the movement would change."""
    rows = Assessment.objects.filter(household_id=household_id, year__gte=from_year).order_by("year")
    changed = follow_movements(rows, movements_by_household(classes_by_household([household_id])))
    return write_derived(changed, "Tính lại biến động do năm trước thay đổi", acting_user=acting_user)


@transaction.atomic
def movements_recompute(*, from_year: int, acting_user) -> list:
    """Movements of every year from `from_year` on, from one read of the classes of the households concerned,
    then the rows year by year. Approved rounds are left as they are: returns their (commune_id, year) where a
    movement would change."""
    lock_rounds(Q(year__gte=from_year))  # before reading the classes the movements follow from
    concerned = Assessment.objects.filter(year__gte=from_year).values("household_id")
    movements = movements_by_household(classes_by_household(concerned))
    years = sorted({year for by_year_ in movements.values() for year in by_year_ if year >= from_year})
    held_back = []
    for year in years:
        changed = follow_movements(Assessment.objects.filter(year=year), movements)
        held_back += write_derived(changed, f"Tính lại biến động năm {year}", acting_user=acting_user)
    return by_year(held_back)


def round_movements_refresh(review_round, *, acting_user, reason: str) -> None:
    """The movements of one (just reopened) round's assessments, from the classes of the years before."""
    rows = list(review_round.assessments.all())
    if not rows:
        return
    classes = classes_by_household([row.household_id for row in rows], before_year=review_round.year)
    for row in rows:
        classes[row.household_id][row.year] = row.classification
    write_derived(follow_movements(rows, movements_by_household(classes)), reason, acting_user=acting_user)


# --- re-classification -------------------------------------------------------------------------------------

@dataclass
class Reclassified:
    """What year_reclassify did: assessments whose class changed, and the approved rounds, as
    (commune_id, year), that would have changed (class or movement) and were left as they are."""

    changed: int
    held_back: list = field(default_factory=list)


def _classify_row(lines, row):
    return classify(lines[(row.standard_id, row.is_urban)], deprivations=row.deprivation_count,
                    income=row.income_per_capita, b1_score=row.b1_score)


@transaction.atomic
def year_reclassify(*, acting_user, year: int) -> Reclassified:
    """Re-classify every assessment of `year` (after a line changed), then the movements of that year and
    after. A bounded number of queries per year: reads in bulk, writes with bulk_update. Assessments of
    approved rounds are left as they are and their rounds reported."""
    if role_of(acting_user) != Role.ADMIN:
        raise PermissionDenied("Chỉ quản trị viên được phân loại lại cả năm.")  # by role: 403, not a field
    rounds = {r.pk: r for r in lock_rounds(Q(year__gte=year))}  # every round this may write: approvals wait
    lines = all_lines()
    changed, held_back, unclassifiable = [], [], []
    for row in Assessment.objects.filter(year=year):  # whole rows: the history copies every field
        review_round = rounds[row.review_round_id]
        try:
            new = _classify_row(lines, row)
        except MissingInput:
            if not review_round.is_locked:
                unclassifiable.append(row)
            continue
        if new == row.classification:
            continue
        if review_round.is_locked:
            held_back.append(round_key(review_round))
        else:
            row.classification = new
            changed.append(row)
    if unclassifiable:
        _refuse_unclassifiable(year, unclassifiable)
    held_back += write_derived(changed, f"Phân loại lại năm {year}", acting_user=acting_user)
    held_back += movements_recompute(from_year=year, acting_user=acting_user)
    return Reclassified(changed=len(changed), held_back=by_year(held_back))


def _refuse_unclassifiable(year, rows):
    codes = sorted(Household.objects.filter(pk__in=[row.household_id for row in rows[:20]])
                   .values_list("code", flat=True))
    more = "…" if len(rows) > len(codes) else ""
    raise ValidationError({"year": (
        f"Không phân loại lại được năm {year}: {len(rows)} hộ chỉ có điểm B1 mà chuẩn nghèo của năm không còn "
        f"ngưỡng điểm B1 ({', '.join(codes)}{more}). Hãy nhập thu nhập bình quân cho các hộ này, hoặc đặt lại "
        "ngưỡng điểm B1 của chuẩn. Chưa thay đổi gì."
    )})


# --- following the household's members and livelihood ---------------------------------------------------------

def _follow_facts(row, members, livelihood):
    """Set the row's derived labour capacity (unless overridden) and livelihood snapshot; True when something
    changed. The class stays as saved: the livelihood no longer decides it (no "average" from the review)."""
    before = (row.no_labour_capacity, row.livelihood)
    kept = stored_override(row.no_labour_capacity, row.labour_override_reason)
    row.no_labour_capacity = household_labour(members, row.year).no_labour_capacity if kept is None else kept
    row.livelihood = livelihood
    return (row.no_labour_capacity, row.livelihood) != before


@transaction.atomic
def household_facts_refresh(*, household_ids, acting_user) -> list:
    """After households' members or livelihood changed: their assessments in open rounds follow them — the
    derived no_labour_capacity (not where an officer overrode it, with a reason) and the livelihood snapshot.
    Recognised rounds stay as they are (legal records): returns their
    (commune_id, year) where something would have changed. Derived data: written in bulk with the audit
    trail naming `acting_user`, rounds locked first and checked under the lock, as write_derived does."""
    ids = sorted(set(household_ids))
    if not ids:
        return []
    rounds = {r.pk: r for r in lock_rounds(Q(pk__in=Assessment.objects.filter(household_id__in=ids)
                                                .values("review_round_id")))}
    if not rounds:
        return []
    members = labour_members(ids)
    livelihoods = dict(Household.objects.filter(pk__in=ids).values_list("pk", "livelihood"))
    changed, held_back = [], set()
    for row in Assessment.objects.filter(household_id__in=ids):
        if not _follow_facts(row, members[row.household_id], livelihoods[row.household_id]):
            continue
        if rounds[row.review_round_id].is_locked:
            held_back.add(round_key(rounds[row.review_round_id]))
        else:
            changed.append(row)
    if changed:
        bulk_update_with_history(changed, Assessment, ["no_labour_capacity", "livelihood"],
                                 batch_size=1000, default_user=acting_user,
                                 default_change_reason="Tính lại theo nhân khẩu, sinh kế của hộ",
                                 manager=Assessment._base_manager)
    return by_year(held_back)


@receiver(household_facts_changed, dispatch_uid="review.household_facts_refresh")
def _household_facts_changed(sender, *, household_ids, acting_user, **kwargs):
    return household_facts_refresh(household_ids=household_ids, acting_user=acting_user)
