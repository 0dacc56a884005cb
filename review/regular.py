"""The list to review and the regular (in-year) review (Decision 24/2021/QĐ-TTg).

- A household's written request (ReviewRequest) puts it on the list to review of the annual review it falls
  in: a request dated after the annual window closes (14 December by default) counts for the next year's.
- Between two annual reviews the commune chairman may recognise a household as poor, near-poor or out of
  poverty (RegularReview) by a decision of its own (number, date), effective from `effective_on`. It amends
  the lists in force that day, those of review year N = effective year − 1 (the lists of the review carried
  out in the autumn of N apply in N+1), without touching the annual round of N, which stays recognised and
  locked. The next annual review (N+1) starts from the class in force: its list to review is every household
  on the current poor and near-poor lists (the last annual result amended by the regular reviews) plus the
  households that applied.
- Annual movements keep comparing annual results year-end to year-end (the province tables' balance
  start − out + in = end holds); in-year changes have their own columns in as-of-date reports
  (reports/in_year.py).

Writes go through the functions below only, each in one transaction, with the scope and locks of
review.services: the review rounds they depend on are locked first (review.services lock order), then the
household's row; the scope is checked on the household as stored, under that lock.
"""
import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import BooleanField, Case, Exists, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from areas.scoping import can_see_area
from core.versioning import ConcurrentEditError
from households.models import Household, HouseholdStatus
from review.certificates import certificates_issue_for_household
from review.classification import MissingInput, classify
from review.models import (
    Assessment,
    Classification,
    Indicator,
    RegularReview,
    RequestKind,
    ReviewRequest,
    RoundStatus,
    deprivation_key,
)
from review.services import (
    _check_editor,
    _decision_date,
    _lock_rounds,
    lines_of,
    lock_open_rounds,
    round_steps,
    standard_for_year,
    validate_inputs,
)

POOR, NEAR_POOR, AVERAGE, NOT_POOR = (Classification.POOR, Classification.NEAR_POOR, Classification.AVERAGE,
                                     Classification.NOT_POOR)
LISTED = (POOR, NEAR_POOR)  # the classes whose households are on a list (and so on the next list to review)
# What a regular review may recognise: poor, near-poor, or out of both ("escaped": not poor). The average
# living standard is a class of the annual review only.
REGULAR_CLASSES = (POOR, NEAR_POOR, NOT_POOR)
# A decision signed today may take effect from a later day (the first of next month): at most this far ahead.
MAX_DAYS_AHEAD = 31
DEFAULT_WINDOW = ("09-01", "12-14")  # Decision 24/2021/QĐ-TTg: the periodic review runs 1 September – 14 December


# --- the calendar -----------------------------------------------------------------------------------

def _month_day(text, fallback):
    try:
        month, day = (int(part) for part in str(text).split("-"))
        datetime.date(2000, month, day)
        return month, day
    except (TypeError, ValueError):
        return _month_day(fallback, fallback) if text != fallback else (12, 14)


def review_window():
    """((month, day) the annual review opens, (month, day) it closes): the settings REVIEW_WINDOW_OPENS and
    REVIEW_WINDOW_CLOSES ("MM-DD"), else Decision 24's 1 September – 14 December."""
    opens = getattr(settings, "REVIEW_WINDOW_OPENS", DEFAULT_WINDOW[0])
    closes = getattr(settings, "REVIEW_WINDOW_CLOSES", DEFAULT_WINDOW[1])
    return _month_day(opens, DEFAULT_WINDOW[0]), _month_day(closes, DEFAULT_WINDOW[1])


def review_year_of(day):
    """The annual review a request dated `day` is considered in: that year's, or the next year's once the
    year's window has closed."""
    closes = datetime.date(day.year, *review_window()[1])
    return day.year + 1 if day > closes else day.year


def lists_year_of(day):
    """The review year whose lists are in force on `day`: the lists of review year N apply in N + 1."""
    return day.year - 1


# --- the class in force -------------------------------------------------------------------------------

