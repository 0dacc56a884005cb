"""A regular review as a procedure (Decision 24/2021/QĐ-TTg Art. 5): the household applies on Mẫu số 04 (to be
reviewed, or to be recognised out of poverty); steps 2–4 of the periodic review apply to it — the survey, the
village meeting, the public posting —; the commune chairman decides within REGULAR_REVIEW_DECISION_DAYS of the
request: a recognition (review.regular.regular_recognise, citing the request) or a written reply refusing it with
its reasons (regular_refuse, printed by review.regular_views).

`regular_blockers` names the steps missing on a day: regular_recognise refuses with them, the page shows them.
Writes in one transaction each, with review.locks' order: the household, then the request's row.
"""
import dataclasses
import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from areas.scoping import can_see_area
from core.versioning import ConcurrentEditError
from review.calendar import POSTING_DAYS_SETTING, REGULAR_DAYS_SETTING, day_count
from review.locks import check_editor, lock_households
from review.models import MAX_MEETING_ATTENDEES, TOO_MANY_ATTENDEES, ReviewRequest, meeting_passed
from review.models.rounds import majority_label
from review.requests import as_date
from review.round_order import posting_problem
from review.rounds import may_recognise

STEP_FIELDS = ("surveyed_on", "meeting_date", "attendees", "in_favour", "posted_from", "posted_to")
DATE_STEPS = {"surveyed_on": "Ngày khảo sát", "meeting_date": "Ngày họp thôn", "posted_from": "Ngày bắt đầu niêm yết",
              "posted_to": "Ngày kết thúc niêm yết"}
WHERE_STEPS = "ghi ở mục «Các bước rà soát thường xuyên» của đơn trên trang Rà soát thường xuyên của xã"


def decision_deadline(request: ReviewRequest) -> datetime.date:
    """The last day for the chairman's decision (or written refusal): the request's day plus the days of
    REGULAR_REVIEW_DECISION_DAYS (calendar days)."""
    return request.requested_on + datetime.timedelta(days=day_count(REGULAR_DAYS_SETTING))


@dataclasses.dataclass(frozen=True)
class RegularState:
    """Where a regular request stands on a day, as pages and the API show it."""

    state: str  # "pending", "decided", "refused"
    label: str
    deadline: datetime.date
    days_left: int | None  # pending only: days until the deadline (negative: overdue)

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0

    @property
    def deadline_text(self) -> str:
        if self.days_left is None:
            return f"hạn {self.deadline:%d/%m/%Y}"
        if self.days_left < 0:
            return f"Quá hạn {-self.days_left} ngày (hạn {self.deadline:%d/%m/%Y})"
        return f"Còn {self.days_left} ngày (hạn {self.deadline:%d/%m/%Y})"


def regular_state(request: ReviewRequest, decided: bool, today: datetime.date | None = None) -> RegularState:
    """The state of a Mẫu 04 request; `decided`: a regular review cites it (the caller knows: one query per page)."""
    deadline = decision_deadline(request)
    if decided:
        return RegularState("decided", "Đã có quyết định công nhận", deadline, None)
    if request.refused_on:
        return RegularState("refused", f"Không công nhận (văn bản ngày {request.refused_on:%d/%m/%Y})", deadline, None)
    days_left = (deadline - (today or timezone.localdate())).days
    return RegularState("pending", "Đang xét", deadline, days_left)


def regular_blockers(request: ReviewRequest, on: datetime.date) -> dict:
    """Steps 2–4 missing for a decision on `on`, by field, in Vietnamese with where to record them: the survey,
    the village meeting passed by the majority (review.models.meeting_passed, the annual round's rule), the posting
    run for REVIEW_POSTING_WORKING_DAYS by `on` (review.round_order.posting_problem, the annual round's rule)."""
    errors = {}
    if request.surveyed_on is None:
        errors["surveyed_on"] = f"Chưa ghi ngày khảo sát hộ (phiếu B) — {WHERE_STEPS}."
    if request.meeting_date is None:
        errors["meeting_date"] = f"Chưa ghi biên bản họp thôn xét đơn của hộ — {WHERE_STEPS}."
    elif not meeting_passed(request.attendees, request.in_favour):
        errors["meeting_date"] = (f"Họp thôn chưa thông qua: cần {majority_label()} số người dự họp đồng ý "
                                  f"({request.in_favour or 0}/{request.attendees or 0}).")
    days = day_count(POSTING_DAYS_SETTING)
    problem = posting_problem(request, on, days)
    if problem:
        errors["posted_to"] = f"Kết quả phải niêm yết công khai đủ {days} ngày làm việc: {problem} — {WHERE_STEPS}."
    return errors


def _check_open_regular(request, decided_error="Đơn này đã có quyết định công nhận: không sửa các bước nữa."):
    if not request.is_regular:
        raise ValidationError({"procedure": (
            f"Đơn Mẫu số 01 được xét trong kỳ rà soát định kỳ năm {request.year} (họp thôn, niêm yết của đợt rà soát), "
            "không theo rà soát thường xuyên.")})
    if request.refused_on:
        raise ValidationError({"refused_on": (
            f"Đơn này đã được trả lời không công nhận ngày {request.refused_on:%d/%m/%Y}: hộ nộp đơn mới nếu có thay đổi.")})
    if request.regular_reviews.exists():
        raise ValidationError({"procedure": decided_error})


