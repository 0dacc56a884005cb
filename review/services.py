"""Write services of the annual review: save an assessment, re-classify a year, move a round along.

Every function takes keyword arguments and the acting user, runs in one transaction, writes the audit
trail in it (naming the acting user, bulk writes included), and raises ValidationError (a dict naming the
field) or RoundLockedError. Pages, admin, API and import all come through here.

An approved (recognised) round is a legal record: nothing changes its assessments, derived fields included. Writers
lock the review-round rows they write into (SELECT … FOR UPDATE) inside their transaction and check the
status under that lock; round transitions lock the same row, so an approval and a save serialise. Round
locks are always taken before assessment rows, in one order (year, then commune).
"""
import datetime
import operator
from collections import defaultdict
from dataclasses import dataclass, field
from functools import reduce

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.db.transaction import TransactionManagementError
from django.dispatch import receiver
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from accounts.models import EDITING_ROLES, Role, role_of
from areas.models import AdministrativeUnit, Level
from areas.scoping import can_see_area
from core.formatting import vn_number
from core.versioning import ConcurrentEditError
from households.models import FARM_LIVELIHOODS, Household, Member
from households.services import household_facts_changed
from review.certificates import certificates_issue
from review.classification import AVERAGE, NOT_POOR, Lines, MissingInput, classify, movement
from review.labour import household_labour
from review.models import (
    LEVEL_ABOVE_NAMES,
    REVIEW_OPENS,
    Assessment,
    Classification,
    Indicator,
    PovertyStandard,
    ReviewRound,
    RoundLockedError,
    RoundStatus,
    StandardLine,
    VillageMeeting,
    deprivation_key,
    level_above,
)

DERIVED = ["classification", "movement"]

# Sanity limits of the officer's inputs: beyond them a number is a typing slip, never a household.
# Income is in đồng per person per month. The highest line of any standard is 2,800,000 (urban, 2026–2030),
# so 1,000,000,000 is ~350 times any line: a larger figure is a yearly or whole-household total or has
# zeros too many. It also keeps the value inside the column (bigint, 19 digits): a 20-digit income used to
# reach the database and answer 500.
MAX_INCOME_PER_CAPITA = 1_000_000_000
# The B1 score (Phiếu B1, Circular 07/2021/TT-BLĐTBXH) is a sum of points, never negative; its lines are
# 140 (rural) and 175 (urban) points. The domain notes give no maximum printed in the Circular (not
# verified), so the bound is set far above the lines, 1,000 points (over five times the urban line): it
# catches an income typed into the B1 column and keeps the value inside its column (a 20-digit score used
# to answer 500). Raise it if the Circular's own maximum proves higher.
MAX_B1_SCORE = 1_000


# --- standards -------------------------------------------------------------------------------------

def standard_for_year(year):
    standard = PovertyStandard.objects.for_year(year).first()
    if standard is None:
        raise ValidationError({"year": f"Không có chuẩn nghèo nào áp dụng cho năm {year}."})
    return standard


def lines_of(standard, is_urban):
    line = StandardLine.objects.filter(standard=standard, area_type="urban" if is_urban else "rural").first()
    if line is None:
        raise ValidationError({"year": f"Chuẩn {standard.code} chưa có chuẩn cho khu vực "
                                       f"{'thành thị' if is_urban else 'nông thôn'}."})
    return Lines(line.income_line, line.min_deprivations, line.absolute_line, line.average_line, line.b1_line)


def all_lines():
    """{(standard_id, is_urban): Lines} for bulk work: one query."""
    return {
        (line.standard_id, line.area_type == "urban"): Lines(
            line.income_line, line.min_deprivations, line.absolute_line, line.average_line, line.b1_line)
        for line in StandardLine.objects.all()
    }


# --- the lock of approved rounds ---------------------------------------------------------------------

def _lock_rounds(condition):
    """Lock review-round rows for the rest of the transaction and read their status under the lock.

    SELECT … FOR UPDATE on PostgreSQL (SQLite runs one writer at a time and ignores it). Ordered by year,
    then commune: every writer locks rounds in that order, before any assessment row, so two writers that
    lock several rounds never wait on each other in a circle."""
    return list(ReviewRound.objects.select_for_update().filter(condition).order_by("year", "commune_id"))


def _key(review_round):
    return review_round.commune_id, review_round.year


def _by_year(keys):
    return sorted(set(keys), key=lambda key: (key[1], key[0]))


def _rounds_matching(keys):
    """A condition matching the rounds of (commune_id, year) keys: one term per year."""
    communes = defaultdict(set)
    for commune_id, year in keys:
        communes[year].add(commune_id)
    return reduce(operator.or_, (Q(year=year, commune_id__in=sorted(ids)) for year, ids in sorted(communes.items())))


def lock_open_rounds(keys, *, create_missing=True):
    """Lock the review rounds of `keys` ((commune_id, year) pairs) until the caller's transaction ends, and
    check under the lock that none is approved. For bulk writers (the import): call it inside the writing
    transaction, before writing the assessments of those rounds.

    Returns {(commune_id, year): ReviewRound}. Rounds that do not exist yet are opened (and so locked too)
    unless `create_missing` is False; then they are absent from the result. Raises RoundLockedError naming
    every approved round (its `rounds`), and TransactionManagementError outside a transaction (a lock that
    ends with the statement protects nothing)."""
    if not transaction.get_connection().in_atomic_block:
        raise TransactionManagementError(
            "lock_open_rounds() locks until the caller's transaction ends: call it inside transaction.atomic().")
    keys = {(str(commune_id), int(year)) for commune_id, year in keys}
    if not keys:
        return {}
    if create_missing:
        existing = set(ReviewRound.objects.filter(_rounds_matching(keys)).values_list("commune_id", "year"))
        for commune_id, year in _by_year(keys - existing):
            review_round_for(commune_id=commune_id, year=year)
    rounds = {_key(review_round): review_round for review_round in _lock_rounds(_rounds_matching(keys))}
    approved = [review_round for review_round in rounds.values() if review_round.is_locked]
    if approved:
        raise RoundLockedError(rounds=approved)
    return rounds


