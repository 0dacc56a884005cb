"""The review round's steps: who may move a round from which status (ROUND_STEPS, round_steps), and the
transitions themselves (round_submit, round_opinion, round_recognise, round_return, round_reopen,
round_decision_correct).

Every transition locks the round's row first and checks the status under the lock: a recognition waits
for a save in flight in the round, and a save waits for a recognition in flight (then is refused).

Decision 24/2021/QĐ-TTg Art. 4: the commune reviews, holds the village meetings, posts the results publicly and
reports to the level above, asking its opinion (submit); the level above (review.calendar.level_above: the
district for review years up to 2024, the province from 2025) records its opinion (opinion) or returns the
round with a reason (return); only the commune chairman recognises, by a decision, number and date (recognise:
the round locks, in the order review.round_order checks). The level above never locks a round: the district's
"approve" of earlier releases is gone (APPROVE_GONE); the rounds it approved keep their data and say that their
decision was not recorded. A recognised round that must change is reopened by the level above, with a reason,
and recognised again by an amending decision recorded beside the first (RecognitionDecision): no decision is
ever erased. A number or date entered wrongly is corrected as such (round_decision_correct).
"""
import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, role_of
from areas.models import Level
from areas.scoping import can_see_area
from core.dates import read_day
from core.formatting import vn_number
from review.calendar import LEVEL_ABOVE_NAMES, level_above
from review.certificates import certificates_issue
from review.locks import refresh_locked
from review.models import DecisionKind, RecognitionDecision, ReviewRound, RoundStatus
from review.movements import round_movements_refresh
from review.round_order import recognition_blockers, reported_on
from review.selectors import unassessed_households

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
# ask (round_steps) to offer only what will be accepted. The level above records its opinion or returns the
# round; only the commune chairman recognises (and so locks) it.
ROUND_STEPS = {
    "submit": RoundStep(frozenset({Role.COMMUNE_OFFICER, Role.ADMIN}), RoundStatus.OPEN,
                        "Chỉ gửi được đợt rà soát đang mở."),
    "opinion": RoundStep(frozenset({LEVEL_ABOVE, Role.ADMIN}), RoundStatus.SUBMITTED,
                         "Chỉ ghi ý kiến được cho đợt rà soát xã đã báo cáo lên (đã gửi, chưa công nhận)."),
    "recognise": RoundStep(frozenset({Role.COMMUNE_CHAIR, Role.ADMIN}), RoundStatus.SUBMITTED,
                           "Chỉ công nhận được đợt rà soát đã báo cáo kết quả lên cấp trên (đã gửi)."),
    "return": RoundStep(frozenset({LEVEL_ABOVE, Role.ADMIN}), RoundStatus.SUBMITTED,
                        "Chỉ trả lại được đợt rà soát xã đã gửi."),
    "reopen": RoundStep(frozenset({LEVEL_ABOVE, Role.ADMIN}), RoundStatus.APPROVED,
                        "Chỉ mở lại được đợt rà soát đã công nhận (đang khoá)."),
    "correct": RoundStep(frozenset({Role.COMMUNE_CHAIR, Role.ADMIN}), RoundStatus.APPROVED,
                         "Chỉ đính chính được quyết định của đợt rà soát đã công nhận."),
}
STEPS_WITH_REASON = ("return", "reopen")
STEP_VERBS = {"submit": "gửi", "opinion": "ghi ý kiến về", "recognise": "công nhận", "return": "trả lại",
              "reopen": "mở lại", "correct": "đính chính quyết định của"}
ROLE_REFUSAL = "Vai trò của bạn không được thực hiện thao tác này."
# What an old client's "approve" (district approval, which locked a round without a decision) is told.
APPROVE_GONE = ("Cấp trên không phê duyệt (khoá) đợt rà soát: theo Quyết định 24/2021/QĐ-TTg, chỉ Chủ tịch UBND xã "
                "công nhận bằng quyết định (số, ngày). Cán bộ cấp trên hãy ghi ý kiến (POST …/opinion/ với "
                "opinion_date, opinion) hoặc trả lại đợt kèm lý do (POST …/return/); Chủ tịch UBND xã công nhận "
                "(POST …/recognise/ với decision_number, decision_date).")


