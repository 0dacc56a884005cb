"""Run a round through the order of Decision 24/2021/QĐ-TTg Art. 4 in tests: every village with reviewed
households met (all in favour) and posted, the report to the level above, its opinion, the chairman's
decision. Dates in the round's year (or the next) and never ahead of today."""
import datetime

from django.contrib.auth import get_user_model

from accounts.models import Role
from review.meetings import village_meeting_save
from review.models import Assessment, ReviewRound, RoundStatus
from review.rounds import round_opinion, round_recognise, round_submit


def _admin():
    return get_user_model().objects.filter(officer__role=Role.ADMIN).first() or get_user_model().objects.filter(
        is_superuser=True).first()


def procedure_days(year: int) -> dict:
    """meeting, posting from/to, report, opinion and decision days of a round of `year`: in November and December
    of the year (working days), or a year later when those are still ahead of today."""
    base = datetime.date(year, 11, 2)
    while base.weekday() != 0:  # a Monday
        base += datetime.timedelta(days=1)
    days = {"meeting": base, "posted_from": base + datetime.timedelta(days=1),
            "posted_to": base + datetime.timedelta(days=7), "reported": base + datetime.timedelta(days=14),
            "opinion": base + datetime.timedelta(days=17), "decision": base + datetime.timedelta(days=24)}
    return days


def hold_meetings(review_round: ReviewRound, *, user=None, days=None) -> None:
    """A passed meeting and a full posting in every village with reviewed households of the round."""
    user = user or _admin()
    days = days or procedure_days(review_round.year)
    villages = set(Assessment.objects.filter(review_round=review_round).exclude(village=None)
                   .values_list("village_id", flat=True))
    villages -= set(review_round.village_meetings.values_list("village_id", flat=True))
    for village in sorted(villages):
        village_meeting_save(acting_user=user, review_round=review_round, village=village,
                             meeting_date=days["meeting"], attendees=40, in_favour=40,
                             posted_from=days["posted_from"], posted_to=days["posted_to"])


def report_up(review_round: ReviewRound, *, user=None, opinion=True, days=None) -> ReviewRound:
    """Meetings, posting, the report to the level above (and its opinion unless `opinion` is False)."""
    user = user or _admin()
    days = days or procedure_days(review_round.year)
    review_round.refresh_from_db()
    hold_meetings(review_round, user=user, days=days)
    if review_round.status == RoundStatus.OPEN:
        round_submit(acting_user=user, review_round=review_round, reported_on=days["reported"])
    if opinion:
        round_opinion(acting_user=user, review_round=review_round, opinion_date=days["opinion"],
                      opinion="Thống nhất kết quả rà soát.")
    return review_round


def recognise_in_order(review_round: ReviewRound, *, user=None, number="125/QĐ-UBND", decision_date=None,
                       confirm_unassessed=True) -> ReviewRound:
    """The whole procedure to the chairman's decision (the administrator takes every role's step unless
    `user` is given for the recognition)."""
    days = procedure_days(review_round.year)
    review_round.refresh_from_db()
    if review_round.submitted_at and review_round.status == RoundStatus.SUBMITTED:  # reported already: after it
        reported = review_round.submitted_at.date()
        days = {**days, "opinion": max(days["opinion"], reported), "decision": max(days["decision"], reported)}
    report_up(review_round, days=days)
    round_recognise(acting_user=user or _admin(), review_round=review_round, decision_number=number,
                    decision_date=decision_date or days["decision"], confirm_unassessed=confirm_unassessed)
    review_round.refresh_from_db()
    return review_round


def regular_steps(request, *, user=None):
    """The survey, a passed village meeting and a full posting of a Mẫu 04 request (review.regular_requests), on the
    days after it was made: a decision from a week after the request may cite it."""
    from review.regular_requests import regular_steps_save

    day = request.requested_on
    return regular_steps_save(
        acting_user=user or _admin(), request=request, surveyed_on=day + datetime.timedelta(days=1),
        meeting_date=day + datetime.timedelta(days=2), attendees=30, in_favour=30,
        posted_from=day + datetime.timedelta(days=3), posted_to=day + datetime.timedelta(days=7))


def recognise_round(users, chair, review_round, day):
    """Meetings, posting, report up and opinion in order (as `users["admin"]`), then `chair`'s decision of `day`."""
    report_up(review_round, user=users["admin"])
    return round_recognise(acting_user=chair, review_round=ReviewRound.objects.get(pk=review_round.pk),
                           decision_number=f"{day.year}/QĐ-UBND", decision_date=day, confirm_unassessed=True)