def _refresh_locked(review_round):
    """Lock the round's row and bring the given instance up to the stored, locked state."""
    locked = ReviewRound.objects.select_for_update().get(pk=review_round.pk)
    for model_field in ReviewRound._meta.concrete_fields:
        setattr(review_round, model_field.attname, getattr(locked, model_field.attname))
    return review_round


def held_back_notice(held_back, *, reclassify=False):
    """What pages, admin and API say when results of recognised (locked) rounds were left as they are."""
    where = ", ".join(f"xã {commune_id} năm {year}" for commune_id, year in held_back)
    who = _reopeners(year for _, year in held_back)
    if reclassify:
        return (f"Chưa áp dụng cho đợt rà soát đã công nhận/phê duyệt ({where}): kết quả của đợt đã công nhận là "
                f"hồ sơ pháp lý, không tự thay đổi. Muốn áp dụng, {who} mở lại đợt đó (kèm lý do) rồi chạy lại thao "
                "tác phân loại lại.")
    return (f"Biến động của đợt rà soát đã công nhận/phê duyệt ({where}) lẽ ra thay đổi theo kết quả này nhưng "
            f"được giữ nguyên: kết quả của đợt đã công nhận là hồ sơ pháp lý, không tự thay đổi. Muốn áp dụng, {who} "
            "mở lại đợt đó (kèm lý do): biến động được tính lại khi mở lại.")


def _reopeners(years):
    names = sorted({LEVEL_ABOVE_NAMES[level_above(year)] for year in years})
    return f"cán bộ {names[0]}" if len(names) == 1 else "cấp trên của xã (huyện đến kỳ 2024, tỉnh từ kỳ 2025)"


# --- assessments -----------------------------------------------------------------------------------

def _check_editor(user, commune_code):
    if role_of(user) not in EDITING_ROLES:
        raise ValidationError({"household": "Tài khoản của bạn chỉ được xem, không được sửa kết quả rà soát."})
    if not can_see_area(user, commune_code):
        raise ValidationError({"household": "Hộ này không thuộc địa bàn của bạn."})


def round_closed_message(commune, year):
    """Why the commune has no review of `year` ("" when it has one): a year's review belongs to the communes in
    force on the day it opens (1 September), so a commune the 2025 reform merged away has no review from 2025
    on, and its households are reviewed in their new commune."""
    message = commune.closed_message(datetime.date(int(year), *REVIEW_OPENS))
    return f"{message} Không có đợt rà soát năm {year} của xã này: hãy chuyển hộ sang xã mới." if message else ""


def review_round_for(*, commune_id, year):
    """The round of a commune and year; it opens by itself with the first assessment, in a commune that holds
    that year's review (round_closed_message)."""
    review_round = ReviewRound.objects.filter(commune_id=commune_id, year=year).first()
    if review_round is None:
        message = round_closed_message(AdministrativeUnit.objects.get(pk=commune_id), year)
        if message:
            raise ValidationError({"year": message})
        review_round, created = ReviewRound.objects.get_or_create(commune_id=commune_id, year=year)
    return review_round


def _placement(household):
    """Commune and village of the household at review time (its current ones: reviews happen now)."""
    return household.commune_id, household.village_id


def validate_inputs(*, standard, year, income_per_capita, b1_score, deprivations, lines=None):
    """The officer's inputs against the limits and the year's standard (`lines`: its lines for the
    household's area, to refuse a B1 score where the standard has no B1 line)."""
    errors = {}
    if income_per_capita is not None and income_per_capita < 0:
        errors["income_per_capita"] = "Thu nhập bình quân không được âm."
    elif income_per_capita is not None and income_per_capita > MAX_INCOME_PER_CAPITA:
        errors["income_per_capita"] = (
            f"Thu nhập bình quân không quá {vn_number(MAX_INCOME_PER_CAPITA)} đồng/người/tháng: hãy kiểm tra lại "
            "số (thừa chữ số 0, hay là thu nhập cả năm, của cả hộ?).")
    if b1_score is not None and b1_score < 0:
        errors["b1_score"] = "Điểm B1 không được âm."
    elif b1_score is not None and b1_score > MAX_B1_SCORE:
        errors["b1_score"] = (f"Điểm B1 từ 0 đến {vn_number(MAX_B1_SCORE)} điểm: hãy kiểm tra lại "
                              "(nhập nhầm thu nhập vào cột điểm B1?).")
    if income_per_capita is None and b1_score is None:
        errors["income_per_capita"] = "Hãy nhập thu nhập bình quân hoặc điểm B1."
    elif income_per_capita is None and lines is not None and lines.b1_line is None:
        errors["income_per_capita"] = (
            f"Năm {year} chuẩn nghèo không dùng điểm B1: hãy nhập thu nhập bình quân "
            f"(chuẩn {standard.code} không có ngưỡng điểm B1).")
    valid_codes = set(Indicator.objects.filter(standard=standard).values_list("code", flat=True))
    unknown = sorted({str(c) for c in deprivations} - valid_codes, key=lambda c: (len(c), c))
    if unknown:
        errors["deprivations"] = (
            f"Chỉ số {', '.join(unknown)} không thuộc chuẩn {standard.code} áp dụng cho năm {year}."
        )
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
        "no_labour_capacity": assessment.no_labour_capacity if assessment.labour_override_reason else None,
        "labour_override_reason": assessment.labour_override_reason,
        "has_meritorious_member": assessment.has_meritorious_member,
        "has_social_protection_member": assessment.has_social_protection_member,
        "reasons": None,  # None: the stored reasons stay as they are
        "notes": assessment.notes,
    }