def may_recognise(user) -> bool:
    """Whether the user's role recognises (the commune chairman, or an administrator): an annual round's lists, a
    regular review, the written reply refusing one, an average living standard, a low-income worker."""
    return "recognise" in round_steps(user)


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
    reform = " (từ 01/07/2025 không còn cấp huyện)" if level == Level.PROVINCE else ""
    return (f"Kỳ rà soát năm {year} xã báo cáo lên {above}{reform}: chỉ cán bộ {above} được "
            f"{STEP_VERBS[name]} đợt rà soát này.")


def check_step_role(acting_user, review_round, name) -> None:
    """A role that may not take the step on this round (by its year's level above) is refused with
    PermissionDenied (403 over HTTP), before anything it sent is read."""
    step = ROUND_STEPS[name]
    role = role_of(acting_user)
    if not any(role in step.roles_at(level) for level in LEVEL_ABOVE_ROLES):
        raise PermissionDenied(ROLE_REFUSAL)
    if role not in step.roles_at(level_above(review_round.year)):
        raise PermissionDenied(_not_at_this_level(name, review_round))


def _begin_step(acting_user, review_round, name):
    """Check the role, the level above for the round's year and the area, lock the round's row, then check
    its status under the lock."""
    check_step_role(acting_user, review_round, name)
    if not can_see_area(acting_user, review_round.commune_id):
        raise ValidationError({"commune": "Xã này không thuộc địa bàn của bạn."})
    refresh_locked(review_round)
    if review_round.status != ROUND_STEPS[name].from_status:
        raise ValidationError({"status": ROUND_STEPS[name].refusal})


def _move_round(review_round, *, acting_user, status, reason_field=None, reason=None, change_reason):
    review_round.status = status
    if reason_field:
        setattr(review_round, reason_field, reason)
    if status == RoundStatus.APPROVED:
        review_round.approved_at = timezone.now()
    review_round._change_reason = change_reason[:100]
    review_round._history_user = acting_user
    review_round.save()
    return review_round


def parse_decision_date(value) -> datetime.date | None:
    """A date from a date, a datetime, or text as "2025-12-15" or "15/12/2025"; None when empty; else
    ValidationError on "decision_date"."""
    try:
        return read_day(value)  # the date input's ISO form, or typed as Vietnamese write it (core.dates)
    except ValueError:
        raise ValidationError({"decision_date": "Ngày quyết định không hợp lệ: hãy ghi ngày/tháng/năm (ví dụ "
                                                "15/12/2025)."}) from None


def _report_day(review_round, value):
    """The day the report went up: today, or a past day recorded from the paper (within the review year or
    the next)."""
    try:
        day = parse_decision_date(value)
    except ValidationError:
        raise ValidationError({"reported_on": "Ngày báo cáo không hợp lệ: hãy ghi ngày/tháng/năm."}) from None
    if day is None:
        return timezone.localdate()
    year = review_round.year
    if day > timezone.localdate():
        raise ValidationError({"reported_on": f"Ngày báo cáo ({day:%d/%m/%Y}) chưa đến."})
    if not year <= day.year <= year + 1:
        raise ValidationError({"reported_on": f"Báo cáo kết quả rà soát năm {year} trong năm {year} hoặc {year + 1}."})
    return day


@transaction.atomic
def round_submit(*, acting_user, review_round, reported_on=None) -> ReviewRound:
    """The commune reports its result to the level above and asks its opinion (the district, or the province
    from the 2025 review), dated today or `reported_on` (a report made on paper, recorded afterwards). A new
    report waits for a new opinion."""
    _begin_step(acting_user, review_round, "submit")
    day = _report_day(review_round, reported_on)
    if not review_round.assessments.exists():
        raise ValidationError({"status": "Chưa có kết quả rà soát nào để gửi."})
    now = timezone.localtime()
    review_round.submitted_at = now if day == now.date() else timezone.make_aware(
        datetime.datetime.combine(day, datetime.time(12)))
    review_round.opinion_date, review_round.opinion = None, ""
    return _move_round(review_round, acting_user=acting_user, status=RoundStatus.SUBMITTED,
                       change_reason=f"Báo cáo, xin ý kiến {review_round.level_above_name} ngày {day:%d/%m/%Y}")


