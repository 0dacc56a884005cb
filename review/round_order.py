"""The order a round's recognition must follow (Decision 24/2021/QĐ-TTg Art. 4): list → survey → village
meeting → public posting → report to, and opinion of, the level above → the commune chairman's decision.

`recognition_blockers` names every step missing on a day, field by field, in Vietnamese, with where to record
it: round_recognise refuses with them, the round's pages show them before anyone tries. The numbers of days are
settings (review.calendar.day_count): the posting's working days and the days the level above has to answer.
"""
import datetime

from django.utils import timezone

from review.calendar import ANSWER_DAYS_SETTING, POSTING_DAYS_SETTING, add_working_days, day_count, working_days
from review.models import Assessment, ReviewRound
from review.models.rounds import majority_label

WHERE_MEETINGS = ("ghi ở mục «Họp thôn (biên bản) và niêm yết công khai kết quả» trên trang đợt rà soát "
                  "(Quản trị › Đợt rà soát) hoặc API …/review-rounds/<id>/village-meetings/")


def reported_on(review_round: ReviewRound) -> datetime.date | None:
    """The day the round was reported to the level above (its submission), or None."""
    return timezone.localdate(review_round.submitted_at) if review_round.submitted_at else None


def earliest_without_answer(review_round: ReviewRound) -> datetime.date | None:
    """The first day the chairman may recognise when the level above has not answered: the report's day plus
    REVIEW_LEVEL_ABOVE_ANSWER_DAYS working days."""
    day = reported_on(review_round)
    return add_working_days(day, day_count(ANSWER_DAYS_SETTING)) if day else None


def _villages_reviewed(review_round):
    return sorted(set(Assessment.objects.filter(review_round=review_round).exclude(village=None)
                      .values_list("village_id", flat=True)))


def posting_problem(meeting, on, days):
    if not (meeting.posted_from and meeting.posted_to):
        return "chưa ghi ngày niêm yết công khai"
    if working_days(meeting.posted_from, min(meeting.posted_to, on)) < days:
        return (f"niêm yết {meeting.posted_from:%d/%m/%Y}–{meeting.posted_to:%d/%m/%Y} chưa đủ {days} ngày làm việc "
                f"đến ngày {on:%d/%m/%Y}")
    return ""


def meeting_blockers(review_round: ReviewRound, on: datetime.date) -> dict:
    """Steps 3–4 for every village with reviewed households in the round: its meeting recorded, the result
    passed by the majority (review.models.meeting_majority), its posting run for the days by `on`."""
    meetings = {m.village_id: m for m in review_round.village_meetings.select_related("village")}
    villages = _villages_reviewed(review_round)
    missing = [code for code in villages if code not in meetings]
    failed = [meetings[code] for code in villages if code in meetings and not meetings[code].passed]
    days = day_count(POSTING_DAYS_SETTING)
    posting = [(meetings[code], problem) for code in villages if code in meetings
               for problem in [posting_problem(meetings[code], on, days)] if problem]
    errors = {}
    if missing:
        errors["village_meetings"] = (f"Chưa công nhận được: thôn {', '.join(missing)} có hộ được rà soát nhưng chưa "
                                      f"có biên bản họp thôn — {WHERE_MEETINGS}.")
    elif failed:
        where = "; ".join(f"{m.village.label}: {m.in_favour}/{m.attendees} người đồng ý" for m in failed)
        errors["village_meetings"] = (
            f"Chưa công nhận được: kết quả chỉ được thông qua khi {majority_label()} số người dự họp thôn đồng ý "
            f"({where}). Hãy họp lại thôn đó và ghi biên bản mới.")
    if posting:
        where = "; ".join(f"thôn {m.village_id}: {problem}" for m, problem in posting)
        errors["posting"] = (f"Chưa công nhận được: kết quả phải niêm yết công khai đủ {days} ngày làm việc trước khi "
                             f"công nhận ({where}) — {WHERE_MEETINGS}.")
    return errors


def report_blockers(review_round: ReviewRound, on: datetime.date) -> dict:
    """Step 5: the decision comes on or after the report up, and after the level above's opinion, or once the
    days it has to answer have passed."""
    reported, above = reported_on(review_round), review_round.level_above_name
    if reported is None:
        return {"status": f"Chưa báo cáo kết quả lên {above}: xã gửi báo cáo (nút «Gửi {above}») trước khi công nhận."}
    if on < reported:
        return {"decision_date": (f"Ngày quyết định ({on:%d/%m/%Y}) trước ngày báo cáo, xin ý kiến {above} "
                                  f"({reported:%d/%m/%Y}): quyết định công nhận ký sau khi báo cáo cấp trên.")}
    if review_round.opinion_date:
        if on < review_round.opinion_date:
            return {"decision_date": (f"Ngày quyết định ({on:%d/%m/%Y}) trước ngày {above} có ý kiến "
                                      f"({review_round.opinion_date:%d/%m/%Y}).")}
        return {}
    allowed = earliest_without_answer(review_round)
    if on < allowed:
        return {"opinion": (
            f"{above.capitalize()} chưa có ý kiến về báo cáo ngày {reported:%d/%m/%Y}: cán bộ {above} ghi ý kiến trên "
            f"trang đợt rà soát (nút «Ghi ý kiến của cấp trên») hoặc API …/review-rounds/<id>/opinion/; nếu {above} "
            f"không trả lời, Chủ tịch UBND xã công nhận được từ ngày {allowed:%d/%m/%Y} "
            f"({day_count(ANSWER_DAYS_SETTING)} ngày làm việc sau ngày báo cáo).")}
    return {}


def recognition_blockers(review_round: ReviewRound, on: datetime.date | None = None) -> dict:
    """{field: message} of every step of Art. 4 missing for a decision dated `on` (default today); empty
    when the chairman may recognise."""
    on = on or timezone.localdate()
    return {**meeting_blockers(review_round, on), **report_blockers(review_round, on)}