def _lock_household_rounds(household_id, year, round_id):
    """Lock the round being written (`round_id`) and the rounds of the household's later years (their
    movements may follow), in the global order. Returns {round id: locked round}."""
    later = Assessment.objects.filter(household_id=household_id, year__gt=year).values("review_round_id")
    return {review_round.pk: review_round for review_round in _lock_rounds(Q(pk=round_id) | Q(pk__in=later))}


@transaction.atomic
def assessment_save(*, acting_user, household, year, expected_version=None, change_reason=None, create_only=False,
                    **changes):
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
    _check_editor(acting_user, household.commune_id)
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": "Năm rà soát không hợp lệ."}) from None
    standard = standard_for_year(year)

    # Rounds first (the global lock order), then the assessment row.
    round_id = Assessment.objects.filter(household=household, year=year).values_list(
        "review_round_id", flat=True).first()
    if round_id is None:
        round_id = review_round_for(commune_id=_placement(household)[0], year=year).pk
    rounds = _lock_household_rounds(household.pk, year, round_id)
    assessment = Assessment.objects.select_for_update().filter(household=household, year=year).first()
    if assessment is not None and assessment.review_round_id not in rounds:  # created meanwhile elsewhere
        rounds.update({r.pk: r for r in _lock_rounds(Q(pk=assessment.review_round_id))})

    if assessment is not None and create_only:
        raise ValidationError({"year": f"Hộ {household.code} đã có kết quả rà soát năm {year}: hãy sửa kết quả đó."})
    if assessment is not None and expected_version is not None and assessment.version != int(expected_version):
        raise ConcurrentEditError(
            f"Kết quả rà soát năm {year} của hộ {household.code} vừa được người khác sửa "
            f"(phiên bản hiện tại là {assessment.version}, bạn sửa trên phiên bản {int(expected_version)}). "
            "Thay đổi của bạn chưa được lưu: hãy tải lại để xem dữ liệu mới rồi sửa lại."
        )
    inputs = {**(INPUT_DEFAULTS if assessment is None else _stored_inputs(assessment)), **changes}
    deprivations = [str(code).strip() for code in inputs["deprivations"] or () if str(code).strip()]
    income_per_capita, b1_score = inputs["income_per_capita"], inputs["b1_score"]
    is_urban = assessment.is_urban if assessment is not None else household.commune.is_urban
    lines = lines_of(standard, is_urban)
    errors = {}
    try:
        validate_inputs(standard=standard, year=year, income_per_capita=income_per_capita, b1_score=b1_score,
                        deprivations=deprivations, lines=lines)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        no_labour_capacity, labour_reason = labour_capacity(household, year, inputs["no_labour_capacity"],
                                                            inputs["labour_override_reason"])
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)

    created = assessment is None
    if created:
        commune_id, village_id = _placement(household)
        assessment = Assessment(household=household, year=year, commune_id=commune_id, village_id=village_id,
                                review_round=rounds[round_id], is_urban=is_urban)
    else:
        assessment.review_round = rounds[assessment.review_round_id]
    if assessment.review_round.is_locked:  # read under the row lock
        raise RoundLockedError(assessment.review_round)

    assessment.standard = standard
    assessment.income_per_capita = income_per_capita
    assessment.b1_score = b1_score
    assessment.deprivations = deprivation_key(deprivations)
    assessment.deprivation_count = len(set(deprivations))
    assessment.no_labour_capacity, assessment.labour_override_reason = no_labour_capacity, labour_reason
    assessment.livelihood = household.livelihood  # the livelihood as it is at this save (a snapshot)
    assessment.has_meritorious_member = bool(inputs["has_meritorious_member"])
    assessment.has_social_protection_member = bool(inputs["has_social_protection_member"])
    assessment.is_ethnic_minority = household.ethnic_group.is_minority
    assessment.notes = inputs["notes"] or ""
    try:
        assessment.classification = classify(
            lines, deprivations=assessment.deprivation_count, income=income_per_capita, b1_score=b1_score,
            farm_livelihood=assessment.livelihood in FARM_LIVELIHOODS,
        )
    except MissingInput as error:  # validate_inputs refuses these first; a last guard against a 500
        raise ValidationError({"income_per_capita": str(error)}) from error
    assessment.movement = _movement_for(household.pk, year, assessment.classification)
    assessment._history_user = acting_user
    if change_reason:
        assessment._change_reason = change_reason
    assessment.save()
    if inputs["reasons"] is not None:
        assessment.reasons.set(inputs["reasons"])
    if created:
        _registered_by(household, year, acting_user=acting_user)
    assessment.held_back_rounds = household_movements_refresh(household_id=household.pk, from_year=year + 1,
                                                              acting_user=acting_user)
    return assessment


