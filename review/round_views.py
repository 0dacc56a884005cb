"""The pages of a round: its recognition lists (with the village meetings) and the district's progress board
of every commune's round, against the review calendar (review.calendar)."""
import datetime
from collections import Counter

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from areas.models import AdministrativeUnit
from review.calendar import decision_24_calendar, level_above_name
from review.models import Assessment, Movement, ReviewRound, RoundStatus, VillageMeeting
from review.models.rounds import majority_label
from review.placement import review_communes
from review.province_calendars import commune_calendars
from review.round_guidance import missing_steps
from review.selectors import progress_counts, villages_under
from review.views import commune_or_404, year_or_404

# Years the progress board shows (its year input offers the same range): outside them there is no review
# and no calendar date to compute deadlines from.
FIRST_YEAR, LAST_YEAR = 2000, 2100


@login_required
def recognition_lists(request, commune, year):
    commune = commune_or_404(request.user, commune)
    year_or_404(year)
    base = (Assessment.objects.visible_to(request.user).filter(commune=commune, year=year)
            .select_related("household", "village", "household__ethnic_group").order_by("village", "household__code"))
    lists = [
        ("Danh sách hộ nghèo", base.poor()),
        ("Danh sách hộ cận nghèo", base.near_poor()),
        ("Danh sách hộ thoát nghèo", base.escaped()),
        ("Danh sách hộ nghèo phát sinh mới", base.filter(movement__in=[Movement.NEWLY_POOR, Movement.RELAPSED])),
    ]
    review_round = ReviewRound.objects.visible_to(request.user).filter(commune=commune, year=year).first()
    meetings = list(VillageMeeting.objects.visible_to(request.user).filter(review_round=review_round)
                    .select_related("village").order_by("village")) if review_round else []
    recorded = {meeting.village_id for meeting in meetings}
    unrecorded = list(AdministrativeUnit.objects.filter(
        code__in=[code for code in villages_under(commune.code, year) if code not in recorded]).order_by("code"))
    context = {"commune": commune, "year": year, "lists": lists, "review_round": review_round,
               "meetings": meetings, "unrecorded_villages": unrecorded, "level_above_name": level_above_name(year),
               "majority_label": majority_label(),
               # which step of Decision 24 Art. 4 the recognition still waits for, and where to record it
               "round_blockers": missing_steps(request.user, review_round),
               "decisions": list(review_round.decisions.order_by("decision_date", "pk")) if review_round else []}
    return render(request, "review/lists.html", context)


@login_required
def progress_board(request):
    try:
        year = int(request.GET.get("year") or datetime.date.today().year)
    except ValueError:
        return render(request, "review/progress.html", {"error": "Năm không hợp lệ."}, status=400)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return render(request, "review/progress.html",
                      {"error": f"Năm phải từ {FIRST_YEAR} đến {LAST_YEAR} (bạn nhập {year})."}, status=400)
    # The communes of the year's review (in force the day it opens: none merged away before it), their
    # households of that review (review.placement) and the list to review of each, how much of it is assessed.
    communes = list(review_communes(year).visible_to(request.user).order_by("parent_id", "code"))
    assessed, rounds, listed, registered = progress_counts(request.user, [c.code for c in communes], year)
    today = datetime.date.today()
    # Each commune's dates: its province's plan for the year, else Decision 24's (review.calendar)
    calendars = commune_calendars(year, [commune.code for commune in communes])
    rows = []
    for commune in communes:
        review_round = rounds.get(commune.code)
        status = review_round.status if review_round else None
        to_review = listed.get(commune.code, {"n": 0, "done": 0})
        dates = calendars[commune.code]
        rows.append({
            "commune": commune, "round": review_round, "assessed": assessed.get(commune.code, 0),
            "registered": registered.get(commune.code, 0), "to_review": to_review["n"], "to_review_assessed": to_review["done"],
            # Progress against the list to review, not against every registered household.
            "share": round(100 * to_review["done"] / to_review["n"]) if to_review["n"] else None,
            # the reports are due BEFORE these days: late on the day itself
            "late": status != RoundStatus.APPROVED and today >= dates.official_by,
            "behind": status in (None, RoundStatus.OPEN) and today >= dates.preliminary_by,
        })
    context = {"year": year, "rows": rows, **_calendar_cards(list(calendars.values()) or [decision_24_calendar(year)], today)}
    return render(request, "review/progress.html", context)


def _calendar_cards(calendars, today):
    """The cards at the top of the board: the calendar most of the board's communes work to (one province's, as a
    rule), and how many communes work to another one."""
    shown = Counter(calendars).most_common(1)[0][0]
    window_state = shown.window_state(today)
    return {"calendar": shown, "other_calendars": len(calendars) - calendars.count(shown),
            "preliminary": shown.preliminary_by, "official": shown.official_by,
            "days_to_preliminary": (shown.preliminary_by - today).days,
            "days_to_official": (shown.official_by - today).days,
            "overdue_preliminary": max(0, (today - shown.preliminary_by).days + 1),
            "overdue_official": max(0, (today - shown.official_by).days + 1),
            "window_opens": shown.survey_starts, "window_closes": shown.window_closes, "window_state": window_state}
