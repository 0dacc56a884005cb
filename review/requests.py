"""A household's written request to be reviewed (Decision 24/2021/QĐ-TTg), on one of two forms:
- Mẫu số 01, during the periodic review's window (review.calendar): it puts the household on that review's list;
- Mẫu số 04, any day (and the only form outside the window, or to be recognised out of poverty): a regular review,
  decided within REGULAR_REVIEW_DECISION_DAYS (review.regular_requests). A request made after the window closes
  (14 December) goes to the monthly regular review, not to next year's periodic review.
Not named, the form follows from the date and kind (`procedure_for`). `year` is the review the date falls in.

Writes in one transaction each, with the scope and locks of review.locks: the rounds of the request's years
first, then the household's row, then the request; the scope is checked on the household as stored.
"""
import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.versioning import ConcurrentEditError, edited_by
from households.models import Household, HouseholdStatus
from review.calendar import review_closes, review_opens, review_window, review_year_of
from review.locks import check_editing_role, check_editor, lock_household, lock_households, lock_open_rounds
from review.models import RequestKind, RequestProcedure, ReviewRequest
from review.rounds import parse_decision_date

REQUEST_FIELDS = ("kind", "requested_on", "year", "note", "procedure")


def in_periodic_window(day: datetime.date) -> bool:
    """Whether `day` falls in the periodic review's window of its year (1 September – 14 December by default)."""
    return review_opens(day.year) <= day <= review_closes(day.year)


def procedure_for(day: datetime.date, kind: str) -> str:
    """The form a request is on when the officer does not name it: Mẫu 01 for a request to be reviewed made during
    the periodic window; Mẫu 04 otherwise (outside the window, or to be recognised out of poverty)."""
    return RequestProcedure.PERIODIC if kind == RequestKind.ENTER and in_periodic_window(day) else RequestProcedure.REGULAR


def _procedure_error(day, kind, procedure):
    if procedure not in RequestProcedure.values:
        return "Mẫu đơn không hợp lệ."
    if procedure != RequestProcedure.PERIODIC:
        return None
    if kind == RequestKind.LEAVE:
        return "Đơn đề nghị xét thoát nghèo, thoát cận nghèo là Mẫu số 04 (rà soát thường xuyên)."
    if not in_periodic_window(day):
        return (f"Đơn nộp ngày {day:%d/%m/%Y}, ngoài kỳ rà soát định kỳ ({review_opens(day.year):%d/%m}–"
                f"{review_closes(day.year):%d/%m/%Y}): hộ được xét theo rà soát thường xuyên hằng tháng — hãy ghi đơn "
                "theo Mẫu số 04.")
    return None


def as_date(value, field: str, label: str, errors: dict | None = None) -> datetime.date | None:
    """A date from a date, or text as "2025-03-15" or "15/03/2025"; None when empty. Unreadable: the error
    goes into `errors` under `field` (None returned), or is raised when no `errors` is given."""
    if value in (None, ""):
        return None
    try:
        return parse_decision_date(value)
    except ValidationError:
        message = f"{label} không hợp lệ: hãy ghi ngày/tháng/năm (ví dụ 15/03/2025)."
        if errors is None:
            raise ValidationError({field: message}) from None
        errors[field] = message
        return None


def _stored_commune(household_id):
    commune_id = Household.objects.filter(pk=household_id).values_list("commune_id", flat=True).first()
    if commune_id is None:
        raise ValidationError({"household": "Không có hộ này."})
    return commune_id


def _day_errors(values, errors):
    day = as_date(values["requested_on"], "requested_on", "Ngày nộp đơn", errors)
    if "requested_on" in errors:  # unreadable: said already
        return None
    if day is None:
        errors["requested_on"] = "Hãy ghi ngày hộ nộp đơn đề nghị."
    elif day > timezone.localdate():
        errors["requested_on"] = f"Ngày nộp đơn ({day:%d/%m/%Y}) chưa đến: hãy ghi ngày hộ đã nộp."
    elif day.year <= 2000:
        errors["requested_on"] = "Ngày nộp đơn không hợp lệ."
    return day


def _year_error(day, given):
    """The review the date falls in; a year the caller names must be that one (a corrected date moves the
    request to its review). Returns (year, error or None)."""
    year = review_year_of(day)
    if given in (None, "") or str(given).strip() == str(year):
        return year, None
    opens, closes = review_window()
    return year, (f"Đơn nộp ngày {day:%d/%m/%Y} thuộc kỳ rà soát năm {year} (kỳ rà soát hằng năm từ "
                  f"{opens[1]:02d}/{opens[0]:02d} đến {closes[1]:02d}/{closes[0]:02d}; đơn nộp sau đó được xét theo "
                  "rà soát thường xuyên). Hãy để trống năm hoặc ghi đúng năm đó.")