LABOUR_REASON_REQUIRED = "Cần ghi lý do khi xác định khác kết quả tính từ nhân khẩu"
LABOUR_REASON_MAX = Assessment._meta.get_field("labour_override_reason").max_length


def labour_derived(household, year):
    """review.labour.LabourResult of the household's members as stored now, for review year `year`."""
    members = household.members.only("full_name", "gender", "birth_year", "birth_date", "has_labour_capacity")
    return household_labour(list(members.order_by("pk")), int(year))


def labour_capacity(household, year, wanted, reason):
    """(no_labour_capacity, labour_override_reason) to store: the value derived from the members, unless the
    officer's `wanted` value differs from it, which then needs a reason. `wanted` None: the derived value."""
    derived = labour_derived(household, year).no_labour_capacity
    if wanted is None or bool(wanted) == derived:
        return derived, ""  # the derived value needs no reason: one given with it is not kept
    reason = " ".join(str(reason or "").split())
    if not reason:
        said = "không có" if derived else "có"
        raise ValidationError({"labour_override_reason": (
            f"{LABOUR_REASON_REQUIRED} (theo nhân khẩu, hộ {said} khả năng lao động năm {year}).")})
    if len(reason) > LABOUR_REASON_MAX:
        raise ValidationError({"labour_override_reason": f"Lý do không quá {LABOUR_REASON_MAX} ký tự."})
    return bool(wanted), reason


def _registered_by(household, year, *, acting_user):
    """A household reviewed in `year` existed in that year: a later registration date moves back to
    1 January of it (in the household's audit trail, with the acting user)."""
    first_day = datetime.date(year, 1, 1)
    if household.registered_on is not None and household.registered_on <= first_day:
        return
    locked = Household.objects.select_for_update().get(pk=household.pk)
    if locked.registered_on <= first_day:
        return
    locked.registered_on = first_day
    locked._history_user = acting_user
    locked._change_reason = (f"Có kết quả rà soát năm {year}: ngày đăng ký lùi về "
                             f"{first_day:%d/%m/%Y} (hộ đã có trong năm đó)")
    locked.save(update_fields=["registered_on", "updated_at"])
    household.registered_on, household.version = locked.registered_on, locked.version


def _movement_for(household_id, year, classification):
    earlier = dict(
        Assessment.objects.filter(household_id=household_id, year__lt=year).values_list("year", "classification")
    )
    poor_before = any(y < year - 1 and c == Classification.POOR for y, c in earlier.items())
    return movement(classification, earlier.get(year - 1), poor_before)


def household_movements_refresh(*, household_id, from_year, acting_user):
    """Keep later years' movements right after an earlier year changed (derived data only). Approved
    rounds are left as they are: returns their (commune_id, year) where the movement would change."""
    rows = list(Assessment.objects.filter(household_id=household_id).order_by("year"))
    classes = {row.year: row.classification for row in rows}
    changed = []
    for row in rows:
        if row.year < from_year:
            continue
        poor_before = any(y < row.year - 1 and c == Classification.POOR for y, c in classes.items())
        new = movement(row.classification, classes.get(row.year - 1), poor_before)
        if new != row.movement:
            row.movement = new
            changed.append(row)
    return write_derived(changed, "Tính lại biến động do năm trước thay đổi", acting_user=acting_user)


LABOUR_FIELDS = ("full_name", "gender", "birth_year", "birth_date", "has_labour_capacity")


@transaction.atomic
def household_facts_refresh(*, household_ids, acting_user):
    """After households' members or livelihood changed: their assessments in open rounds follow them — the
    derived no_labour_capacity (not where an officer overrode it, with a reason), the livelihood snapshot and
    with it "average" against "not poor". Recognised rounds stay as they are (legal records): returns their
    (commune_id, year) where something would have changed. Derived data: written in bulk with the audit
    trail naming `acting_user`, rounds locked first and checked under the lock, as write_derived does."""
    ids = sorted(set(household_ids))
    if not ids:
        return []
    rounds = {r.pk: r for r in _lock_rounds(Q(pk__in=Assessment.objects.filter(household_id__in=ids)
                                                  .values("review_round_id")))}
    if not rounds:
        return []
    members = defaultdict(list)
    for member in Member.objects.filter(household_id__in=ids).only("household_id", *LABOUR_FIELDS).order_by("pk"):
        members[member.household_id].append(member)
    livelihoods = dict(Household.objects.filter(pk__in=ids).values_list("pk", "livelihood"))
    lines = all_lines()
    changed, held_back = [], set()
    for row in Assessment.objects.filter(household_id__in=ids):
        before = (row.no_labour_capacity, row.livelihood, row.classification)
        if not row.labour_override_reason:
            row.no_labour_capacity = household_labour(members[row.household_id], row.year).no_labour_capacity
        row.livelihood = livelihoods[row.household_id]
        if row.classification in (AVERAGE, NOT_POOR) and (row.standard_id, row.is_urban) in lines:
            try:
                new = classify(lines[(row.standard_id, row.is_urban)], deprivations=row.deprivation_count,
                               income=row.income_per_capita, b1_score=row.b1_score,
                               farm_livelihood=row.livelihood in FARM_LIVELIHOODS)
            except MissingInput:
                new = row.classification
            if new in (AVERAGE, NOT_POOR):  # only what the livelihood decides; the rest stays as saved
                row.classification = new
        if (row.no_labour_capacity, row.livelihood, row.classification) == before:
            continue
        if rounds[row.review_round_id].is_locked:
            held_back.add(_key(rounds[row.review_round_id]))
        else:
            changed.append(row)
    if changed:
        bulk_update_with_history(changed, Assessment, ["no_labour_capacity", "livelihood", "classification"],
                                 batch_size=1000, default_user=acting_user,
                                 default_change_reason="Tính lại theo nhân khẩu, sinh kế của hộ",
                                 manager=models.QuerySet(model=Assessment))
    return _by_year(held_back)