@transaction.atomic
def round_opinion(*, acting_user, review_round, opinion_date, opinion) -> ReviewRound:
    """The level above records its opinion on the commune's report (date, content); the round stays with the
    commune chairman, who recognises it. To send it back, the level above returns it with a reason."""
    _begin_step(acting_user, review_round, "opinion")
    text = (opinion or "").strip()
    try:
        day = parse_decision_date(opinion_date)
    except ValidationError:
        raise ValidationError({"opinion_date": "Ngày có ý kiến không hợp lệ: hãy ghi ngày/tháng/năm."}) from None
    errors = {}
    if not text:
        errors["opinion"] = "Hãy ghi nội dung ý kiến của cấp trên."
    if day is None:
        errors["opinion_date"] = "Hãy ghi ngày có ý kiến."
    elif day > timezone.localdate():
        errors["opinion_date"] = f"Ngày có ý kiến ({day:%d/%m/%Y}) chưa đến."
    elif reported_on(review_round) and day < reported_on(review_round):
        errors["opinion_date"] = (f"Ngày có ý kiến ({day:%d/%m/%Y}) trước ngày xã báo cáo "
                                  f"({reported_on(review_round):%d/%m/%Y}).")
    if errors:
        raise ValidationError(errors)
    review_round.opinion_date, review_round.opinion = day, text
    return _move_round(review_round, acting_user=acting_user, status=RoundStatus.SUBMITTED,
                       change_reason=f"Ý kiến của {review_round.level_above_name} ngày {day:%d/%m/%Y}: {text}")


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


def _read_decision(review_round, decision_number, decision_date):
    number = " ".join(str(decision_number or "").split())
    try:
        day, unreadable = parse_decision_date(decision_date), {}
    except ValidationError as error:
        day, unreadable = None, error.message_dict
    return number, day, {**_check_decision(review_round, number, day), **unreadable}


def _record_decision(review_round, *, acting_user, number, day, kind, note="", corrects=None):
    decision = RecognitionDecision(review_round=review_round, number=number, decision_date=day, kind=kind,
                                   note=note, corrects=corrects)
    decision._history_user = acting_user
    decision._change_reason = f"{decision.get_kind_display()} {number}"[:100]
    decision.save()
    review_round.decision_number, review_round.decision_date = number, day
    return decision


@transaction.atomic
def round_recognise(*, acting_user, review_round, decision_number, decision_date, confirm_unassessed=False) -> ReviewRound:
    """The commune chairman recognises the round's poor and near-poor households by a decision (number and
    date): the round locks. Refused out of the order of Art. 4 (review.round_order: every village with reviewed
    households met, passed and posted for its days; the decision on or after the report up, and after the
    level above's opinion or its days to answer); when households of the commune have no result of the year,
    refused naming how many unless `confirm_unassessed` says to recognise anyway (recorded in the audit
    trail). A round recognised before (then reopened) is recognised again by an amending decision, recorded
    beside the first."""
    _begin_step(acting_user, review_round, "recognise")
    number, day, errors = _read_decision(review_round, decision_number, decision_date)
    if day is not None and "decision_date" not in errors:
        errors = {**recognition_blockers(review_round, day), **errors}
    unassessed = unassessed_households(review_round).count()
    if unassessed and not confirm_unassessed:
        errors["confirm_unassessed"] = (
            f"Còn {vn_number(unassessed)} hộ của xã chưa có kết quả rà soát năm {review_round.year}. Nếu vẫn công "
            "nhận (các hộ này không có trong danh sách), hãy đánh dấu xác nhận rồi công nhận lại.")
    if errors:
        raise ValidationError(errors)
    last = RecognitionDecision.objects.filter(review_round=review_round).order_by("-decision_date").first()
    if last and day < last.decision_date:
        raise ValidationError({"decision_date": (f"Quyết định sửa đổi, bổ sung ký sau quyết định trước ({last.number} "
                                                 f"ngày {last.decision_date:%d/%m/%Y}).")})
    amends = last is not None
    kind = DecisionKind.AMENDMENT if amends else DecisionKind.RECOGNITION
    _record_decision(review_round, acting_user=acting_user, number=number, day=day, kind=kind)
    confirmed = f"; xác nhận còn {unassessed} hộ chưa rà soát" if unassessed else ""
    verb = "Sửa đổi, bổ sung" if amends else "Công nhận"
    _move_round(review_round, acting_user=acting_user, status=RoundStatus.APPROVED,
                change_reason=f"{verb}: QĐ {number} ngày {day:%d/%m/%Y}{confirmed}")
    # The recognised poor and near-poor households receive their certificate (Mẫu số 03), dated by the decision.
    certificates_issue(review_round=review_round, acting_user=acting_user)
    return review_round


