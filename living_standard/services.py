"""Writes of the average-living-standard procedure: the request, the determination of income, the chairman's
decision. Each in one transaction, with the audit trail (simple_history, `_history_user`) and the scope checked
on the household as stored, under its lock: the household first (the one lock order, docs/architecture.md),
then the procedure's rows.
"""
import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from areas.scoping import can_see_area
from households.models import FARM_LIVELIHOODS, Household, HouseholdStatus, Livelihood
from living_standard import rules
from living_standard.models import LivingStandardDecision, LivingStandardDetermination, LivingStandardRequest
from review.calendar import lists_year_of
from review.locks import check_editor, lock_household
from review.regular import may_recognise
from review.standards import lines_of, standard_for_year

FARM_NAMES = ", ".join(Livelihood(value).label.lower() for value in FARM_LIVELIHOODS)


def _locked_household(acting_user, household) -> Household:
    household_id = getattr(household, "pk", household)
    commune_id = Household.objects.filter(pk=household_id).values_list("commune_id", flat=True).first()
    if commune_id is None:
        raise ValidationError({"household": "Không có hộ này."})
    check_editor(acting_user, commune_id)
    return lock_household(household_id, commune_id)


def _day(value, field, label) -> datetime.date:
    if not isinstance(value, datetime.date):
        raise ValidationError({field: f"Hãy ghi {label} (ngày/tháng/năm)."})
    if value > timezone.localdate():
        raise ValidationError({field: f"{label.capitalize()} ({value:%d/%m/%Y}) chưa đến."})
    return value


@transaction.atomic
def request_save(*, acting_user, household, requested_on: datetime.date, note: str = "") -> LivingStandardRequest:
    """Record a household's request to be recognised as of average living standard. Only households living
    from agriculture, forestry, fishery or salt-making may apply (Decision 24/2021/QĐ-TTg, Art. 2(2))."""
    household = _locked_household(acting_user, household)
    day = _day(requested_on, "requested_on", "ngày nộp đơn")
    if household.status != HouseholdStatus.ACTIVE:
        raise ValidationError({"household": f"Hộ {household.code} không còn cư trú trong xã: không nhận đơn mới."})
    if household.livelihood not in FARM_LIVELIHOODS:
        raise ValidationError({"household": (
            f"Hộ {household.code} có sinh kế chính là {household.get_livelihood_display().lower()}: chỉ hộ làm "
            f"{FARM_NAMES} được xét hộ có mức sống trung bình (Quyết định 24/2021/QĐ-TTg, Điều 2 khoản 2).")})
    pending = LivingStandardRequest.objects.filter(household=household, determination__isnull=True).first()
    if pending is not None:
        raise ValidationError({"household": (
            f"Hộ {household.code} đã có đơn ngày {pending.requested_on:%d/%m/%Y} chưa xác định thu nhập: "
            "hãy xác định đơn đó.")})
    request = LivingStandardRequest(household=household, commune_id=household.commune_id,
                                    village_id=household.village_id, requested_on=day,
                                    livelihood=household.livelihood, note=" ".join(note.split())[:300])
    request._history_user = acting_user
    request.save()
    return request


def _lines(request, is_urban):
    standard = standard_for_year(lists_year_of(request.requested_on))
    lines = lines_of(standard, is_urban)
    if lines.average_line is None:
        area = "khu vực đô thị" if is_urban else "khu vực nông thôn"
        raise ValidationError({"total_income": (
            f"Chuẩn {standard} chưa có chuẩn mức sống trung bình cho {area}: quản trị viên nhập mức này ở trang "
            "Chuẩn nghèo (mục Chuẩn theo khu vực) trước khi xác định.")})
    return standard, lines


@transaction.atomic
def determination_save(*, acting_user, request: LivingStandardRequest, determined_on: datetime.date,
                       total_income: int, social_assistance: int = 0, members: int | None = None,
                       note: str = "") -> LivingStandardDetermination:
    """Determine the household's income on its actual income of the 12 months before the request, social
    assistance excluded, against the average-living-standard line of the standard in force on the request day
    (the lists of review year N apply in N + 1). `members` defaults to the household's members today."""
    household = _locked_household(acting_user, request.household_id)
    request = LivingStandardRequest.objects.select_for_update().get(pk=request.pk)
    if LivingStandardDetermination.objects.filter(request=request).exists():
        raise ValidationError({"request": "Đơn này đã được xác định thu nhập."})
    day = _day(determined_on, "determined_on", "ngày xác định thu nhập")
    if day < request.requested_on:
        raise ValidationError({"determined_on": "Ngày xác định thu nhập trước ngày nộp đơn."})
    if members is None:
        members = household.members.count()
    errors = rules.input_errors(total_income=total_income, social_assistance=social_assistance, members=members)
    if errors:
        raise ValidationError(errors)
    is_urban = household.commune.is_urban
    standard, lines = _lines(request, is_urban)
    outcome = rules.determine(total_income=total_income, social_assistance=social_assistance, members=members,
                              income_line=lines.income_line, average_line=lines.average_line)
    start, end = rules.income_period(request.requested_on)
    determination = LivingStandardDetermination(
        request=request, commune_id=request.commune_id, determined_on=day, period_start=start, period_end=end,
        members=members, total_income=total_income, social_assistance=social_assistance,
        income_per_capita=outcome.income_per_capita, standard=standard, is_urban=is_urban,
        income_line=lines.income_line, average_line=lines.average_line, meets=outcome.meets,
        note=" ".join(note.split())[:300])
    determination._history_user = acting_user
    determination.save()
    return determination


def check_recogniser(user, commune_id) -> None:
    """The commune chairman (or an administrator) of that commune recognises: the rule of the annual recognition."""
    if not may_recognise(user):
        raise PermissionDenied("Chỉ Chủ tịch (Phó Chủ tịch) UBND xã công nhận hộ có mức sống trung bình.")
    if not can_see_area(user, commune_id):
        raise ValidationError({"determination": "Hộ này không thuộc địa bàn của bạn."})


@transaction.atomic
def decision_record(*, acting_user, determination: LivingStandardDetermination, decision_number: str,
                    decision_date: datetime.date, notes: str = "") -> LivingStandardDecision:
    """The commune chairman's decision recognising the household of a determination that meets the line."""
    check_recogniser(acting_user, determination.commune_id)
    household = lock_household(determination.request.household_id, determination.commune_id)
    determination = LivingStandardDetermination.objects.select_for_update().get(pk=determination.pk)
    if LivingStandardDecision.objects.filter(determination=determination).exists():
        raise ValidationError({"determination": "Kết quả này đã có quyết định công nhận."})
    if not determination.meets:
        raise ValidationError({"determination": (
            f"Thu nhập bình quân {determination.income_per_capita:,} đồng/người/tháng không nằm trong khoảng trên "
            f"{determination.income_line:,} đến {determination.average_line:,}: hộ không đạt mức sống trung bình."
        ).replace(",", ".")})
    number = " ".join(str(decision_number or "").split())
    if not number:
        raise ValidationError({"decision_number": "Hãy ghi số quyết định công nhận."})
    day = _day(decision_date, "decision_date", "ngày quyết định")
    error = rules.decision_day_error(day, determination.determined_on, timezone.localdate())
    if error:
        raise ValidationError({"decision_date": error})
    decision = LivingStandardDecision(determination=determination, household=household,
                                      commune_id=determination.commune_id, village_id=household.village_id,
                                      decision_number=number[:50], decision_date=day, notes=notes or "")
    decision._history_user = acting_user
    decision.save()
    return decision
