"""A household's assessment of a year: the officer's inputs checked against the limits and the year's standard,
the labour capacity derived from the members (and the officer's override, with a reason), the class and the
movements that follow, and the registration date moved back to the year reviewed.

Every function takes keyword arguments and the acting user, runs in one transaction, writes the audit trail
in it, and raises ValidationError (a dict naming the field) or RoundLockedError. Locks in the one order of
review.locks: rounds, then the assessment, then the household.
"""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from core.versioning import ConcurrentEditError
from households.models import Household
from review.assessment_rules import (  # noqa: F401 (the limits and messages handed on to this module's users)
    LABOUR_REASON_MAX,
    LABOUR_REASON_REQUIRED,
    MAX_B1_SCORE,
    MAX_INCOME_PER_CAPITA,
    input_errors,
    labour_decision,
    registration_for_review,
    registration_reason,
)
from review.classification import Lines, MissingInput, classify
from review.labour import LABOUR_FIELDS, LabourResult, household_labour, stored_override
from review.locks import check_editor, lock_household_rounds, lock_households, lock_rounds, review_round_for
from review.models import Assessment, Indicator, PovertyStandard, RoundLockedError, deprivation_key
from review.movements import household_movements_refresh, movement_for
from review.standards import lines_of, standard_for_year

# --- the officer's inputs ---------------------------------------------------------------------------------

def validate_inputs(*, standard: PovertyStandard, year: int, income_per_capita, b1_score, deprivations,
                    lines: Lines | None = None) -> None:
    """The officer's inputs against the limits and the year's standard (`lines`: its lines for the
    household's area, to refuse a B1 score where the standard has no B1 line)."""
    errors = input_errors(
        standard=standard, year=year, income_per_capita=income_per_capita, b1_score=b1_score,
        deprivations=deprivations, lines=lines,
        indicator_codes=Indicator.objects.filter(standard=standard).values_list("code", flat=True))
    if errors:
        raise ValidationError(errors)


# The officer's inputs of an assessment: what a caller may change. Everything else is fixed when the
# assessment is created (household, year, place, area type) or derived (standard, class, movement, ethnicity).
INPUT_DEFAULTS = {
    "income_per_capita": None,
    "b1_score": None,
    "deprivations": (),
    # None: derived from the members (review.labour). True/False: the officer's value; one that differs from
    # the derived value is an override and needs `labour_override_reason`; the derived value clears it.
    "no_labour_capacity": None,
    "labour_override_reason": "",
    "has_meritorious_member": False,
    "has_social_protection_member": False,
    "reasons": None,
    "notes": "",
}


def _stored_inputs(assessment):
    return {
        "income_per_capita": assessment.income_per_capita,
        "b1_score": assessment.b1_score,
        "deprivations": assessment.deprivation_codes,
        # an override (it has a reason) stays as the officer set it; otherwise the value follows the members
        "no_labour_capacity": stored_override(assessment.no_labour_capacity, assessment.labour_override_reason),
        "labour_override_reason": assessment.labour_override_reason,
        "has_meritorious_member": assessment.has_meritorious_member,
        "has_social_protection_member": assessment.has_social_protection_member,
        "reasons": None,  # None: the stored reasons stay as they are
        "notes": assessment.notes,
    }


# --- labour capacity: derived from the members, or the officer's override with a reason ----------------------

def labour_derived(household: Household, year: int) -> LabourResult:
    """review.labour.LabourResult of the household's members as stored now, for review year `year`."""
    members = household.members.only(*LABOUR_FIELDS)
    return household_labour(list(members.order_by("pk")), int(year))


def labour_capacity(household: Household, year: int, wanted, reason) -> tuple[bool, str]:
    """The labour capacity to store (review.assessment_rules.labour_decision: the derived value, or the officer's
    override with a reason) against the household's members as stored now."""
    return labour_decision(labour_derived(household, year).no_labour_capacity, wanted, reason, year)


# --- the registration date --------------------------------------------------------------------------------

