"""The regular (in-year) review (Decision 24/2021/QĐ-TTg).

- Between two annual reviews the commune chairman may recognise a household as poor, near-poor or out of
  poverty (RegularReview) by a decision of its own (number, date), effective from `effective_on`. It amends
  the lists in force that day, those of review year N = effective year − 1 (the lists of the review carried
  out in the autumn of N apply in N+1), without touching the annual round of N, which stays recognised and
  locked. The next annual review (N+1) starts from the class in force (review.selectors: the list to review).
- Annual movements keep comparing annual results year-end to year-end (the province tables' balance
  start − out + in = end holds); in-year changes have their own columns in as-of-date reports
  (reports/in_year.py).
- The requests that put a household on the list to review: review.requests. The calendar: review.calendar.

Writes go through the functions below only, each in one transaction, with the scope and locks of
review.locks: the review rounds they depend on are locked first, then the household's row; the scope is
checked on the household as stored, under that lock.
"""
import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from areas.scoping import can_see_area
from households.models import Household, HouseholdStatus
from review.assessments import validate_inputs
from review.calendar import lists_year_of
from review.certificates import certificates_issue_for_household
from review.classification import MissingInput, classify
from review.locks import lock_household, lock_households, lock_rounds
from review.models import Assessment, Classification, Indicator, RegularReview, ReviewRequest, deprivation_key
from review.regular_requests import regular_blockers
from review.requests import as_date
from review.rounds import may_recognise
from review.selectors import LISTED, class_in_force_on
from review.standards import lines_of, standard_for_year

POOR, NEAR_POOR, AVERAGE, NOT_POOR = (Classification.POOR, Classification.NEAR_POOR, Classification.AVERAGE,
                                     Classification.NOT_POOR)
# What a regular review may recognise: poor, near-poor, or out of both ("escaped": not poor). The average
# living standard has its own procedure (living_standard).
REGULAR_CLASSES = (POOR, NEAR_POOR, NOT_POOR)
# A decision signed today may take effect from a later day (the first of next month): at most this far ahead.
MAX_DAYS_AHEAD = 31


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


def _decision_errors(decision_number, decision_date, errors):
    """(number, signed): the decision's number and date, their errors put in `errors`."""
    number = " ".join(str(decision_number or "").split())
    if not number:
        errors["decision_number"] = "Hãy ghi số quyết định công nhận của Chủ tịch UBND xã (ví dụ 15/QĐ-UBND)."
    elif len(number) > RegularReview._meta.get_field("decision_number").max_length:
        errors["decision_number"] = "Số quyết định không quá 50 ký tự."
    signed = as_date(decision_date, "decision_date", "Ngày quyết định", errors)
    if "decision_date" not in errors:  # unreadable: said already
        if signed is None:
            errors["decision_date"] = "Hãy ghi ngày ký quyết định."
        elif signed > timezone.localdate():
            errors["decision_date"] = f"Ngày quyết định ({signed:%d/%m/%Y}) chưa đến: hãy ghi ngày đã ký."
    return number, signed


def _effective_error(day, signed):
    if day is None:
        return "Hãy ghi ngày quyết định có hiệu lực."
    if day > timezone.localdate() + datetime.timedelta(days=MAX_DAYS_AHEAD):
        return (f"Ngày có hiệu lực ({day:%d/%m/%Y}) quá {MAX_DAYS_AHEAD} ngày sau hôm nay: chỉ ghi "
                "quyết định đã ký.")
    if day.year <= 2000:
        return "Ngày có hiệu lực không hợp lệ."
    if signed is not None and day < signed:
        return (f"Quyết định có hiệu lực từ ngày ký trở đi: ngày có hiệu lực ({day:%d/%m/%Y}) "
                f"trước ngày ký ({signed:%d/%m/%Y}).")
    return None


def _checked_decision(classification, effective_on, decision_number, decision_date):
    """(number, signed, day) of the decision, else ValidationError with every error."""
    errors = {}
    number, signed = _decision_errors(decision_number, decision_date, errors)
    day = as_date(effective_on, "effective_on", "Ngày có hiệu lực", errors)
    if "effective_on" not in errors:  # unreadable: said already
        error = _effective_error(day, signed)
        if error:
            errors["effective_on"] = error
    if classification not in REGULAR_CLASSES:
        errors["classification"] = ("Rà soát thường xuyên công nhận hộ nghèo, hộ cận nghèo hoặc hộ thoát nghèo, thoát "
                                    "cận nghèo (hộ không nghèo); hộ có mức sống trung bình được công nhận theo thủ "
                                    "tục riêng (đơn đề nghị của hộ nông, lâm, ngư, diêm nghiệp).")
    if errors:
        raise ValidationError(errors)
    return number, signed, day


def _lists_round(rounds, assessment, commune_id, year):
    """The recognised round whose lists the review amends (locked), else ValidationError."""
    by_pk = {r.pk: r for r in rounds}
    lists_round = by_pk.get(assessment.review_round_id) if assessment is not None else next(
        (r for r in rounds if (r.commune_id, r.year) == (commune_id, year)), None)
    if lists_round is None and assessment is not None:  # filed meanwhile under another round
        lists_round = lock_rounds(Q(pk=assessment.review_round_id))[0]
    if lists_round is None or not lists_round.is_locked:
        raise ValidationError({"effective_on": (
            f"Danh sách hộ nghèo, hộ cận nghèo năm {year} của xã chưa được công nhận: rà soát thường xuyên năm "
            f"{year + 1} điều chỉnh danh sách đã công nhận đó.")})
    return lists_round


