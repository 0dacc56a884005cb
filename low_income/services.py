"""Writes of the low-income-worker procedure: the application, the determination, the commune's confirmation.
Each in one transaction with the audit trail (simple_history, `_history_user`); the household is locked first
(households.services.lock_households: the one lock order, docs/architecture.md) and the scope is checked on the
household as stored, under that lock; then the procedure's rows.
"""
import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from areas.scoping import can_see_area
from households.models import Household, HouseholdStatus, Member
from households.services import lock_households
from low_income import rules
from low_income.models import LowIncomeApplication, LowIncomeConfirmation, LowIncomeDetermination, LowIncomeThreshold
from review.locks import check_editor
from review.regular import may_recognise
from review.selectors import class_in_force_on


def _locked_household(household_id, commune_id) -> Household:
    lock_households([household_id])
    household = Household.objects.select_related("commune").get(pk=household_id)
    if household.commune_id != commune_id:
        raise ValidationError({"member": f"Hộ {household.code} vừa được chuyển sang xã khác: hãy tải lại trang."})
    return household


def _day(value, field, label) -> datetime.date:
    if not isinstance(value, datetime.date):
        raise ValidationError({field: f"Hãy ghi {label} (ngày/tháng/năm)."})
    if value > timezone.localdate():
        raise ValidationError({field: f"{label.capitalize()} ({value:%d/%m/%Y}) chưa đến."})
    return value


def threshold_on(day: datetime.date) -> LowIncomeThreshold:
    """The lines in force on `day` (data an administrator edits); refused when none covers the day."""
    threshold = (LowIncomeThreshold.objects.filter(valid_from__lte=day).exclude(valid_to__lt=day)
                 .order_by("-valid_from").first())
    if threshold is None:
        raise ValidationError({"income_per_month": (
            f"Chưa có mức thu nhập thấp áp dụng ngày {day:%d/%m/%Y}: quản trị viên nhập mức này ở trang "
            "Mức thu nhập thấp.")})
    return threshold


@transaction.atomic
def application_save(*, acting_user, member, applied_on: datetime.date, note: str = "") -> LowIncomeApplication:
    """Record a worker's application to be identified as a worker with low income."""
    member_id = getattr(member, "pk", member)
    row = Member.objects.filter(pk=member_id).values_list("household_id", "household__commune_id").first()
    if row is None:
        raise ValidationError({"member": "Không có người này."})
    check_editor(acting_user, row[1])
    household = _locked_household(row[0], row[1])
    member = Member.objects.get(pk=member_id)
    if member.household_id != household.pk:
        raise ValidationError({"member": "Người này vừa được chuyển sang hộ khác: hãy tải lại trang."})
    day = _day(applied_on, "applied_on", "ngày nộp đơn")
    if household.status != HouseholdStatus.ACTIVE:
        raise ValidationError({"member": f"Hộ {household.code} không còn cư trú trong xã: không nhận đơn mới."})
    pending = LowIncomeApplication.objects.filter(member=member, determination__isnull=True).first()
    if pending is not None:
        raise ValidationError({"member": (
            f"{member.full_name} đã có đơn ngày {pending.applied_on:%d/%m/%Y} chưa xác định thu nhập.")})
    application = LowIncomeApplication(member=member, household=household, commune_id=household.commune_id,
                                       village_id=household.village_id, applied_on=day,
                                       note=" ".join(note.split())[:300])
    application._history_user = acting_user
    application.save()
    return application


@transaction.atomic
def determination_save(*, acting_user, application: LowIncomeApplication, determined_on: datetime.date,
                       income_per_month: int, note: str = "") -> LowIncomeDetermination:
    """Determine the worker's income per month; refused when the household's class in force on the application
    day is poor or near-poor, or when the income is above the line of its area on that day."""
    check_editor(acting_user, application.commune_id)
    household = _locked_household(application.household_id, application.commune_id)
    application = LowIncomeApplication.objects.select_for_update().get(pk=application.pk)
    if LowIncomeDetermination.objects.filter(application=application).exists():
        raise ValidationError({"application": "Đơn này đã được xác định thu nhập."})
    day = _day(determined_on, "determined_on", "ngày xác định thu nhập")
    if day < application.applied_on:
        raise ValidationError({"determined_on": "Ngày xác định thu nhập trước ngày nộp đơn."})
    household_class = class_in_force_on(household, application.applied_on)[0]
    error = rules.class_error(household_class)
    if error:
        raise ValidationError({"application": error})
    threshold = threshold_on(application.applied_on)
    is_urban = household.commune.is_urban
    line = rules.line_for(threshold, is_urban)
    error = rules.income_error(income_per_month, line, is_urban)
    if error:
        raise ValidationError({"income_per_month": error})
    determination = LowIncomeDetermination(
        application=application, commune_id=application.commune_id, determined_on=day,
        income_per_month=income_per_month, household_class=household_class, threshold=threshold, is_urban=is_urban,
        income_line=line, note=" ".join(note.split())[:300])
    determination._history_user = acting_user
    determination.save()
    return determination


def check_confirmer(user, commune_id) -> None:
    """The commune chairman (or an administrator) of that commune signs the list: the rule of the recognition."""
    if not may_recognise(user):
        raise PermissionDenied("Chỉ Chủ tịch (Phó Chủ tịch) UBND xã xác nhận người lao động có thu nhập thấp.")
    if not can_see_area(user, commune_id):
        raise ValidationError({"determination": "Người này không thuộc địa bàn của bạn."})


@transaction.atomic
def confirmation_record(*, acting_user, determination: LowIncomeDetermination, decision_number: str,
                        decision_date: datetime.date, notes: str = "") -> LowIncomeConfirmation:
    """The commune's decision (or confirmation) putting the worker of a determination on its list."""
    check_confirmer(acting_user, determination.commune_id)
    application = determination.application
    household = _locked_household(application.household_id, determination.commune_id)
    determination = LowIncomeDetermination.objects.select_for_update().get(pk=determination.pk)
    if LowIncomeConfirmation.objects.filter(determination=determination).exists():
        raise ValidationError({"determination": "Kết quả này đã được xác nhận."})
    number = " ".join(str(decision_number or "").split())
    if not number:
        raise ValidationError({"decision_number": "Hãy ghi số quyết định (hoặc số xác nhận)."})
    day = _day(decision_date, "decision_date", "ngày quyết định")
    if day < determination.determined_on:
        raise ValidationError({"decision_date": "Ngày quyết định trước ngày xác định thu nhập."})
    confirmation = LowIncomeConfirmation(
        determination=determination, member_id=application.member_id, household=household,
        commune_id=determination.commune_id, village_id=household.village_id, decision_number=number[:50],
        decision_date=day, notes=notes or "")
    confirmation._history_user = acting_user
    confirmation.save()
    return confirmation