def _checked(values, given_year):
    """(day, year, note) of the request's values, else ValidationError with every error."""
    errors = {}
    day = _day_errors(values, errors)
    if values["kind"] not in RequestKind.values:
        errors["kind"] = "Loại đề nghị không hợp lệ."
    elif day is not None and "requested_on" not in errors:
        if values.get("procedure") in (None, ""):
            values["procedure"] = procedure_for(day, values["kind"])
        error = _procedure_error(day, values["kind"], values["procedure"])
        if error:
            errors["procedure"] = error
    note = " ".join(str(values["note"] or "").split())
    if len(note) > ReviewRequest._meta.get_field("note").max_length:
        errors["note"] = "Ghi chú không quá 300 ký tự."
    year = None
    if "requested_on" not in errors:
        year, error = _year_error(day, given_year)
        if error:
            errors["year"] = error
    if errors:
        raise ValidationError(errors)
    return day, year, note


def _stored_request(instance, household, expected_version, acting_user=None):
    stored = ReviewRequest.objects.select_for_update().filter(pk=instance.pk).first()
    if stored is None:
        raise ValidationError({"household": "Đơn đề nghị này vừa bị xoá."})
    if expected_version is not None and stored.version != int(expected_version):
        raise ConcurrentEditError(
            f"Đơn đề nghị của hộ {household.code} vừa được {edited_by(ReviewRequest, stored.pk, acting_user)} "
            f"(phiên bản hiện tại là {stored.version}, "
            f"bạn sửa trên phiên bản {int(expected_version)}). Thay đổi của bạn chưa được lưu: hãy tải lại.")
    return stored


def _refuse_twin(request, household, year, kind):
    twin = ReviewRequest.objects.filter(household=household, year=year, kind=kind).exclude(pk=request.pk).first()
    if twin is not None:
        raise ValidationError({"kind": (
            f"Hộ {household.code} đã có {twin.get_kind_display().lower()} cho kỳ rà soát năm {year} (nộp ngày "
            f"{twin.requested_on:%d/%m/%Y}): hãy sửa đơn đó.")})


@transaction.atomic
def request_save(*, acting_user, household, data: dict, instance: ReviewRequest | None = None,
                 expected_version=None) -> ReviewRequest:
    """Record (or correct) a household's written request to be reviewed. `data`: keys of REQUEST_FIELDS;
    those not given keep their stored values (on creation: kind "enter", year = the review the date falls in).

    Officers of the household's commune (the editing roles) write; the round of the request's year is locked
    and checked under the lock: a request for a review already recognised is history and stays as it is."""
    unknown = sorted(set(data) - set(REQUEST_FIELDS))
    if unknown:
        raise TypeError(f"request_save() got unexpected field(s): {', '.join(unknown)}")
    check_editing_role(acting_user)  # the role first: refused (403) before anything sent is looked at
    household_id = instance.household_id if instance is not None else getattr(household, "pk", household)
    stored_commune = _stored_commune(household_id)
    check_editor(acting_user, stored_commune)

    values = {"kind": RequestKind.ENTER, "requested_on": None, "year": None, "note": "", "procedure": None} if (
        instance is None) else {"kind": instance.kind, "requested_on": instance.requested_on, "year": instance.year,
                                "note": instance.note, "procedure": instance.procedure}
    old_year = values["year"]
    values.update(data)
    day, year, note = _checked(values, data.get("year"))

    # Locks: the household, then the rounds (review.locks' order), then the request.
    years = {year} | ({old_year} if old_year and old_year != year else set())
    household = lock_household(household_id, stored_commune)
    lock_open_rounds([(stored_commune, y) for y in years], create_missing=False)
    if household.status != HouseholdStatus.ACTIVE and instance is None:
        raise ValidationError({"household": f"Hộ {household.code} không còn cư trú trong xã: không nhận đơn mới."})
    if instance is not None:
        request = _stored_request(instance, household, expected_version, acting_user)
    else:
        request = ReviewRequest(household=household, commune_id=household.commune_id)
    _refuse_twin(request, household, year, values["kind"])
    request.kind, request.requested_on, request.year, request.note = values["kind"], day, year, note
    request.procedure = values["procedure"]
    request._history_user = acting_user
    request.save()
    return request


@transaction.atomic
def request_delete(*, acting_user, request: ReviewRequest) -> None:
    """Delete a request (one entered by mistake). Refused once its review is recognised, or while a regular
    review cites it (409 over the API)."""
    check_editor(acting_user, request.commune_id)
    lock_households([request.household_id])  # the household before the round (review.locks)
    lock_open_rounds([(request.commune_id, request.year)], create_missing=False)
    request._history_user = acting_user
    request.delete()