@receiver(household_facts_changed, dispatch_uid="review.household_facts_refresh")
def _household_facts_changed(sender, *, household_ids, acting_user, **kwargs):
    return household_facts_refresh(household_ids=household_ids, acting_user=acting_user)


def write_derived(rows, reason, acting_user=None):
    """Write the derived fields (class, movement) of `rows` in bulk, the audit trail naming `acting_user`
    and `reason`.

    Rows of approved (recognised) rounds are not written: a recognised year is a legal record, and what follows
    from a correction or a new line reaches it only once the level above reopens the round (with a reason).
    The rounds of `rows` are locked and checked under the lock; returns the (commune_id, year) of the
    approved rounds whose rows would have changed, sorted by year, for the caller to say so."""
    if not rows:
        return []
    rounds = {r.pk: r for r in _lock_rounds(Q(pk__in={row.review_round_id for row in rows}))}
    held_back = _by_year(_key(rounds[row.review_round_id]) for row in rows if rounds[row.review_round_id].is_locked)
    writable = [row for row in rows if not rounds[row.review_round_id].is_locked]
    if writable:
        # The rows are in open rounds, locked above: the plain queryset skips AssessmentQuerySet.update's
        # own (unlocked) check.
        bulk_update_with_history(writable, Assessment, DERIVED, batch_size=1000, default_user=acting_user,
                                 default_change_reason=reason[:100], manager=models.QuerySet(model=Assessment))
    return held_back


@transaction.atomic
def assessment_delete(*, acting_user, assessment):
    """Delete an assessment (its round locked and checked under the lock). Returns the approved rounds,
    as (commune_id, year), whose movement would have changed and was left as it is."""
    _check_editor(acting_user, assessment.commune_id)
    rounds = _lock_household_rounds(assessment.household_id, assessment.year, assessment.review_round_id)
    assessment.review_round = rounds[assessment.review_round_id]
    if assessment.review_round.is_locked:
        raise RoundLockedError(assessment.review_round)
    household_id, year = assessment.household_id, assessment.year
    assessment._history_user = acting_user
    assessment.delete()
    return household_movements_refresh(household_id=household_id, from_year=year + 1, acting_user=acting_user)


@dataclass
class Reclassified:
    """What year_reclassify did: assessments whose class changed, and the approved rounds, as
    (commune_id, year), that would have changed (class or movement) and were left as they are."""

    changed: int
    held_back: list = field(default_factory=list)


@transaction.atomic
def year_reclassify(*, acting_user, year):
    """Re-classify every assessment of `year` (after a line changed), then the movements of that year and
    after. A bounded number of queries per year: reads in bulk, writes with bulk_update. Assessments of
    approved rounds are left as they are and their rounds reported."""
    if role_of(acting_user) != Role.ADMIN:
        raise ValidationError({"year": "Chỉ quản trị viên được phân loại lại cả năm."})
    rounds = {r.pk: r for r in _lock_rounds(Q(year__gte=year))}  # every round this may write: approvals wait
    lines = all_lines()
    rows = list(Assessment.objects.filter(year=year))  # whole rows: the history copies every field
    changed, held_back, unclassifiable = [], [], []
    for row in rows:
        review_round = rounds[row.review_round_id]
        try:
            new = classify(lines[(row.standard_id, row.is_urban)], deprivations=row.deprivation_count,
                           income=row.income_per_capita, b1_score=row.b1_score,
                           farm_livelihood=row.livelihood in FARM_LIVELIHOODS)
        except MissingInput:
            if not review_round.is_locked:
                unclassifiable.append(row)
            continue
        if new == row.classification:
            continue
        if review_round.is_locked:
            held_back.append(_key(review_round))
        else:
            row.classification = new
            changed.append(row)
    if unclassifiable:
        _refuse_unclassifiable(year, unclassifiable)
    held_back += write_derived(changed, f"Phân loại lại năm {year}", acting_user=acting_user)
    held_back += movements_recompute(from_year=year, acting_user=acting_user)
    return Reclassified(changed=len(changed), held_back=_by_year(held_back))


def _refuse_unclassifiable(year, rows):
    codes = sorted(Household.objects.filter(pk__in=[row.household_id for row in rows[:20]])
                   .values_list("code", flat=True))
    more = "…" if len(rows) > len(codes) else ""
    raise ValidationError({"year": (
        f"Không phân loại lại được năm {year}: {len(rows)} hộ chỉ có điểm B1 mà chuẩn nghèo của năm không còn "
        f"ngưỡng điểm B1 ({', '.join(codes)}{more}). Hãy nhập thu nhập bình quân cho các hộ này, hoặc đặt lại "
        "ngưỡng điểm B1 của chuẩn. Chưa thay đổi gì."
    )})


