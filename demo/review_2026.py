"""The demo's review of xã Đăk Tô (23401) run the post-reform way (Decision 24/2021/QĐ-TTg Art. 4, the province
as the level above): the 2025 round, reported to the province in November 2025, is recognised by the commune
chairman on 16/12/2025 after the province's opinion; the 2026 review (first under the 2026–2030 standard) is
surveyed, met in every village, posted for its working days, reported to the province on 20/11/2026, answered
by the province on 26/11/2026 and recognised by the chairman's Decision 300/QĐ-UBND of 03/12/2026, which
issues the certificates (Mẫu số 03) dated by it.

Seeded like the rest of the demo (rows written directly, audit rows with the reason "seed_demo"), in the order
the law runs it: before each lock, review.round_order.recognition_blockers must find nothing missing, so the
demo never shows a recognition the product would refuse. Deterministic (its own random generator).
"""
import datetime
import random

from simple_history.utils import bulk_create_with_history

from households.models import Household
from review.certificates import certificates_issue
from review.classification import NEAR_POOR, NOT_POOR, POOR, classify, movements_over_years
from review.labour import household_labour
from review.models import (
    Assessment,
    DecisionKind,
    PovertyStandard,
    RecognitionDecision,
    ReviewRound,
    RoundStatus,
    VillageMeeting,
    deprivation_key,
)
from review.round_order import recognition_blockers
from review.standards import all_lines

COMMUNE = "23401"  # xã Đăk Tô
YEAR = 2026
UTC = datetime.timezone.utc
# (report up, the province's opinion, the chairman's decision): 2025, then 2026.
STEPS = {
    2025: (datetime.datetime(2025, 11, 14, 9, tzinfo=UTC), datetime.date(2025, 11, 24), "215/QĐ-UBND",
           datetime.date(2025, 12, 16)),
    2026: (datetime.datetime(2026, 11, 20, 9, tzinfo=UTC), datetime.date(2026, 11, 26), "300/QĐ-UBND",
           datetime.date(2026, 12, 3)),
}
# This year's class given last year's: weights (poverty keeps falling).
TRANSITIONS = {POOR: {POOR: 50, NEAR_POOR: 30, NOT_POOR: 20}, NEAR_POOR: {POOR: 5, NEAR_POOR: 55, NOT_POOR: 40},
               NOT_POOR: {POOR: 2, NEAR_POOR: 4, NOT_POOR: 94}}
OPINION = "UBND tỉnh thống nhất với kết quả rà soát của xã; đề nghị Chủ tịch UBND xã công nhận theo quy định."


def seed_review_2026():
    """Recognise xã Đăk Tô's 2025 round, then run its 2026 review to the decision. Nothing is added when the
    demo has the 2026 round already, or no households in the commune."""
    if ReviewRound.objects.filter(commune_id=COMMUNE, year=YEAR).exists():
        return 0
    households = list(Household.objects.filter(code__startswith="DEMO-", commune_id=COMMUNE, status="active")
                      .select_related("ethnic_group", "commune").prefetch_related("members").order_by("code"))
    if not households:
        return 0
    previous = ReviewRound.objects.filter(commune_id=COMMUNE, year=YEAR - 1).first()
    if previous is not None and previous.status == RoundStatus.SUBMITTED:
        _recognise(previous)
    review_round = ReviewRound.objects.create(commune_id=COMMUNE, year=YEAR)
    assessments = _assessments(random.Random(YEAR), households, review_round)
    bulk_create_with_history(assessments, Assessment, batch_size=1000, default_change_reason="seed_demo")
    _meetings(random.Random(YEAR + 1), review_round, {a.village_id for a in assessments if a.village_id})
    _recognise(review_round)
    return len(assessments)