def annotate_review_list(households, year):
    """Households annotated for the annual review of `year`:
    - `annual_class`: their result of review year − 1 (None when not reviewed then);
    - `regular_class`: the class of their latest regular review amending those lists (None when none);
    - `class_in_force`: what the review starts from, the regular review's class, else the annual one, else
      not poor;
    - `has_request`: a request for this year's review not yet decided by a regular review;
    - `on_review_list`: on the list to review (poor or near-poor now, or applied).
    One query whatever the number of households (correlated subqueries on indexed columns)."""
    annual = Assessment.objects.filter(household=OuterRef("pk"), year=year - 1).values("classification")[:1]
    regular = (RegularReview.objects.filter(household=OuterRef("pk"), year=year - 1)
               .order_by("-effective_on", "-pk").values("classification")[:1])
    # A request already decided by a regular review (one that cites it) is settled: it puts nobody on the list.
    requested = ReviewRequest.objects.filter(household=OuterRef("pk"), year=year, regular_reviews__isnull=True)
    return households.annotate(
        annual_class=Subquery(annual), regular_class=Subquery(regular), has_request=Exists(requested),
    ).annotate(
        class_in_force=Coalesce("regular_class", "annual_class", Value(NOT_POOR)),
    ).annotate(
        on_review_list=Case(When(Q(class_in_force__in=LISTED) | Q(has_request=True), then=Value(True)),
                            default=Value(False), output_field=BooleanField()),
    )


def households_to_review(commune, year, households=None):
    """The list to review of a commune's annual review of `year`: its active households on the poor and
    near-poor lists in force (the result of review year − 1 amended by the regular reviews since) and those
    with a request for this review. `households`: the queryset to start from (a user's visible households)."""
    commune_id = getattr(commune, "pk", commune)
    base = households if households is not None else Household.objects.all()
    return annotate_review_list(base.active().filter(commune_id=commune_id), year).filter(on_review_list=True)


def class_in_force_on(household, day):
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


# --- requests -------------------------------------------------------------------------------------------

REQUEST_FIELDS = ("kind", "requested_on", "year", "note")


def _as_date(value, field, label, errors=None):
    """A date from a date, or text as "2025-03-15" or "15/03/2025"; None when empty. Unreadable: the error
    goes into `errors` under `field` (None returned), or is raised when no `errors` is given."""
    if value in (None, ""):
        return None
    try:
        return _decision_date(value)
    except ValidationError:
        message = f"{label} không hợp lệ: hãy ghi ngày/tháng/năm (ví dụ 15/03/2025)."
        if errors is None:
            raise ValidationError({field: message}) from None
        errors[field] = message
        return None


def _locked_household(household_id, commune_id):
    """The stored household, locked, checked still in the commune whose rounds were locked for it."""
    household = Household.objects.select_for_update().select_related("commune").get(pk=household_id)
    if household.commune_id != commune_id:
        raise ValidationError({"household": f"Hộ {household.code} vừa được chuyển sang xã khác: hãy tải lại trang."})
    return household