def _timing_errors(day, signed, lists_round, next_round, household, year):
    """The effective date and the decision against the lists' recognition, the next annual review's, and the
    household's regular reviews already recorded."""
    errors = {}
    recognised_on = _recognition_day(lists_round)
    if recognised_on is not None and day < recognised_on:
        errors["effective_on"] = (f"Ngày có hiệu lực ({day:%d/%m/%Y}) trước ngày công nhận danh sách năm {year} "
                                  f"({recognised_on:%d/%m/%Y}).")
    if recognised_on is not None and signed < recognised_on:
        errors["decision_date"] = (f"Quyết định ký ngày {signed:%d/%m/%Y}, trước khi danh sách năm {year} được công "
                                   f"nhận ({recognised_on:%d/%m/%Y}).")
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
    return errors


def _same_class_error(previous, classification, last_review, household, year):
    if previous == classification or (classification == NOT_POOR and previous == AVERAGE):
        return (f"Hộ {household.code} đang là “{Classification(previous).label.lower()}” (theo "
                f"{'quyết định ' + last_review.decision_number if last_review else f'kết quả rà soát năm {year}'}): "
                "không có gì thay đổi để công nhận.")
    return None


def _household_request(request, household):
    """The request the review cites (an instance or its id), None when none; False when not the household's."""
    if request is None:
        return None
    # Locked (after the household and rounds: review.locks' order) and read as stored: a refusal in flight waits.
    request = ReviewRequest.objects.select_for_update().filter(pk=getattr(request, "pk", request)).first()
    return request if request is not None and request.household_id == household.pk else False


def _request_errors(request, signed):
    """A decision answering a Mẫu 04 request comes after its survey, village meeting and posting
    (review.regular_requests); a Mẫu 01 request is the periodic review's; an answered request is closed."""
    if not request.is_regular:
        return {"request": (f"Đơn số {request.pk} là Mẫu số 01, được xét trong kỳ rà soát định kỳ năm {request.year}: "
                            "quyết định rà soát thường xuyên trả lời đơn Mẫu số 04.")}
    if request.refused_on:
        return {"request": f"Đơn số {request.pk} đã được trả lời không công nhận ngày {request.refused_on:%d/%m/%Y}."}
    if RegularReview.objects.filter(request=request).exists():
        return {"request": f"Đơn số {request.pk} đã có quyết định công nhận."}
    return regular_blockers(request, signed)


def _stored_commune(acting_user, household_id):
    stored_commune = Household.objects.filter(pk=household_id).values_list("commune_id", flat=True).first()
    if stored_commune is None:
        raise ValidationError({"household": "Không có hộ này."})
    if not can_see_area(acting_user, stored_commune):
        raise ValidationError({"household": "Hộ này không thuộc địa bàn của bạn."})
    return stored_commune


@transaction.atomic
def regular_recognise(*, acting_user, household, classification, effective_on, decision_number, decision_date,
                      request=None, income_per_capita=None, b1_score=None, deprivations=(),
                      notes="") -> RegularReview:
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
    stored_commune = _stored_commune(acting_user, household_id)
    number, signed, day = _checked_decision(classification, effective_on, decision_number, decision_date)
    deprivations = [str(code).strip() for code in deprivations or () if str(code).strip()]

    year = lists_year_of(day)
    standard = standard_for_year(year)
    # Locks: the household, then the rounds this depends on (the lists' round, under a former commune where
    # the household was reviewed before a merger, and the commune's next annual round: a reopening or a
    # recognition in flight is waited for), in review.locks' order.
    household = lock_household(household_id, stored_commune)
    filed_in = Assessment.objects.filter(household_id=household_id, year=year).values_list(
        "review_round_id", flat=True).first()
    rounds = lock_rounds(Q(commune_id=stored_commune, year__in=[year, year + 1]) | Q(pk=filed_in or 0))
    if household.status != HouseholdStatus.ACTIVE:
        raise ValidationError({"household": f"Hộ {household.code} không còn cư trú trong xã."})
    previous, last_review, assessment = class_in_force_on(household, day)
    lists_round = _lists_round(rounds, assessment, stored_commune, year)
    next_round = next((r for r in rounds if (r.commune_id, r.year) == (stored_commune, year + 1)), None)
    errors = _timing_errors(day, signed, lists_round, next_round, household, year)
    same = _same_class_error(previous, classification, last_review, household, year)
    if same:
        errors["classification"] = same
    request = _household_request(request, household)
    if request is False:
        errors["request"] = "Đơn đề nghị này không phải của hộ."
    elif request is not None:
        errors.update(_request_errors(request, signed))
    if errors:
        raise ValidationError(errors)
    is_urban = assessment.is_urban if assessment is not None else household.commune.is_urban
    _check_inputs(standard, year, is_urban, classification, income_per_capita, b1_score, deprivations)

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
def regular_review_revoke(*, acting_user, review: RegularReview, reason) -> None:
    """Remove a regular review recorded by mistake (the audit trail keeps it, with the reason): the latest of
    the household's for its lists only, by the chairman or an administrator."""
    if not may_recognise(acting_user):
        raise PermissionDenied("Chỉ Chủ tịch (Phó Chủ tịch) UBND xã huỷ được kết quả rà soát thường xuyên.")
    if not can_see_area(acting_user, review.commune_id):
        raise ValidationError({"household": "Hộ này không thuộc địa bàn của bạn."})
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise ValidationError({"reason": "Hãy ghi lý do huỷ."})
    lock_households([review.household_id])  # the household, then its rounds (review.locks)
    lock_rounds(Q(commune_id=review.commune_id, year__in=[review.year, review.year + 1]))
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