def _assessments(rng, households, review_round):
    standard = PovertyStandard.objects.for_year(YEAR).get()
    codes = list(standard.indicators.values_list("code", flat=True))
    lines = all_lines()
    history = {}
    for household_id, year, classification in Assessment.objects.filter(
            household__in=households, year__lt=YEAR).values_list("household_id", "year", "classification"):
        history.setdefault(household_id, {})[year] = classification
    result = []
    for household in households:
        classes = history.get(household.pk, {})
        before = classes.get(YEAR - 1, NOT_POOR)
        weights = TRANSITIONS[before if before in TRANSITIONS else NOT_POOR]
        wanted = rng.choices(list(weights), weights=list(weights.values()))[0]
        household_lines = lines[(standard.id, bool(household.commune.is_urban))]
        income, deprived = _inputs(rng, wanted, household_lines, codes)
        classification = classify(household_lines, deprivations=len(deprived), income=income)
        people = list(household.members.all())
        result.append(Assessment(
            household=household, year=YEAR, standard=standard, commune_id=COMMUNE, village_id=household.village_id,
            review_round=review_round, is_urban=bool(household.commune.is_urban), income_per_capita=income,
            deprivations=deprivation_key(deprived), deprivation_count=len(deprived),
            no_labour_capacity=household_labour(people, YEAR).no_labour_capacity, livelihood=household.livelihood,
            has_social_protection_member=any(m.is_social_protection for m in people),
            is_ethnic_minority=household.ethnic_group.is_minority, classification=classification,
            movement=movements_over_years({**classes, YEAR: classification})[YEAR]))
    return result


def _inputs(rng, wanted, lines, codes):
    """Income (round figures) and deprivations that the rule classifies as `wanted`."""
    line, least = lines.income_line, lines.min_deprivations
    if wanted == POOR:
        income, count = rng.randint(line // 2, line), rng.randint(least, min(6, len(codes)))
    elif wanted == NEAR_POOR:
        income, count = rng.randint(line * 6 // 10, line), rng.randint(0, least - 1)
    else:
        income, count = rng.randint(line + 10_000, line * 3), rng.randint(0, 2)
    income -= income % 10_000
    if wanted == NOT_POOR and income <= line:
        income = line + 10_000
    return income, rng.sample(codes, count)


def _meetings(rng, review_round, villages):
    """Every village meets on 02/11/2026 (all pass) and posts its result from 03 to 09/11/2026."""
    meetings = []
    for village in sorted(villages):
        attendees = rng.randint(30, 80)
        meetings.append(VillageMeeting(
            review_round=review_round, village_id=village, meeting_date=datetime.date(YEAR, 11, 2),
            attendees=attendees, in_favour=attendees - rng.randint(0, attendees // 4),
            posted_from=datetime.date(YEAR, 11, 3), posted_to=datetime.date(YEAR, 11, 9)))
    bulk_create_with_history(meetings, VillageMeeting, batch_size=1000, default_change_reason="seed_demo")


def _recognise(review_round):
    """Report to the province, its opinion, the chairman's decision (checked against the order of Art. 4),
    the certificates dated by it."""
    reported, opinion_on, number, day = STEPS[review_round.year]
    review_round.status, review_round.submitted_at = RoundStatus.SUBMITTED, reported
    review_round.opinion_date, review_round.opinion = opinion_on, OPINION
    review_round._change_reason = f"seed_demo: báo cáo, xin ý kiến tỉnh; tỉnh có ý kiến ngày {opinion_on:%d/%m/%Y}"
    review_round.save()
    missing = recognition_blockers(review_round, day)
    assert not missing, missing  # the demo follows the order the product enforces
    decision = RecognitionDecision(review_round=review_round, number=number, decision_date=day,
                                   kind=DecisionKind.RECOGNITION)
    decision._change_reason = "seed_demo"
    decision.save()
    review_round.status, review_round.decision_number, review_round.decision_date = RoundStatus.APPROVED, number, day
    review_round.approved_at = datetime.datetime.combine(day, datetime.time(10), tzinfo=UTC)
    review_round._change_reason = f"seed_demo: Chủ tịch UBND xã công nhận theo quyết định {number}"
    review_round.save()
    certificates_issue(review_round=review_round)
