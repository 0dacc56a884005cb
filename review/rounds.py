"""The review round's steps: who may move a round from which status (ROUND_STEPS, round_steps), and the
transitions themselves (round_submit, round_recognise, round_approve, round_return, round_reopen).

Every transition locks the round's row first and checks the status under the lock: a recognition waits
for a save in flight in the round, and a save waits for a recognition in flight (then is refused).

Decision 24/2021/QĐ-TTg: the commune reviews, holds the village meetings, posts the results publicly and
reports the preliminary result to the level above (submit); the commune chairman then recognises the poor
and near-poor households by a decision, number and date (recognise: the round locks); the level above
compiles. The level above (review.calendar.level_above: the district for review years up to 2024, the
province from 2025) may return a submitted round, or reopen a recognised one, with a reason. For review
years before the reform the district also keeps the approval it made in this tool until now (approve:
locks the round without a decision number), so the rounds, imports and API clients of those years work on.
"""
import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, role_of
from areas.models import Level
from areas.scoping import can_see_area
from core.formatting import vn_number
from review.calendar import LEVEL_ABOVE_NAMES, level_above
from review.certificates import certificates_issue
from review.locks import refresh_locked
from review.models import ReviewRound, RoundStatus
from review.movements import round_movements_refresh
from review.selectors import failed_meetings, unassessed_households

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


def round_steps(user, review_round: ReviewRound | None = None) -> list[str]:
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
    refresh_locked(review_round)
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
def round_submit(*, acting_user, review_round) -> ReviewRound:
    """The commune reports the preliminary result to the level above (the district, or the province from the
    2025 review)."""
    _begin_step(acting_user, review_round, "submit")
    if not review_round.assessments.exists():
        raise ValidationError({"status": "Chưa có kết quả rà soát nào để gửi."})
    return _move_round(review_round, acting_user=acting_user, status=RoundStatus.SUBMITTED,
                       change_reason=f"Gửi {review_round.level_above_name}")


def parse_decision_date(value) -> datetime.date | None:
    """A date from a date, a datetime, or text as "2025-12-15" or "15/12/2025"; None when empty; else
    ValidationError on "decision_date"."""
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


@transaction.atomic
def round_recognise(*, acting_user, review_round, decision_number, decision_date, confirm_unassessed=False) -> ReviewRound:
    """The commune chairman recognises the round's poor and near-poor households by a decision (number and
    date): the round locks. Refused while a recorded village meeting did not reach the majority; when
    households of the commune have no result of the year, refused naming how many unless
    `confirm_unassessed` says to recognise anyway (the count is recorded in the audit trail)."""
    _begin_step(acting_user, review_round, "recognise")
    number = " ".join(str(decision_number or "").split())
    try:
        day, unreadable = parse_decision_date(decision_date), {}
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
def round_approve(*, acting_user, review_round) -> ReviewRound:
    """The district's approval of a submitted round, for review years before the 2025 reform only (the
    lock it recorded in this tool until now); from the 2025 review the round locks by recognition."""
    _begin_step(acting_user, review_round, "approve")
    _move_round(review_round, acting_user=acting_user, status=RoundStatus.APPROVED, change_reason="Phê duyệt")
    certificates_issue(review_round=review_round, acting_user=acting_user)  # dated the day of the approval
    return review_round


@transaction.atomic
def round_return(*, acting_user, review_round, reason) -> ReviewRound:
    _begin_step(acting_user, review_round, "return")
    if not (reason or "").strip():
        raise ValidationError({"return_reason": "Hãy ghi lý do trả lại."})
    return _move_round(review_round, acting_user=acting_user, status=RoundStatus.OPEN, reason_field="return_reason",
                       reason=reason.strip(), change_reason=f"Trả lại: {reason.strip()}")


@transaction.atomic
def round_reopen(*, acting_user, review_round, reason) -> ReviewRound:
    """Reopen a recognised (locked) round, with a reason. Its recognition decision is cleared (the audit trail
    keeps it): a new recognition records a new decision. Movements held back while it was locked (an earlier
    year corrected meanwhile) are applied now, in the audit trail with the same user and reason."""
    _begin_step(acting_user, review_round, "reopen")
    if not (reason or "").strip():
        raise ValidationError({"reopen_reason": "Hãy ghi lý do mở lại."})
    review_round.decision_number, review_round.decision_date = "", None
    _move_round(review_round, acting_user=acting_user, status=RoundStatus.OPEN, reason_field="reopen_reason",
                reason=reason.strip(), change_reason=f"Mở lại: {reason.strip()}")
    round_movements_refresh(review_round, acting_user=acting_user,
                             reason=f"Tính lại biến động khi mở lại: {reason.strip()}")
    return review_round
