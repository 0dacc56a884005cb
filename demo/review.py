"""Demo review results 2022–2025: poverty near 15 % in 2022 falling about 4 points a year, every movement.

Each household follows a small Markov chain of classes (poor households escape, some near-poor fall
into poverty, some who escaped fall back); its inputs (income, deprivations) are then drawn so that the
real classification rule gives that class. Reviews before the 2025 reform are filed under the commune of
that time (the village's former parent), 2025 under today's commune. Rounds 2022–2024 are approved.
"""
import datetime
import random

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from areas.models import AdministrativeUnit, AdministrativeUnitVersion, Level
from households.models import Household
from review.classification import NEAR_POOR, NOT_POOR, POOR, classify, movements_over_years
from review.models import (
    Assessment,
    PovertyStandard,
    ReviewRound,
    RoundStatus,
    VillageMeeting,
    deprivation_key,
)
from review.services import all_lines

AVERAGE = "average"
YEARS = (2022, 2023, 2024, 2025)
REFORM = datetime.date(2025, 7, 1)
# Next year's class given this year's (and whether the household was ever poor): weights.
TRANSITIONS = {
    POOR: {POOR: 48, NEAR_POOR: 32, AVERAGE: 13, NOT_POOR: 7},
    NEAR_POOR: {POOR: 4, NEAR_POOR: 50, AVERAGE: 30, NOT_POOR: 16},
    AVERAGE: {POOR: 2, NEAR_POOR: 5, AVERAGE: 70, NOT_POOR: 23},
    NOT_POOR: {POOR: 1, NEAR_POOR: 2, AVERAGE: 7, NOT_POOR: 90},
}
RELAPSE_BONUS = 6  # households that escaped fall back a little more often


def _start_class(rng, minority):
    roll = rng.random() * 100
    poor, near = (17, 12) if minority else (5, 6)
    if roll < poor:
        return POOR
    if roll < poor + near:
        return NEAR_POOR
    return AVERAGE if roll < poor + near + 18 else NOT_POOR


def _next_class(rng, current, ever_poor):
    weights = dict(TRANSITIONS[current])
    if ever_poor and current != POOR:
        weights[POOR] += RELAPSE_BONUS
    classes, values = zip(*weights.items())
    return rng.choices(classes, weights=values)[0]