@transaction.atomic
def movements_recompute(*, from_year, acting_user):
    """Movements of every year from `from_year` on, from three bulk reads per year. Approved rounds are left
    as they are: returns their (commune_id, year) where a movement would change."""
    _lock_rounds(Q(year__gte=from_year))  # before reading the classes the movements follow from
    years = sorted(set(Assessment.objects.filter(year__gte=from_year).values_list("year", flat=True)))
    held_back = []
    for year in years:
        previous = dict(Assessment.objects.filter(year=year - 1).values_list("household_id", "classification"))
        poor_before = set(Assessment.objects.filter(year__lt=year - 1, classification=Classification.POOR)
                          .values_list("household_id", flat=True))
        changed = []
        for row in Assessment.objects.filter(year=year):
            new = movement(row.classification, previous.get(row.household_id), row.household_id in poor_before)
            if new != row.movement:
                row.movement = new
                changed.append(row)
        held_back += write_derived(changed, f"Tính lại biến động năm {year}", acting_user=acting_user)
    return _by_year(held_back)


def _round_movements_refresh(review_round, *, acting_user, reason):
    """The movements of one (just reopened) round's assessments, from the classes of the years before."""
    rows = list(review_round.assessments.all())
    if not rows:
        return
    earlier = defaultdict(dict)
    for household_id, year, classification in Assessment.objects.filter(
            household_id__in=[row.household_id for row in rows], year__lt=review_round.year,
    ).values_list("household_id", "year", "classification"):
        earlier[household_id][year] = classification
    changed = []
    for row in rows:
        classes = earlier[row.household_id]
        poor_before = any(y < row.year - 1 and c == Classification.POOR for y, c in classes.items())
        new = movement(row.classification, classes.get(row.year - 1), poor_before)
        if new != row.movement:
            row.movement = new
            changed.append(row)
    write_derived(changed, reason, acting_user=acting_user)


# --- review rounds -----------------------------------------------------------------------------------
# Every transition locks the round's row first and checks the status under the lock: a recognition waits
# for a save in flight in the round, and a save waits for a recognition in flight (then is refused).
#
# Decision 24/2021/QĐ-TTg: the commune reviews, holds the village meetings, posts the results publicly and
# reports the preliminary result to the level above (submit); the commune chairman then recognises the poor
# and near-poor households by a decision, number and date (recognise: the round locks); the level above
# compiles. The level above (review.models.level_above: the district for review years up to 2024, the
# province from 2025) may return a submitted round, or reopen a recognised one, with a reason. For review
# years before the reform the district also keeps the approval it made in this tool until now (approve:
# locks the round without a decision number), so the rounds, imports and API clients of those years work on.

LEVEL_ABOVE = "level_above"  # in a step's roles: the officers of the level above the round's commune
LEVEL_ABOVE_ROLES = {Level.DISTRICT: Role.DISTRICT_OFFICER, Level.PROVINCE: Role.PROVINCE_OFFICER}


@dataclass(frozen=True)
class RoundStep:
    """A transition of a review round: the roles that may make it, the status it starts from, and the levels
    above the commune (by the round's review year) for which the step exists at all."""

    roles: frozenset
    from_status: str
    refusal: str  # said when the round is not in `from_status`
    levels: frozenset = frozenset(LEVEL_ABOVE_ROLES)

    def roles_at(self, level):
        """The roles that may make the step on a round whose level above is `level`."""
        if level not in self.levels:
            return frozenset()
        return frozenset(LEVEL_ABOVE_ROLES[level] if role == LEVEL_ABOVE else role for role in self.roles)


# Who may move a round from which status: the one rule that the round_* services enforce and that pages
# ask (round_steps) to offer only what will be accepted.
ROUND_STEPS = {
    "submit": RoundStep(frozenset({Role.COMMUNE_OFFICER, Role.ADMIN}), RoundStatus.OPEN,
                        "Chỉ gửi được đợt rà soát đang mở."),
    "recognise": RoundStep(frozenset({Role.COMMUNE_CHAIR, Role.ADMIN}), RoundStatus.SUBMITTED,
                           "Chỉ công nhận được đợt rà soát đã báo cáo kết quả sơ bộ lên cấp trên (đã gửi)."),
    "approve": RoundStep(frozenset({LEVEL_ABOVE, Role.ADMIN}), RoundStatus.SUBMITTED,
                         "Chỉ phê duyệt được đợt rà soát xã đã gửi.", levels=frozenset({Level.DISTRICT})),
    "return": RoundStep(frozenset({LEVEL_ABOVE, Role.ADMIN}), RoundStatus.SUBMITTED,
                        "Chỉ trả lại được đợt rà soát xã đã gửi."),
    "reopen": RoundStep(frozenset({LEVEL_ABOVE, Role.ADMIN}), RoundStatus.APPROVED,
                        "Chỉ mở lại được đợt rà soát đã công nhận (đang khoá)."),
}
STEPS_WITH_REASON = ("return", "reopen")
STEP_VERBS = {"submit": "gửi", "recognise": "công nhận", "approve": "phê duyệt", "return": "trả lại",
              "reopen": "mở lại"}


def round_steps(user, review_round=None):
    """The steps (keys of ROUND_STEPS, in their order) `user` may make: on `review_round` as it stands
    (role, area, the level above for its year, and status), or without a round, on some round (role alone).
    The services check the same rule again, under the round's lock, when the step is made."""
    role = role_of(user)
    if review_round is not None and not can_see_area(user, review_round.commune_id):
        return []
    levels = [level_above(review_round.year)] if review_round is not None else list(LEVEL_ABOVE_ROLES)
    return [name for name, step in ROUND_STEPS.items()
            if any(role in step.roles_at(level) for level in levels)
            and (review_round is None or review_round.status == step.from_status)]