def _locked_request(request, expected_version):
    lock_households([request.household_id])  # the household, then the request (review.locks)
    stored = ReviewRequest.objects.select_for_update().filter(pk=request.pk).first()
    if stored is None:
        raise ValidationError({"household": "Đơn đề nghị này vừa bị xoá."})
    if expected_version not in (None, "") and stored.version != int(expected_version):
        raise ConcurrentEditError(
            f"Đơn đề nghị số {stored.pk} vừa được sửa (phiên bản hiện tại là {stored.version}, bạn sửa trên phiên bản "
            f"{int(expected_version)}). Thay đổi của bạn chưa được lưu: hãy tải lại.")
    return stored


def _step_errors(values, requested_on):
    """Errors of the steps' values: dates readable, not in the future, in order from the request; the meeting's
    figures whole and consistent."""
    errors, today = {}, timezone.localdate()
    for name, label in DATE_STEPS.items():
        day = as_date(values.get(name), name, label, errors)
        if name in errors:
            continue
        values[name] = day
        if day is not None and day > today:
            errors[name] = f"{label} ({day:%d/%m/%Y}) chưa đến: hãy ghi ngày đã diễn ra."
        elif day is not None and day < requested_on:
            errors[name] = f"{label} ({day:%d/%m/%Y}) trước ngày hộ nộp đơn ({requested_on:%d/%m/%Y})."
    order = [name for name in ("surveyed_on", "meeting_date", "posted_from", "posted_to") if values.get(name)]
    for before, after in zip(order, order[1:], strict=False):
        if after not in errors and before not in errors and values[after] < values[before]:
            errors[after] = f"{DATE_STEPS[after]} ({values[after]:%d/%m/%Y}) trước {DATE_STEPS[before].lower()}."
    attendees, in_favour = values.get("attendees"), values.get("in_favour")
    for name, number in (("attendees", attendees), ("in_favour", in_favour)):
        if number is not None and not (isinstance(number, int) and 0 <= number <= MAX_MEETING_ATTENDEES):
            errors[name] = TOO_MANY_ATTENDEES if isinstance(number, int) and number > 0 else "Hãy ghi số người."
    if "attendees" not in errors and "in_favour" not in errors and in_favour is not None and (
            attendees is None or in_favour > attendees):
        errors["in_favour"] = "Số người đồng ý không quá số người dự họp."
    if values.get("meeting_date") and attendees is None and "attendees" not in errors:
        errors["attendees"] = "Hãy ghi số người dự họp thôn."
    return errors


@transaction.atomic
def regular_steps_save(*, acting_user, request: ReviewRequest, expected_version=None, **fields) -> ReviewRequest:
    """Record (or correct) the survey, village meeting and posting of a Mẫu 04 request, by the commune's officers,
    while the request is neither decided nor refused. `fields`: keys of STEP_FIELDS; those not given keep their
    stored values."""
    unknown = sorted(set(fields) - set(STEP_FIELDS))
    if unknown:
        raise TypeError(f"regular_steps_save() got unexpected field(s): {', '.join(unknown)}")
    check_editor(acting_user, request.commune_id)
    stored = _locked_request(request, expected_version)
    _check_open_regular(stored)
    values = {name: getattr(stored, name) for name in STEP_FIELDS} | fields
    errors = _step_errors(values, stored.requested_on)
    if errors:
        raise ValidationError(errors)
    for name in STEP_FIELDS:
        setattr(stored, name, values[name])
    stored._history_user = acting_user
    stored._change_reason = "Ghi các bước rà soát thường xuyên"
    stored.save()
    return stored


def _refusal_values(refused_on, number, reasons, requested_on):
    errors = {}
    day = as_date(refused_on, "refused_on", "Ngày văn bản trả lời", errors)
    if "refused_on" not in errors:
        if day is None:
            errors["refused_on"] = "Hãy ghi ngày ký văn bản trả lời."
        elif day > timezone.localdate():
            errors["refused_on"] = f"Ngày văn bản ({day:%d/%m/%Y}) chưa đến: hãy ghi ngày đã ký."
        elif day < requested_on:
            errors["refused_on"] = f"Ngày văn bản ({day:%d/%m/%Y}) trước ngày hộ nộp đơn ({requested_on:%d/%m/%Y})."
    number = " ".join(str(number or "").split())
    if len(number) > ReviewRequest._meta.get_field("refusal_number").max_length:
        errors["refusal_number"] = "Số văn bản không quá 50 ký tự."
    reasons = str(reasons or "").strip()
    if not reasons:
        errors["refusal_reasons"] = "Hãy ghi lý do không công nhận: văn bản trả lời hộ phải nêu rõ lý do."
    if errors:
        raise ValidationError(errors)
    return day, number, reasons


@transaction.atomic
def regular_refuse(*, acting_user, request: ReviewRequest, refused_on, reasons, number="",
                   expected_version=None) -> ReviewRequest:
    """The chairman answers a Mẫu 04 request in writing that the household is not recognised, with the reasons
    (the reply is printed from the request). Refused once the request is decided or already answered."""
    if not may_recognise(acting_user):
        raise PermissionDenied("Chỉ Chủ tịch (Phó Chủ tịch) UBND xã ký văn bản trả lời đơn đề nghị.")
    stored = _locked_request(request, expected_version)
    if not can_see_area(acting_user, stored.commune_id):
        raise ValidationError({"household": "Hộ này không thuộc địa bàn của bạn."})
    _check_open_regular(stored, "Đơn này đã có quyết định công nhận: không trả lời không công nhận được.")
    day, number, reasons = _refusal_values(refused_on, number, reasons, stored.requested_on)
    stored.refused_on, stored.refusal_number, stored.refusal_reasons = day, number, reasons
    stored._history_user = acting_user
    stored._change_reason = f"Trả lời không công nhận ngày {day:%d/%m/%Y}"
    stored.save()
    return stored