@transaction.atomic
def request_save(*, acting_user, household, data, instance=None, expected_version=None):
    """Record (or correct) a household's written request to be reviewed. `data`: keys of REQUEST_FIELDS;
    those not given keep their stored values (on creation: kind "enter", year = the review the date falls in).

    Officers of the household's commune (the editing roles) write; the round of the request's year is locked
    and checked under the lock: a request for a review already recognised is history and stays as it is."""
    unknown = sorted(set(data) - set(REQUEST_FIELDS))
    if unknown:
        raise TypeError(f"request_save() got unexpected field(s): {', '.join(unknown)}")
    household_id = getattr(household, "pk", household)
    if instance is not None:
        household_id = instance.household_id
    stored_commune = Household.objects.filter(pk=household_id).values_list("commune_id", flat=True).first()
    if stored_commune is None:
        raise ValidationError({"household": "Không có hộ này."})
    _check_editor(acting_user, stored_commune)

    values = {"kind": RequestKind.ENTER, "requested_on": None, "year": None, "note": ""} if instance is None else {
        "kind": instance.kind, "requested_on": instance.requested_on, "year": instance.year, "note": instance.note}
    old_year = values["year"]
    values.update(data)
    errors = {}
    day = _as_date(values["requested_on"], "requested_on", "Ngày nộp đơn", errors)
    if "requested_on" not in errors:  # unreadable: said already
        if day is None:
            errors["requested_on"] = "Hãy ghi ngày hộ nộp đơn đề nghị."
        elif day > timezone.localdate():
            errors["requested_on"] = f"Ngày nộp đơn ({day:%d/%m/%Y}) chưa đến: hãy ghi ngày hộ đã nộp."
        elif day.year <= 2000:
            errors["requested_on"] = "Ngày nộp đơn không hợp lệ."
    if values["kind"] not in RequestKind.values:
        errors["kind"] = "Loại đề nghị không hợp lệ."
    note = " ".join(str(values["note"] or "").split())
    if len(note) > ReviewRequest._meta.get_field("note").max_length:
        errors["note"] = "Ghi chú không quá 300 ký tự."
    year = None
    if "requested_on" not in errors:
        # The review the date falls in; a year the caller names must be that one (a corrected date moves the
        # request to its review).
        year = review_year_of(day)
        given = data.get("year")
        if given not in (None, "") and str(given).strip() != str(year):
            opens, closes = review_window()
            errors["year"] = (
                f"Đơn nộp ngày {day:%d/%m/%Y} được xét trong kỳ rà soát năm {year} (kỳ rà soát hằng năm từ "
                f"{opens[1]:02d}/{opens[0]:02d} đến {closes[1]:02d}/{closes[0]:02d}; đơn nộp sau đó được xét ở kỳ "
                "năm sau). Hãy để trống năm hoặc ghi đúng năm đó.")
    if errors:
        raise ValidationError(errors)

    # Locks: the rounds first (review.services' order), then the household and the request.
    years = {year} | ({old_year} if old_year and old_year != year else set())
    lock_open_rounds([(stored_commune, y) for y in years], create_missing=False)
    household = _locked_household(household_id, stored_commune)
    if household.status != HouseholdStatus.ACTIVE and instance is None:
        raise ValidationError({"household": f"Hộ {household.code} không còn cư trú trong xã: không nhận đơn mới."})
    if instance is not None:
        stored = ReviewRequest.objects.select_for_update().filter(pk=instance.pk).first()
        if stored is None:
            raise ValidationError({"household": "Đơn đề nghị này vừa bị xoá."})
        if expected_version is not None and stored.version != int(expected_version):
            raise ConcurrentEditError(
                f"Đơn đề nghị của hộ {household.code} vừa được người khác sửa (phiên bản hiện tại là {stored.version}, "
                f"bạn sửa trên phiên bản {int(expected_version)}). Thay đổi của bạn chưa được lưu: hãy tải lại.")
        request = stored
    else:
        request = ReviewRequest(household=household, commune_id=household.commune_id)
    same = ReviewRequest.objects.filter(household=household, year=year, kind=values["kind"]).exclude(pk=request.pk)
    twin = same.first()
    if twin is not None:
        raise ValidationError({"kind": (
            f"Hộ {household.code} đã có {twin.get_kind_display().lower()} cho kỳ rà soát năm {year} (nộp ngày "
            f"{twin.requested_on:%d/%m/%Y}): hãy sửa đơn đó.")})
    request.kind, request.requested_on, request.year, request.note = values["kind"], day, year, note
    request._history_user = acting_user
    request.save()
    return request


@transaction.atomic
def request_delete(*, acting_user, request):
    """Delete a request (one entered by mistake). Refused once its review is recognised, or while a regular
    review cites it (409 over the API)."""
    _check_editor(acting_user, request.commune_id)
    lock_open_rounds([(request.commune_id, request.year)], create_missing=False)
    request._history_user = acting_user
    request.delete()


# --- regular (in-year) recognition -----------------------------------------------------------------------

def may_recognise(user):
    """Whether the user's role recognises (the commune chairman, or an administrator): the same rule as the
    recognition of an annual round (review.services.ROUND_STEPS["recognise"])."""
    return "recognise" in round_steps(user)