def registered_on_for_review(households, year: int, *, acting_user, locked: bool = False) -> None:
    """Households reviewed in `year` existed in that year: a later registration date moves back to 1 January
    of it (review.assessment_rules.registration_for_review), in each household's audit trail with the acting
    user, under the households' locks (review.locks, step 1). `households`: Household instances, brought up to
    the stored date and version; `locked`: they are the instances the caller locked in this transaction. A
    bounded number of queries for any number of households (a page of the worksheet, one row of a service)."""
    later = {household.pk: household for household in households
             if registration_for_review(household.registered_on, year) is not None}
    if not later:
        return
    moved, now = [], timezone.now()
    for household in (later if locked else lock_households(later)).values():
        moved_to = registration_for_review(household.registered_on, year)
        if moved_to is not None:
            household.registered_on, household.updated_at, household.version = moved_to, now, household.version + 1
            moved.append(household)
    if moved:  # locked: each version read under the lock, one on
        bulk_update_with_history(moved, Household, ["registered_on", "updated_at", "version"], default_user=acting_user,
                                 default_change_reason=f"{registration_reason(year)} (hộ đã có trong năm đó)")
    for household in moved:
        later[household.pk].registered_on, later[household.pk].version = household.registered_on, household.version


# --- save and delete --------------------------------------------------------------------------------------

def _locked_assessment(household, year):
    """The household, then its rounds (the one lock order, review.locks), then the assessment row: (rounds by
    id, assessment or None, the round id a new assessment goes into)."""
    lock_households([household.pk])
    round_id = Assessment.objects.filter(household=household, year=year).values_list(
        "review_round_id", flat=True).first()
    if round_id is None:
        round_id = review_round_for(commune_id=household.commune_id, year=year).pk
    rounds = lock_household_rounds(household.pk, year, round_id)
    assessment = Assessment.objects.select_for_update().filter(household=household, year=year).first()
    if assessment is not None and assessment.review_round_id not in rounds:  # created meanwhile elsewhere
        rounds.update({r.pk: r for r in lock_rounds(Q(pk=assessment.review_round_id))})
    return rounds, assessment, round_id


def stored_conflict(stored_version, code, year, expected_version) -> str:
    """Why the stored result of household `code` in `year` (its version, None when there is none) refuses a
    save made on `expected_version` ("" when it does not): deleted or changed by someone else meanwhile."""
    if stored_version is None and expected_version is not None:  # loaded, then deleted: never re-created unasked
        return (f"Kết quả rà soát năm {year} của hộ {code} vừa bị người khác xoá sau khi bạn mở nó. "
                "Thay đổi của bạn chưa được lưu: hãy tải lại để xem dữ liệu mới rồi nhập lại nếu cần.")
    if stored_version is not None and expected_version is not None and stored_version != int(expected_version):
        return (f"Kết quả rà soát năm {year} của hộ {code} vừa được người khác sửa "
                f"(phiên bản hiện tại là {stored_version}, bạn sửa trên phiên bản {int(expected_version)}). "
                "Thay đổi của bạn chưa được lưu: hãy tải lại để xem dữ liệu mới rồi sửa lại.")
    return ""


def _check_stored(assessment, household, year, expected_version, create_only):
    if assessment is not None and create_only:
        raise ValidationError({"year": f"Hộ {household.code} đã có kết quả rà soát năm {year}: hãy sửa kết quả đó."})
    conflict = stored_conflict(getattr(assessment, "version", None), household.code, year, expected_version)
    if conflict:
        raise ConcurrentEditError(conflict)


def inputs_over(assessment, changes) -> dict:
    """The inputs of a save: `changes` over the stored assessment's inputs (None: over the defaults)."""
    return {**(INPUT_DEFAULTS if assessment is None else _stored_inputs(assessment)), **changes}


def checked_inputs(inputs, *, derived: bool, year, standard, lines, indicator_codes) -> tuple[list, tuple]:
    """The inputs against the limits and the year's standard (review.assessment_rules.input_errors) and the
    labour capacity against the value `derived` from the members (labour_decision), every error at once (a
    ValidationError keyed by the assessment's fields). Returns (deprivation codes, (no_labour_capacity,
    labour_override_reason))."""
    deprivations = [str(code).strip() for code in inputs["deprivations"] or () if str(code).strip()]
    errors = input_errors(standard=standard, year=year, income_per_capita=inputs["income_per_capita"],
                          b1_score=inputs["b1_score"], deprivations=deprivations, lines=lines,
                          indicator_codes=indicator_codes)
    labour = None
    try:
        labour = labour_decision(derived, inputs["no_labour_capacity"], inputs["labour_override_reason"], year)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return deprivations, labour


def _year(year):
    try:
        return int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": "Năm rà soát không hợp lệ."}) from None