@transaction.atomic
def round_decision_correct(*, acting_user, review_round, decision_number, decision_date, note) -> ReviewRound:
    """Correct the number or date of the round's decision in force, entered wrongly: a correction row naming
    the decision it corrects (which stays, with its own audit rows), with what was wrong (`note`). On a round
    the district approved in an earlier release, it records the decision that recognised it."""
    _begin_step(acting_user, review_round, "correct")
    number, day, errors = _read_decision(review_round, decision_number, decision_date)
    text = (note or "").strip()
    if not text:
        errors["note"] = "Hãy ghi sai sót được đính chính (ví dụ: nhập nhầm số quyết định)."
    current = RecognitionDecision.objects.filter(review_round=review_round).order_by("-decision_date", "-pk").first()
    if current and (current.number, current.decision_date) == (number, day):
        errors["decision_number"] = "Số và ngày quyết định không khác quyết định đang ghi: không có gì để đính chính."
    if errors:
        raise ValidationError(errors)
    _record_decision(review_round, acting_user=acting_user, number=number, day=day,
                     kind=DecisionKind.CORRECTION if current else DecisionKind.RECOGNITION,
                     note=text, corrects=current)
    return _move_round(review_round, acting_user=acting_user, status=RoundStatus.APPROVED,
                       change_reason=f"Đính chính quyết định: {number} ngày {day:%d/%m/%Y} ({text})")


@transaction.atomic
def round_return(*, acting_user, review_round, reason) -> ReviewRound:
    """The level above returns a submitted round to the commune, with a reason (its answer to the report)."""
    _begin_step(acting_user, review_round, "return")
    if not (reason or "").strip():
        raise ValidationError({"return_reason": "Hãy ghi lý do trả lại."})
    return _move_round(review_round, acting_user=acting_user, status=RoundStatus.OPEN, reason_field="return_reason",
                       reason=reason.strip(), change_reason=f"Trả lại: {reason.strip()}")


@transaction.atomic
def round_reopen(*, acting_user, review_round, reason) -> ReviewRound:
    """Reopen a recognised (locked) round, with a reason. Its decisions stay: the round is recognised again by
    an amending decision recorded beside them. Movements held back while it was locked (an earlier year
    corrected meanwhile) are applied now, in the audit trail with the same user and reason."""
    _begin_step(acting_user, review_round, "reopen")
    if not (reason or "").strip():
        raise ValidationError({"reopen_reason": "Hãy ghi lý do mở lại."})
    _move_round(review_round, acting_user=acting_user, status=RoundStatus.OPEN, reason_field="reopen_reason",
                reason=reason.strip(), change_reason=f"Mở lại: {reason.strip()}")
    round_movements_refresh(review_round, acting_user=acting_user,
                             reason=f"Tính lại biến động khi mở lại: {reason.strip()}")
    return review_round