def _recognition_day(review_round):
    if review_round.decision_date:
        return review_round.decision_date
    if review_round.approved_at:
        return timezone.localtime(review_round.approved_at).date()
    return None


def _check_inputs(standard, year, is_urban, classification, income, b1, deprivations):
    """The optional survey figures of the regular review (Phiếu B): valid for the standard of the lists it
    amends, and when an income or a B1 score is given, leading to the class recognised."""
    if income is None and b1 is None:
        valid = set(Indicator.objects.filter(standard=standard).values_list("code", flat=True))
        unknown = sorted(set(deprivations) - valid, key=lambda code: (len(code), code))
        if unknown:
            raise ValidationError({"deprivations": (
                f"Chỉ số {', '.join(unknown)} không thuộc chuẩn {standard.code} áp dụng cho danh sách năm {year}.")})
        return
    lines = lines_of(standard, is_urban)
    validate_inputs(standard=standard, year=year, income_per_capita=income, b1_score=b1, deprivations=deprivations,
                    lines=lines)
    try:
        computed = classify(lines, deprivations=len(set(deprivations)), income=income, b1_score=b1)
    except MissingInput as error:
        raise ValidationError({"income_per_capita": str(error)}) from error
    computed = NOT_POOR if computed == AVERAGE else computed
    if computed != classification:
        raise ValidationError({"classification": (
            f"Theo thu nhập (điểm B1) và {len(set(deprivations))} chỉ số thiếu hụt đã nhập, hộ thuộc diện "
            f"“{Classification(computed).label.lower()}”, không phải “{Classification(classification).label.lower()}”"
            f" (chuẩn {standard.code}). Hãy kiểm tra lại số liệu hoặc phân loại.")})