def apply_inputs(assessment, household, inputs, deprivations, labour, lines) -> None:
    """Set the inputs, the snapshots of the household (livelihood, ethnicity) and the class on the assessment."""
    assessment.income_per_capita = inputs["income_per_capita"]
    assessment.b1_score = inputs["b1_score"]
    assessment.deprivations = deprivation_key(deprivations)
    assessment.deprivation_count = len(set(deprivations))
    assessment.no_labour_capacity, assessment.labour_override_reason = labour
    assessment.livelihood = household.livelihood  # the livelihood as it is at this save (a snapshot)
    assessment.has_meritorious_member = bool(inputs["has_meritorious_member"])
    assessment.has_social_protection_member = bool(inputs["has_social_protection_member"])
    assessment.is_ethnic_minority = household.ethnic_group.is_minority
    assessment.notes = inputs["notes"] or ""
    try:
        assessment.classification = classify(
            lines, deprivations=assessment.deprivation_count, income=assessment.income_per_capita,
            b1_score=assessment.b1_score,
        )
    except MissingInput as error:  # validate_inputs refuses these first; a last guard against a 500
        raise ValidationError({"income_per_capita": str(error)}) from error


@transaction.atomic
def assessment_save(*, acting_user, household, year, expected_version=None, change_reason=None, create_only=False,
                    **changes) -> Assessment:
    """Create or update the household's assessment of `year`; recompute its class and later movements.

    `changes` are the inputs the caller gives (keys of INPUT_DEFAULTS). They are applied on top of the
    stored assessment, read and locked in this transaction: an input not given keeps its stored value
    (on creation, its default). `reasons=None` leaves the reasons as they are.

    The round is locked and its status checked under the lock (an approval in flight is waited for). Later
    years' movements that follow are refreshed, except in approved rounds: those are listed, as
    (commune_id, year), in the returned assessment's `held_back_rounds`.
    """
    unknown = sorted(set(changes) - set(INPUT_DEFAULTS))
    if unknown:
        raise TypeError(f"assessment_save() got unexpected keyword argument(s): {', '.join(unknown)}")
    if not isinstance(household, Household):
        household = Household.objects.get(pk=household)
    check_editor(acting_user, household.commune_id)
    year = _year(year)
    standard = standard_for_year(year)
    rounds, assessment, round_id = _locked_assessment(household, year)
    _check_stored(assessment, household, year, expected_version, create_only)
    inputs = inputs_over(assessment, changes)
    is_urban = assessment.is_urban if assessment is not None else household.commune.is_urban
    lines = lines_of(standard, is_urban)
    deprivations, labour = checked_inputs(
        inputs, derived=labour_derived(household, year).no_labour_capacity, year=year, standard=standard,
        lines=lines, indicator_codes=Indicator.objects.filter(standard=standard).values_list("code", flat=True))

    created = assessment is None
    if created:  # the commune and village of the household at review time (its current ones: reviews happen now)
        assessment = Assessment(household=household, year=year, commune_id=household.commune_id,
                                village_id=household.village_id, review_round=rounds[round_id], is_urban=is_urban)
    else:
        assessment.review_round = rounds[assessment.review_round_id]
    if assessment.review_round.is_locked:  # read under the row lock
        raise RoundLockedError(assessment.review_round)
    assessment.standard = standard
    apply_inputs(assessment, household, inputs, deprivations, labour, lines)
    assessment.movement = movement_for(household.pk, year, assessment.classification)
    assessment._history_user = acting_user
    if change_reason:
        assessment._change_reason = change_reason
    assessment.save()
    if inputs["reasons"] is not None:
        assessment.reasons.set(inputs["reasons"])
    if created:
        registered_on_for_review([household], year, acting_user=acting_user)
    assessment.held_back_rounds = household_movements_refresh(household_id=household.pk, from_year=year + 1,
                                                              acting_user=acting_user)
    return assessment


@transaction.atomic
def assessment_delete(*, acting_user, assessment: Assessment) -> list:
    """Delete an assessment (its round locked and checked under the lock). Returns the approved rounds,
    as (commune_id, year), whose movement would have changed and was left as it is."""
    check_editor(acting_user, assessment.commune_id)
    lock_households([assessment.household_id])  # the household before its rounds (review.locks)
    rounds = lock_household_rounds(assessment.household_id, assessment.year, assessment.review_round_id)
    assessment.review_round = rounds[assessment.review_round_id]
    if assessment.review_round.is_locked:
        raise RoundLockedError(assessment.review_round)
    household_id, year = assessment.household_id, assessment.year
    assessment._history_user = acting_user
    assessment.delete()
    return household_movements_refresh(household_id=household_id, from_year=year + 1, acting_user=acting_user)