def _not_at_this_level(name, review_round):
    """Why a role that makes the step for some years may not make it on this round."""
    year, level = review_round.year, level_above(review_round.year)
    above = LEVEL_ABOVE_NAMES[level]
    if level not in ROUND_STEPS[name].levels:
        return (f"Kỳ rà soát năm {year} không có bước phê duyệt của huyện (từ 01/07/2025 không còn cấp huyện): "
                "Chủ tịch UBND xã công nhận kết quả bằng quyết định; cấp tỉnh có thể trả lại hoặc mở lại đợt.")
    reform = " (từ 01/07/2025 không còn cấp huyện)" if level == Level.PROVINCE else ""
    return (f"Kỳ rà soát năm {year} xã báo cáo lên {above}{reform}: chỉ cán bộ {above} được "
            f"{STEP_VERBS[name]} đợt rà soát này.")


def _begin_step(acting_user, review_round, name):
    """Check the role, the level above for the round's year and the area, lock the round's row, then check
    its status under the lock."""
    step = ROUND_STEPS[name]
    role = role_of(acting_user)
    if not any(role in step.roles_at(level) for level in LEVEL_ABOVE_ROLES):
        raise ValidationError({"status": "Vai trò của bạn không được thực hiện thao tác này."})
    if role not in step.roles_at(level_above(review_round.year)):
        raise ValidationError({"status": _not_at_this_level(name, review_round)})
    if not can_see_area(acting_user, review_round.commune_id):
        raise ValidationError({"commune": "Xã này không thuộc địa bàn của bạn."})
    _refresh_locked(review_round)
    if review_round.status != step.from_status:
        raise ValidationError({"status": step.refusal})


def _move_round(review_round, *, acting_user, status, reason_field=None, reason=None, change_reason):
    review_round.status = status
    if reason_field:
        setattr(review_round, reason_field, reason)
    if status == RoundStatus.SUBMITTED:
        review_round.submitted_at = timezone.now()
    if status == RoundStatus.APPROVED:
        review_round.approved_at = timezone.now()
    review_round._change_reason = change_reason[:100]
    review_round._history_user = acting_user
    review_round.save()
    return review_round


@transaction.atomic
def round_submit(*, acting_user, review_round):
    """The commune reports the preliminary result to the level above (the district, or the province from the
    2025 review)."""
    _begin_step(acting_user, review_round, "submit")
    if not review_round.assessments.exists():
        raise ValidationError({"status": "Chưa có kết quả rà soát nào để gửi."})
    return _move_round(review_round, acting_user=acting_user, status=RoundStatus.SUBMITTED,
                       change_reason=f"Gửi {review_round.level_above_name}")


def unassessed_households(review_round):
    """The households of the round's commune without a result of its year: those the worksheet counts as
    "chưa rà soát" (active households registered in the commune)."""
    return Household.objects.active().filter(commune_id=review_round.commune_id).exclude(
        assessments__year=review_round.year)


def _decision_date(value):
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):  # the date input's ISO form, or typed as Vietnamese write it
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValidationError({"decision_date": "Ngày quyết định không hợp lệ: hãy ghi ngày/tháng/năm (ví dụ 15/12/2025)."})


def _check_decision(review_round, number, day):
    errors = {}
    if not number:
        errors["decision_number"] = "Hãy ghi số quyết định công nhận của Chủ tịch UBND xã (ví dụ 125/QĐ-UBND)."
    elif len(number) > ReviewRound._meta.get_field("decision_number").max_length:
        errors["decision_number"] = "Số quyết định không quá 50 ký tự."
    year = review_round.year
    if day is None:
        errors["decision_date"] = "Hãy ghi ngày ký quyết định công nhận."
    elif day > timezone.localdate():
        errors["decision_date"] = f"Ngày quyết định ({day:%d/%m/%Y}) chưa đến: hãy ghi ngày đã ký."
    elif not year <= day.year <= year + 1:
        errors["decision_date"] = (f"Quyết định công nhận kết quả rà soát năm {year} ký trong năm {year} hoặc "
                                   f"{year + 1} (bạn nhập {day:%d/%m/%Y}).")
    return errors


def failed_meetings(review_round):
    """The round's recorded village meetings where the result did not stand (not more than half in favour)."""
    return [meeting for meeting in review_round.village_meetings.select_related("village").order_by("village")
            if not meeting.passed]


@transaction.atomic
def round_recognise(*, acting_user, review_round, decision_number, decision_date, confirm_unassessed=False):
    """The commune chairman recognises the round's poor and near-poor households by a decision (number and
    date): the round locks. Refused while a recorded village meeting did not reach the majority; when
    households of the commune have no result of the year, refused naming how many unless
    `confirm_unassessed` says to recognise anyway (the count is recorded in the audit trail)."""
    _begin_step(acting_user, review_round, "recognise")
    number = " ".join(str(decision_number or "").split())
    try:
        day, unreadable = _decision_date(decision_date), {}
    except ValidationError as error:
        day, unreadable = None, error.message_dict
    errors = {**_check_decision(review_round, number, day), **unreadable}
    failed = failed_meetings(review_round)
    if failed:
        where = "; ".join(f"{m.village.label}: {m.in_favour}/{m.attendees} người đồng ý" for m in failed)
        errors["village_meetings"] = (
            f"Chưa công nhận được: kết quả chỉ được thông qua khi quá nửa số người dự họp thôn đồng ý ({where}). "
            "Hãy họp lại thôn đó và ghi biên bản mới.")
    unassessed = unassessed_households(review_round).count()
    if unassessed and not confirm_unassessed:
        errors["confirm_unassessed"] = (
            f"Còn {vn_number(unassessed)} hộ của xã chưa có kết quả rà soát năm {review_round.year}. Nếu vẫn công "
            "nhận (các hộ này không có trong danh sách), hãy đánh dấu xác nhận rồi công nhận lại.")
    if errors:
        raise ValidationError(errors)
    review_round.decision_number, review_round.decision_date = number, day
    confirmed = f"; xác nhận còn {unassessed} hộ chưa rà soát" if unassessed else ""
    _move_round(review_round, acting_user=acting_user, status=RoundStatus.APPROVED,
                change_reason=f"Công nhận: QĐ {number} ngày {day:%d/%m/%Y}{confirmed}")
    # The recognised poor and near-poor households receive their certificate (Mẫu số 03), dated by the decision.
    certificates_issue(review_round=review_round, acting_user=acting_user, issued_on=day)
    return review_round