@transaction.atomic
def regular_recognise(*, acting_user, household, classification, effective_on, decision_number, decision_date,
                      request=None, income_per_capita=None, b1_score=None, deprivations=(), notes=""):
    """The commune chairman recognises, between two annual reviews, `household` as poor, near-poor or out of
    poverty (not poor), by a decision (number, date), effective from `effective_on`.

    It amends the lists in force that day, those of review year N = effective year − 1, whose annual round
    must be recognised (and stays as it is, locked). The class it changes from is the one in force just before
    `effective_on`: the household's annual result of N, then its regular reviews since. Refused: a role other
    than the chairman's (or an administrator's); a household out of the user's area or no longer living
    there; the same class as before; an effective date before the lists' recognition decision, before this
    decision, more than MAX_DAYS_AHEAD days ahead, on or before a regular review already recorded, or after the
    next annual review is recognised; a decision without number or date, or dated in the future.
    A household recognised poor or near-poor receives the certificate of the standard if it has none."""
    if not may_recognise(acting_user):
        raise PermissionDenied("Chỉ Chủ tịch (Phó Chủ tịch) UBND xã công nhận kết quả rà soát thường xuyên.")
    household_id = getattr(household, "pk", household)
    stored_commune = Household.objects.filter(pk=household_id).values_list("commune_id", flat=True).first()
    if stored_commune is None:
        raise ValidationError({"household": "Không có hộ này."})
    if not can_see_area(acting_user, stored_commune):
        raise ValidationError({"household": "Hộ này không thuộc địa bàn của bạn."})

    errors = {}
    today = timezone.localdate()
    number = " ".join(str(decision_number or "").split())
    if not number:
        errors["decision_number"] = "Hãy ghi số quyết định công nhận của Chủ tịch UBND xã (ví dụ 15/QĐ-UBND)."
    elif len(number) > RegularReview._meta.get_field("decision_number").max_length:
        errors["decision_number"] = "Số quyết định không quá 50 ký tự."
    signed = _as_date(decision_date, "decision_date", "Ngày quyết định", errors)
    if "decision_date" not in errors:  # unreadable: said already
        if signed is None:
            errors["decision_date"] = "Hãy ghi ngày ký quyết định."
        elif signed > today:
            errors["decision_date"] = f"Ngày quyết định ({signed:%d/%m/%Y}) chưa đến: hãy ghi ngày đã ký."
    day = _as_date(effective_on, "effective_on", "Ngày có hiệu lực", errors)
    if "effective_on" not in errors:  # unreadable: said already
        if day is None:
            errors["effective_on"] = "Hãy ghi ngày quyết định có hiệu lực."
        elif day > today + datetime.timedelta(days=MAX_DAYS_AHEAD):
            errors["effective_on"] = (f"Ngày có hiệu lực ({day:%d/%m/%Y}) quá {MAX_DAYS_AHEAD} ngày sau hôm nay: chỉ ghi "
                                      "quyết định đã ký.")
        elif day.year <= 2000:
            errors["effective_on"] = "Ngày có hiệu lực không hợp lệ."
        elif signed is not None and day < signed:
            errors["effective_on"] = (f"Quyết định có hiệu lực từ ngày ký trở đi: ngày có hiệu lực ({day:%d/%m/%Y}) "
                                      f"trước ngày ký ({signed:%d/%m/%Y}).")
    if classification not in REGULAR_CLASSES:
        errors["classification"] = ("Rà soát thường xuyên công nhận hộ nghèo, hộ cận nghèo hoặc hộ thoát nghèo, thoát "
                                    "cận nghèo (hộ không nghèo); hộ có mức sống trung bình chỉ xác định trong kỳ rà "
                                    "soát định kỳ.")
    deprivations = [str(code).strip() for code in deprivations or () if str(code).strip()]
    if errors:
        raise ValidationError(errors)

    year = lists_year_of(day)
    standard = standard_for_year(year)
    # Locks: the rounds this depends on (the lists' round, under a former commune where the household was
    # reviewed before a merger, and the commune's next annual round: a reopening or a recognition in flight is
    # waited for), then the household.
    filed_in = Assessment.objects.filter(household_id=household_id, year=year).values_list(
        "review_round_id", flat=True).first()
    rounds = _lock_rounds(Q(commune_id=stored_commune, year__in=[year, year + 1]) | Q(pk=filed_in or 0))
    household = _locked_household(household_id, stored_commune)
    if household.status != HouseholdStatus.ACTIVE:
        raise ValidationError({"household": f"Hộ {household.code} không còn cư trú trong xã."})
    previous, last_review, assessment = class_in_force_on(household, day)
    by_pk = {r.pk: r for r in rounds}
    lists_round = by_pk.get(assessment.review_round_id) if assessment is not None else next(
        (r for r in rounds if (r.commune_id, r.year) == (stored_commune, year)), None)
    if lists_round is None and assessment is not None:  # filed meanwhile under another round
        lists_round = _lock_rounds(Q(pk=assessment.review_round_id))[0]
    if lists_round is None or lists_round.status != RoundStatus.APPROVED:
        raise ValidationError({"effective_on": (
            f"Danh sách hộ nghèo, hộ cận nghèo năm {year} của xã chưa được công nhận: rà soát thường xuyên năm "
            f"{year + 1} điều chỉnh danh sách đã công nhận đó.")})
    recognised_on = _recognition_day(lists_round)
    if recognised_on is not None and day < recognised_on:
        errors["effective_on"] = (f"Ngày có hiệu lực ({day:%d/%m/%Y}) trước ngày công nhận danh sách năm {year} "
                                  f"({recognised_on:%d/%m/%Y}).")
    if recognised_on is not None and signed < recognised_on:
        errors["decision_date"] = (f"Quyết định ký ngày {signed:%d/%m/%Y}, trước khi danh sách năm {year} được công "
                                   f"nhận ({recognised_on:%d/%m/%Y}).")
    next_round = next((r for r in rounds if (r.commune_id, r.year) == (stored_commune, year + 1)), None)
    next_day = _recognition_day(next_round) if next_round is not None and next_round.is_locked else None
    if next_day is not None and day >= next_day:
        errors["effective_on"] = (
            f"Kết quả rà soát định kỳ năm {year + 1} đã được công nhận ngày {next_day:%d/%m/%Y} (áp dụng từ "
            f"01/01/{year + 2}): hộ được xét trong kỳ đó, quyết định có hiệu lực từ ngày đó trở đi không điều chỉnh "
            f"danh sách năm {year}.")
    later = RegularReview.objects.filter(household=household, year=year, effective_on__gte=day).order_by(
        "-effective_on").first()
    if later is not None:
        errors["effective_on"] = (
            f"Hộ {household.code} đã có quyết định rà soát thường xuyên số {later.decision_number} có hiệu lực từ "
            f"{later.effective_on:%d/%m/%Y}: quyết định mới phải có hiệu lực sau ngày đó.")
    if previous == classification or (classification == NOT_POOR and previous == AVERAGE):
        errors["classification"] = (
            f"Hộ {household.code} đang là “{Classification(previous).label.lower()}” (theo "
            f"{'quyết định ' + last_review.decision_number if last_review else f'kết quả rà soát năm {year}'}): "
            "không có gì thay đổi để công nhận.")
    if request is not None:
        request = request if isinstance(request, ReviewRequest) else ReviewRequest.objects.filter(pk=request).first()
        if request is None or request.household_id != household.pk:
            errors["request"] = "Đơn đề nghị này không phải của hộ."
    if errors:
        raise ValidationError(errors)
    is_urban = assessment.is_urban if assessment is not None else household.commune.is_urban
    _check_inputs(standard, year, is_urban, classification, income_per_capita, b1_score,
                  deprivations)

    review = RegularReview(
        household=household, commune_id=household.commune_id, village_id=household.village_id, year=year,
        request=request, previous_classification=previous, classification=classification,
        income_per_capita=income_per_capita, b1_score=b1_score, deprivations=deprivation_key(deprivations),
        deprivation_count=len(set(deprivations)), effective_on=day, decision_number=number, decision_date=signed,
        notes=str(notes or "").strip())
    review._history_user = acting_user
    review._change_reason = f"Rà soát thường xuyên: QĐ {number} ngày {signed:%d/%m/%Y}"[:100]
    review.save()
    if classification in LISTED:
        _issue_certificate(review, standard, acting_user)
    return review