def _inputs(rng, wanted, lines, codes):
    """Income and deprivations that the rule classifies as `wanted`."""
    line, average = lines.income_line, lines.average_line or lines.income_line * 3 // 2
    if wanted == POOR:
        income, count = rng.randint(line // 2, line), rng.randint(lines.min_deprivations, 6)
    elif wanted == NEAR_POOR:
        income, count = rng.randint(line * 6 // 10, line), rng.randint(0, lines.min_deprivations - 1)
    elif wanted == AVERAGE:
        income, count = rng.randint(line + 1, average), rng.randint(0, 4)
    else:
        income, count = rng.randint(average + 1, average * 5 // 2), rng.randint(0, 2)
    income -= income % 10_000  # officers write round figures
    if wanted == AVERAGE and income <= line:
        income = line + 10_000
    if wanted == NOT_POOR and income <= average:
        income = average + 10_000
    return income, rng.sample(codes, count)


def _commune_in(year, household, former_parent):
    if year < REFORM.year:
        return former_parent.get(household.village_id, household.commune_id)
    return household.commune_id


@transaction.atomic
def seed_reviews():
    households = list(Household.objects.filter(code__startswith="DEMO-").select_related("ethnic_group"))
    if not households or Assessment.objects.filter(household__code__startswith="DEMO-").exists():
        return 0
    rng = random.Random(2022)
    former_parent = dict(
        AdministrativeUnitVersion.objects.filter(unit__level=Level.VILLAGE, valid_to__lt=REFORM)
        .values_list("unit_id", "parent_id")
    )
    urban = dict(AdministrativeUnit.objects.communes().values_list("code", "is_urban"))
    # Before the reform 23401 was a thị trấn (urban); the map keeps only today's kind, so read the history.
    urban_before = dict(urban)
    urban_before.update({
        v.unit_id: v.kind in ("thị trấn", "phường")
        for v in AdministrativeUnitVersion.objects.filter(unit__level=Level.COMMUNE, valid_to__lt=REFORM)
    })
    standards = {year: PovertyStandard.objects.for_year(year).get() for year in YEARS}
    codes = {year: list(standards[year].indicators.values_list("code", flat=True)) for year in YEARS}
    lines = all_lines()

    plans = []
    for household in households:
        current = _start_class(rng, household.ethnic_group.is_minority)
        classes, ever_poor = {}, False
        for year in YEARS:
            if year > YEARS[0]:
                current = _next_class(rng, current, ever_poor)
            classes[year] = current
            ever_poor |= current == POOR
        plans.append((household, classes, movements_over_years(classes)))

    rounds = {}
    assessments = []
    for household, classes, moves in plans:
        for year in YEARS:
            commune = _commune_in(year, household, former_parent)
            is_urban = (urban_before if year < REFORM.year else urban).get(commune, False)
            village = household.village_id
            standard = standards[year]
            income, deprived = _inputs(rng, classes[year], lines[(standard.id, is_urban)], codes[year])
            key = (commune, year)
            if key not in rounds:
                rounds[key] = ReviewRound.objects.get_or_create(commune_id=commune, year=year)[0]
            classification = classify(lines[(standard.id, is_urban)], deprivations=len(deprived), income=income)
            assert classification == classes[year]
            assessments.append(Assessment(
                household=household, year=year, standard=standard, commune_id=commune, village_id=village,
                review_round=rounds[key], is_urban=is_urban, income_per_capita=income,
                deprivations=deprivation_key(deprived), deprivation_count=len(deprived),
                no_labour_capacity=rng.random() < 0.04, has_meritorious_member=rng.random() < 0.03,
                is_ethnic_minority=household.ethnic_group.is_minority,
                classification=classification, movement=moves[year],
            ))
    bulk_create_with_history(assessments, Assessment, batch_size=1000, default_change_reason="seed_demo")
    # Each round's village meetings and public posting (before the lock: a recognised round takes no more).
    villages = {}
    for assessment in assessments:
        if assessment.village_id:
            villages.setdefault((assessment.commune_id, assessment.year), set()).add(assessment.village_id)
    meetings = []
    for (commune, year), review_round in rounds.items():
        for village in sorted(villages.get((commune, year), ())):
            attendees = rng.randint(30, 80)
            meetings.append(VillageMeeting(
                review_round=review_round, village_id=village, meeting_date=datetime.date(year, 11, 5),
                attendees=attendees, in_favour=attendees - rng.randint(0, attendees // 4),
                posted_from=datetime.date(year, 11, 6), posted_to=datetime.date(year, 11, 10)))
    bulk_create_with_history(meetings, VillageMeeting, batch_size=1000, default_change_reason="seed_demo")
    # The reviews before the reform ran the old way and were recognised by each commune's chairman; the 2025
    # review of xã Đăk Tô waits for its chairman, reported to the province (the new level above).
    for number, ((commune, year), review_round) in enumerate(sorted(rounds.items()), start=100):
        if year < REFORM.year:
            review_round.status = RoundStatus.APPROVED
            review_round.decision_number = f"{number}/QĐ-UBND"
            review_round.decision_date = datetime.date(year, 12, 15)
            review_round.submitted_at = datetime.datetime(year, 11, 14, tzinfo=datetime.timezone.utc)
            review_round.approved_at = datetime.datetime(year, 12, 15, tzinfo=datetime.timezone.utc)
            review_round._change_reason = f"seed_demo: công nhận theo quyết định {review_round.decision_number}"
            review_round.save()
        elif commune == "23401":
            review_round.status = RoundStatus.SUBMITTED
            review_round.submitted_at = datetime.datetime(year, 11, 14, tzinfo=datetime.timezone.utc)
            review_round._change_reason = "seed_demo: báo cáo kết quả sơ bộ lên tỉnh"
            review_round.save()
    return len(assessments)