@transaction.atomic
def round_approve(*, acting_user, review_round):
    """The district's approval of a submitted round, for review years before the 2025 reform only (the
    lock it recorded in this tool until now); from the 2025 review the round locks by recognition."""
    _begin_step(acting_user, review_round, "approve")
    _move_round(review_round, acting_user=acting_user, status=RoundStatus.APPROVED, change_reason="Phê duyệt")
    certificates_issue(review_round=review_round, acting_user=acting_user)  # dated the day of the approval
    return review_round


@transaction.atomic
def round_return(*, acting_user, review_round, reason):
    _begin_step(acting_user, review_round, "return")
    if not (reason or "").strip():
        raise ValidationError({"return_reason": "Hãy ghi lý do trả lại."})
    return _move_round(review_round, acting_user=acting_user, status=RoundStatus.OPEN, reason_field="return_reason",
                       reason=reason.strip(), change_reason=f"Trả lại: {reason.strip()}")


@transaction.atomic
def round_reopen(*, acting_user, review_round, reason):
    """Reopen a recognised (locked) round, with a reason. Its recognition decision is cleared (the audit trail
    keeps it): a new recognition records a new decision. Movements held back while it was locked (an earlier
    year corrected meanwhile) are applied now, in the audit trail with the same user and reason."""
    _begin_step(acting_user, review_round, "reopen")
    if not (reason or "").strip():
        raise ValidationError({"reopen_reason": "Hãy ghi lý do mở lại."})
    review_round.decision_number, review_round.decision_date = "", None
    _move_round(review_round, acting_user=acting_user, status=RoundStatus.OPEN, reason_field="reopen_reason",
                reason=reason.strip(), change_reason=f"Mở lại: {reason.strip()}")
    _round_movements_refresh(review_round, acting_user=acting_user,
                             reason=f"Tính lại biến động khi mở lại: {reason.strip()}")
    return review_round


# --- village meetings and public posting ---------------------------------------------------------------

def _check_meeting_editor(user, review_round):
    if role_of(user) not in EDITING_ROLES:
        raise ValidationError({"village": "Tài khoản của bạn không được ghi biên bản họp thôn."})
    if not can_see_area(user, review_round.commune_id):
        raise ValidationError({"village": "Xã này không thuộc địa bàn của bạn."})


MEETING_FIELDS = ("meeting_date", "attendees", "in_favour", "posted_from", "posted_to", "note")


@transaction.atomic
def village_meeting_save(*, acting_user, review_round, village, expected_version=None, **fields):
    """Record (or correct) the village meeting and public posting of `village` for the round. The round is
    locked and checked under the lock: a recognised round's meetings stay as recorded. `fields`: keys of
    MEETING_FIELDS; those not given keep their stored values. A correction names the version it was made
    on (`expected_version`); a stale one is refused."""
    unknown = sorted(set(fields) - set(MEETING_FIELDS))
    if unknown:
        raise TypeError(f"village_meeting_save() got unexpected keyword argument(s): {', '.join(unknown)}")
    _check_meeting_editor(acting_user, review_round)
    _refresh_locked(review_round)
    if review_round.is_locked:
        raise RoundLockedError(review_round)
    village_id = getattr(village, "pk", village)
    meeting = VillageMeeting.objects.select_for_update().filter(review_round=review_round,
                                                                village_id=village_id).first()
    if meeting is not None and expected_version is not None and meeting.version != int(expected_version):
        raise ConcurrentEditError(
            f"Biên bản họp thôn {village_id} vừa được người khác sửa (phiên bản hiện tại là {meeting.version}, bạn "
            f"sửa trên phiên bản {int(expected_version)}). Thay đổi của bạn chưa được lưu: hãy tải lại rồi sửa lại.")
    if meeting is None:
        meeting = VillageMeeting(review_round=review_round, village_id=village_id)
    for name, value in fields.items():
        setattr(meeting, name, (value or "").strip() if name == "note" else value)
    meeting.review_round = review_round
    meeting.full_clean(exclude=["version"])
    meeting._history_user = acting_user
    meeting.save()
    return meeting


@transaction.atomic
def village_meeting_delete(*, acting_user, meeting):
    """Delete a meeting record of an open round (its round locked and checked under the lock)."""
    review_round = meeting.review_round
    _check_meeting_editor(acting_user, review_round)
    _refresh_locked(review_round)
    if review_round.is_locked:
        raise RoundLockedError(review_round)
    meeting._history_user = acting_user
    meeting.delete()