def _issue_certificate(review, standard, acting_user):
    """The certificate of the standard (review.certificates): the one the household holds, else a new one."""
    certificate, _ = certificates_issue_for_household(
        review.household, standard, review.commune_id, review.decision_date, acting_user=acting_user,
        reason=f"Cấp giấy chứng nhận (rà soát thường xuyên, QĐ {review.decision_number})")
    return certificate


@transaction.atomic
def regular_review_revoke(*, acting_user, review, reason):
    """Remove a regular review recorded by mistake (the audit trail keeps it, with the reason): the latest of
    the household's for its lists only, by the chairman or an administrator."""
    if not may_recognise(acting_user):
        raise PermissionDenied("Chỉ Chủ tịch (Phó Chủ tịch) UBND xã huỷ được kết quả rà soát thường xuyên.")
    if not can_see_area(acting_user, review.commune_id):
        raise ValidationError({"household": "Hộ này không thuộc địa bàn của bạn."})
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise ValidationError({"reason": "Hãy ghi lý do huỷ."})
    _lock_rounds(Q(commune_id=review.commune_id, year__in=[review.year, review.year + 1]))
    Household.objects.select_for_update().filter(pk=review.household_id).first()
    later = RegularReview.objects.filter(household_id=review.household_id, year=review.year).exclude(
        pk=review.pk).filter(Q(effective_on__gt=review.effective_on)
                             | Q(effective_on=review.effective_on, pk__gt=review.pk)).first()
    if later is not None:
        raise ValidationError({"reason": (
            f"Chỉ huỷ được quyết định sau cùng của hộ: đã có quyết định {later.decision_number} có hiệu lực từ "
            f"{later.effective_on:%d/%m/%Y}.")})
    review._history_user = acting_user
    review._change_reason = f"Huỷ: {reason}"[:100]
    review.delete()
