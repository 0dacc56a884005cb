"""Write services of the annual review: save an assessment, re-classify a year, move a round along.

Every function takes keyword arguments and the acting user, runs in one transaction, writes the audit
trail in it, and raises ValidationError (a dict naming the field) or RoundLockedError. Pages, admin,
API and import all come through here.
"""
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from accounts.models import Role, role_of
from areas.scoping import can_see_area
from core.versioning import ConcurrentEditError
from households.models import Household
from review.classification import Lines, MissingInput, classify, movement
from review.models import (
    Assessment,
    Classification,
    Indicator,
    PovertyStandard,
    ReviewRound,
    RoundLockedError,
    RoundStatus,
    StandardLine,
    deprivation_key,
)

DERIVED = ["classification", "movement"]


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


# --- assessments -----------------------------------------------------------------------------------

def _check_editor(user, commune_code):
    if role_of(user) not in {Role.ADMIN, Role.DISTRICT_OFFICER, Role.COMMUNE_OFFICER}:
        raise ValidationError({"household": "Tài khoản của bạn chỉ được xem, không được sửa kết quả rà soát."})
    if not can_see_area(user, commune_code):
        raise ValidationError({"household": "Hộ này không thuộc địa bàn của bạn."})


def review_round_for(*, commune_id, year):
    """The round of a commune and year; it opens by itself with the first assessment."""
    review_round, created = ReviewRound.objects.get_or_create(commune_id=commune_id, year=year)
    return review_round


def _placement(household, year):
    """Commune and village of the household at review time (its current ones: reviews happen now)."""
    return household.commune_id, household.village_id


def validate_inputs(*, standard, year, income_per_capita, b1_score, deprivations):
    errors = {}
    if income_per_capita is not None and income_per_capita < 0:
        errors["income_per_capita"] = "Thu nhập bình quân không được âm."
    if b1_score is not None and b1_score < 0:
        errors["b1_score"] = "Điểm B1 không được âm."
    if income_per_capita is None and b1_score is None:
        errors["income_per_capita"] = "Hãy nhập thu nhập bình quân hoặc điểm B1."
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
    "no_labour_capacity": False,
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
        "no_labour_capacity": assessment.no_labour_capacity,
        "has_meritorious_member": assessment.has_meritorious_member,
        "has_social_protection_member": assessment.has_social_protection_member,
        "reasons": None,  # None: the stored reasons stay as they are
        "notes": assessment.notes,
    }


@transaction.atomic
def assessment_save(*, acting_user, household, year, expected_version=None, change_reason=None, create_only=False,
                    **changes):
    """Create or update the household's assessment of `year`; recompute its class and later movements.

    `changes` are the inputs the caller gives (keys of INPUT_DEFAULTS). They are applied on top of the
    stored assessment, read and locked in this transaction: an input not given keeps its stored value
    (on creation, its default). `reasons=None` leaves the reasons as they are.
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

    assessment = Assessment.objects.select_for_update().filter(household=household, year=year).first()
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
    validate_inputs(standard=standard, year=year, income_per_capita=income_per_capita, b1_score=b1_score,
                    deprivations=deprivations)

    if assessment is None:
        commune_id, village_id = _placement(household, year)
        review_round = review_round_for(commune_id=commune_id, year=year)
        assessment = Assessment(household=household, year=year, commune_id=commune_id, village_id=village_id,
                                review_round=review_round, is_urban=household.commune.is_urban)
    if assessment.review_round.is_locked:
        raise RoundLockedError(assessment.review_round)

    assessment.standard = standard
    assessment.income_per_capita = income_per_capita
    assessment.b1_score = b1_score
    assessment.deprivations = deprivation_key(deprivations)
    assessment.deprivation_count = len(set(deprivations))
    assessment.no_labour_capacity = bool(inputs["no_labour_capacity"])
    assessment.has_meritorious_member = bool(inputs["has_meritorious_member"])
    assessment.has_social_protection_member = bool(inputs["has_social_protection_member"])
    assessment.is_ethnic_minority = household.ethnic_group.is_minority
    assessment.notes = inputs["notes"] or ""
    try:
        assessment.classification = classify(
            lines_of(standard, assessment.is_urban), deprivations=assessment.deprivation_count,
            income=income_per_capita, b1_score=b1_score,
        )
    except MissingInput as error:
        raise ValidationError({"income_per_capita": str(error)}) from error
    assessment.movement = _movement_for(household.pk, year, assessment.classification)
    assessment._history_user = acting_user
    if change_reason:
        assessment._change_reason = change_reason
    assessment.save()
    if inputs["reasons"] is not None:
        assessment.reasons.set(inputs["reasons"])
    household_movements_refresh(household_id=household.pk, from_year=year + 1)
    return assessment


def _movement_for(household_id, year, classification):
    earlier = dict(
        Assessment.objects.filter(household_id=household_id, year__lt=year).values_list("year", "classification")
    )
    poor_before = any(y < year - 1 and c == Classification.POOR for y, c in earlier.items())
    return movement(classification, earlier.get(year - 1), poor_before)


def household_movements_refresh(*, household_id, from_year):
    """Keep later years' movements right after an earlier year changed (derived data only)."""
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
    write_derived(changed, "Tính lại biến động do năm trước thay đổi")


def write_derived(rows, reason):
    """Derived fields (class, movement) are maintained by the system, also in locked rounds: the officer's
    inputs there never change, but what follows from an earlier year's correction must stay true."""
    if not rows:
        return
    plain = models.QuerySet(model=Assessment)  # bypasses the lock check of AssessmentQuerySet.update
    plain.bulk_update(rows, DERIVED, batch_size=1000)
    history = Assessment.history.model
    history.objects.bulk_create([
        history(**{f.attname: getattr(row, f.attname) for f in Assessment._meta.concrete_fields
                   if f.attname not in ("updated_at",)},
                history_date=timezone.now(), history_type="~", history_change_reason=reason)
        for row in rows
    ], batch_size=1000)


@transaction.atomic
def assessment_delete(*, acting_user, assessment):
    _check_editor(acting_user, assessment.commune_id)
    if assessment.review_round.is_locked:
        raise RoundLockedError(assessment.review_round)
    household_id, year = assessment.household_id, assessment.year
    assessment._history_user = acting_user
    assessment.delete()
    household_movements_refresh(household_id=household_id, from_year=year + 1)


@transaction.atomic
def year_reclassify(*, acting_user, year):
    """Re-classify every assessment of `year` (after a line changed), then the movements of that year and
    after. A bounded number of queries per year: reads in bulk, writes with bulk_update."""
    if role_of(acting_user) != Role.ADMIN:
        raise ValidationError({"year": "Chỉ quản trị viên được phân loại lại cả năm."})
    lines = all_lines()
    rows = list(Assessment.objects.filter(year=year))  # whole rows: the history copies every field
    changed = []
    for row in rows:
        new = classify(lines[(row.standard_id, row.is_urban)], deprivations=row.deprivation_count,
                       income=row.income_per_capita, b1_score=row.b1_score)
        if new != row.classification:
            row.classification = new
            changed.append(row)
    write_derived(changed, f"Phân loại lại năm {year}")
    movements_recompute(from_year=year)
    return len(changed)


def movements_recompute(*, from_year):
    """Movements of every year from `from_year` on, from three bulk reads per year."""
    years = sorted(set(Assessment.objects.filter(year__gte=from_year).values_list("year", flat=True)))
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
        write_derived(changed, f"Tính lại biến động năm {year}")


# --- review rounds -----------------------------------------------------------------------------------

def _require_role(user, roles, field="status"):
    if role_of(user) not in roles:
        raise ValidationError({field: "Vai trò của bạn không được thực hiện thao tác này."})


def _move_round(review_round, *, acting_user, status, reason_field=None, reason=None, change_reason):
    if not can_see_area(acting_user, review_round.commune_id):
        raise ValidationError({"commune": "Xã này không thuộc địa bàn của bạn."})
    review_round.status = status
    if reason_field:
        setattr(review_round, reason_field, reason)
    if status == RoundStatus.SUBMITTED:
        review_round.submitted_at = timezone.now()
    if status == RoundStatus.APPROVED:
        review_round.approved_at = timezone.now()
    review_round._change_reason = change_reason
    review_round._history_user = acting_user
    review_round.save()
    return review_round


@transaction.atomic
def round_submit(*, acting_user, review_round):
    _require_role(acting_user, {Role.COMMUNE_OFFICER, Role.ADMIN})
    if review_round.status != RoundStatus.OPEN:
        raise ValidationError({"status": "Chỉ gửi được đợt rà soát đang mở."})
    if not review_round.assessments.exists():
        raise ValidationError({"status": "Chưa có kết quả rà soát nào để gửi."})
    return _move_round(review_round, acting_user=acting_user, status=RoundStatus.SUBMITTED, change_reason="Gửi huyện")


@transaction.atomic
def round_approve(*, acting_user, review_round):
    _require_role(acting_user, {Role.DISTRICT_OFFICER, Role.ADMIN})
    if review_round.status != RoundStatus.SUBMITTED:
        raise ValidationError({"status": "Chỉ phê duyệt được đợt rà soát xã đã gửi."})
    return _move_round(review_round, acting_user=acting_user, status=RoundStatus.APPROVED, change_reason="Phê duyệt")


@transaction.atomic
def round_return(*, acting_user, review_round, reason):
    _require_role(acting_user, {Role.DISTRICT_OFFICER, Role.ADMIN})
    if review_round.status != RoundStatus.SUBMITTED:
        raise ValidationError({"status": "Chỉ trả lại được đợt rà soát xã đã gửi."})
    if not (reason or "").strip():
        raise ValidationError({"return_reason": "Hãy ghi lý do trả lại."})
    return _move_round(review_round, acting_user=acting_user, status=RoundStatus.OPEN, reason_field="return_reason",
                       reason=reason.strip(), change_reason=f"Trả lại: {reason.strip()}")


@transaction.atomic
def round_reopen(*, acting_user, review_round, reason):
    _require_role(acting_user, {Role.DISTRICT_OFFICER, Role.ADMIN})
    if review_round.status != RoundStatus.APPROVED:
        raise ValidationError({"status": "Chỉ mở lại được đợt rà soát đã phê duyệt."})
    if not (reason or "").strip():
        raise ValidationError({"reopen_reason": "Hãy ghi lý do mở lại."})
    return _move_round(review_round, acting_user=acting_user, status=RoundStatus.OPEN, reason_field="reopen_reason",
                       reason=reason.strip(), change_reason=f"Mở lại: {reason.strip()}")
