"""Demo review results 2022–2025: poverty near 15 % in 2022 falling about 4 points a year, every movement.

Each household follows a small Markov chain of classes (poor households escape, some near-poor fall
into poverty, some who escaped fall back); its inputs (income, deprivations) are then drawn so that the
real classification rule gives that class. Reviews before the 2025 reform are filed under the commune of
that time (the village's former parent), 2025 under today's commune. Rounds 2022–2024 are recognised by
decisions; xã Đăk Tô's 2025 round and its 2026 review run the post-reform way (demo/review_2026.py).
"""
import datetime
import random
from collections import defaultdict

from django.db import transaction
from django.db.models import Exists, OuterRef
from simple_history.utils import bulk_create_with_history

from areas.models import AdministrativeUnit, AdministrativeUnitVersion, Level
from demo.review_2026 import seed_review_2026
from households.models import Household, Member
from review.certificates import certificates_issue
from review.classification import NEAR_POOR, NOT_POOR, POOR, classify, movements_over_years
from review.labour import household_labour
from review.models import (
    Assessment,
    DecisionKind,
    PovertyStandard,
    RecognitionDecision,
    RegularReview,
    RequestKind,
    RequestProcedure,
    ReviewRequest,
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
    classes, values = zip(*weights.items(), strict=True)
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
        seed_in_year()  # a database seeded before the regular reviews existed gets them too
        return seed_review_2026()
    rng = random.Random(2022)  # the draws come in this order: classes, assessments, meetings
    plans = [_plan(rng, household) for household in households]
    assessments, rounds = _assessments(rng, plans, _Reference())
    bulk_create_with_history(assessments, Assessment, batch_size=1000, default_change_reason="seed_demo")
    # Each round's village meetings and public posting (before the lock: a recognised round takes no more).
    meetings = _meetings(rng, assessments, rounds)
    bulk_create_with_history(meetings, VillageMeeting, batch_size=1000, default_change_reason="seed_demo")
    _close_rounds(rounds)
    seed_in_year()
    return len(assessments) + seed_review_2026()  # xã Đăk Tô's 2025 recognition and its 2026 review


class _Reference:
    """What the assessments are built from: the map before and after the reform, standards, lines, members."""

    def __init__(self):
        self.former_parent = dict(
            AdministrativeUnitVersion.objects.filter(unit__level=Level.VILLAGE, valid_to__lt=REFORM)
            .values_list("unit_id", "parent_id")
        )
        self.urban = dict(AdministrativeUnit.objects.communes().values_list("code", "is_urban"))
        # Before the reform 23401 was a thị trấn (urban); the map keeps only today's kind, so read the history.
        self.urban_before = dict(self.urban)
        self.urban_before.update({
            v.unit_id: v.kind in ("thị trấn", "phường")
            for v in AdministrativeUnitVersion.objects.filter(unit__level=Level.COMMUNE, valid_to__lt=REFORM)
        })
        self.standards = {year: PovertyStandard.objects.for_year(year).get() for year in YEARS}
        self.codes = {year: list(self.standards[year].indicators.values_list("code", flat=True)) for year in YEARS}
        self.lines = all_lines()
        self.members = defaultdict(list)
        for member in Member.objects.filter(household__code__startswith="DEMO-").order_by("pk"):
            self.members[member.household_id].append(member)

    def is_urban(self, commune, year):
        return (self.urban_before if year < REFORM.year else self.urban).get(commune, False)


def _plan(rng, household):
    """The household's class in each year (the Markov chain) and the movements they make."""
    current = _start_class(rng, household.ethnic_group.is_minority)
    classes, ever_poor = {}, False
    for year in YEARS:
        if year > YEARS[0]:
            current = _next_class(rng, current, ever_poor)
        classes[year] = current
        ever_poor |= current == POOR
    return household, classes, movements_over_years(classes)


def _assessments(rng, plans, reference):
    """One assessment per household and year, classified as planned; the review rounds they belong to."""
    rounds = {}
    assessments = []
    for household, classes, moves in plans:
        for year in YEARS:
            commune = _commune_in(year, household, reference.former_parent)
            is_urban = reference.is_urban(commune, year)
            standard = reference.standards[year]
            lines = reference.lines[(standard.id, is_urban)]
            income, deprived = _inputs(rng, classes[year], lines, reference.codes[year])
            key = (commune, year)
            if key not in rounds:
                rounds[key] = ReviewRound.objects.get_or_create(commune_id=commune, year=year)[0]
            classification = classify(lines, deprivations=len(deprived), income=income)
            # the review never gives "average" (its own procedure: demo/living_standard.py): above the line, not poor
            assert classification == (NOT_POOR if classes[year] == AVERAGE else classes[year])
            rng.random()  # this draw once decided no_labour_capacity: kept, so the other draws stay as they were
            people = reference.members[household.pk]
            assessments.append(Assessment(
                household=household, year=year, standard=standard, commune_id=commune,
                village_id=household.village_id, review_round=rounds[key], is_urban=is_urban,
                income_per_capita=income, deprivations=deprivation_key(deprived), deprivation_count=len(deprived),
                # derived from the members, as assessment_save derives it (demo/households.py built them so)
                no_labour_capacity=household_labour(people, year).no_labour_capacity, livelihood=household.livelihood,
                has_social_protection_member=any(m.is_social_protection for m in people),
                has_meritorious_member=rng.random() < 0.03,
                is_ethnic_minority=household.ethnic_group.is_minority,
                classification=classification, movement=moves[year],
            ))
    return assessments, rounds


def _meetings(rng, assessments, rounds):
    """A village meeting and posting for every village of every round."""
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
    return meetings


def _close_rounds(rounds):
    """The reviews before the reform ran the old way and were recognised by each commune's chairman; the 2025
    review of xã Đăk Tô waits for its chairman, reported to the province (the new level above)."""
    for number, ((commune, year), review_round) in enumerate(sorted(rounds.items()), start=100):
        if year < REFORM.year:
            review_round.status = RoundStatus.APPROVED
            review_round.decision_number = f"{number}/QĐ-UBND"
            review_round.decision_date = datetime.date(year, 12, 15)
            review_round.submitted_at = datetime.datetime(year, 11, 14, tzinfo=datetime.timezone.utc)
            review_round.approved_at = datetime.datetime(year, 12, 15, tzinfo=datetime.timezone.utc)
            review_round._change_reason = f"seed_demo: công nhận theo quyết định {review_round.decision_number}"
            review_round.save()
            decision = RecognitionDecision(review_round=review_round, number=review_round.decision_number,
                                           decision_date=review_round.decision_date, kind=DecisionKind.RECOGNITION)
            decision._change_reason = "seed_demo"
            decision.save()
            certificates_issue(review_round=review_round)  # as round_recognise does: Mẫu số 03 per household
        elif commune == "23401":
            review_round.status = RoundStatus.SUBMITTED
            review_round.submitted_at = datetime.datetime(year, 11, 14, tzinfo=datetime.timezone.utc)
            review_round._change_reason = "seed_demo: báo cáo kết quả sơ bộ lên tỉnh"
            review_round.save()


# --- in-year: one regular review and one request (review.regular) ---------------------------------------------
IN_YEAR_COMMUNE = "23401"  # xã Đăk Tô


def seed_in_year():
    """In xã Đăk Tô: the first household (by code) poor on the 2024 lists that the 2025 review finds out of
    poverty escapes already in March 2025 by a regular review (its request of 05/03/2025, Decision
    35/QĐ-UBND of 18/03/2025, effective 20/03/2025); and the first household on no 2024 list applies on
    02/10/2025 to be reviewed in 2025. Deterministic; nothing is added when the demo has them already.
    Stored as the rest of the demo (audit rows with the reason "seed_demo"); the class before is the 2024 result."""
    demo = Household.objects.filter(code__startswith="DEMO-", commune_id=IN_YEAR_COMMUNE, status="active")
    if not demo.exists() or RegularReview.objects.filter(household__in=demo).exists():
        return
    poor_2024 = Assessment.objects.filter(household__in=demo, year=2024, classification=POOR,
                                          review_round__status=RoundStatus.APPROVED)
    escaped_2025 = poor_2024.exclude(Exists(Assessment.objects.filter(
        household=OuterRef("household"), year=2025, classification__in=[POOR, NEAR_POOR])))
    chosen = (escaped_2025.order_by("household__code").first() or poor_2024.order_by("household__code").first())
    if chosen is not None:
        household = chosen.household
        # Mẫu 04 with its steps: survey 07/03, village meeting 10/03 (28 of 31 in favour), posting 11–13/03.
        request = ReviewRequest(household=household, commune_id=IN_YEAR_COMMUNE, year=2025, kind=RequestKind.LEAVE,
                                procedure=RequestProcedure.REGULAR, requested_on=datetime.date(2025, 3, 5),
                                surveyed_on=datetime.date(2025, 3, 7), meeting_date=datetime.date(2025, 3, 10),
                                attendees=31, in_favour=28, posted_from=datetime.date(2025, 3, 11),
                                posted_to=datetime.date(2025, 3, 13),
                                note="Hộ đề nghị xét thoát nghèo: có thu nhập ổn định từ vườn cà phê")
        request._change_reason = "seed_demo"
        request.save()
        review = RegularReview(
            household=household, commune_id=IN_YEAR_COMMUNE, village_id=household.village_id, year=2024,
            request=request, previous_classification=POOR, classification=NOT_POOR,
            effective_on=datetime.date(2025, 3, 20), decision_number="35/QĐ-UBND",
            decision_date=datetime.date(2025, 3, 18), notes="Rà soát thường xuyên theo đơn đề nghị của hộ.")
        review._change_reason = "seed_demo: công nhận thoát nghèo theo rà soát thường xuyên"
        review.save()
    on_no_list = demo.exclude(Exists(Assessment.objects.filter(
        household=OuterRef("pk"), year=2024, classification__in=[POOR, NEAR_POOR]))).order_by("code").first()
    if on_no_list is not None:
        request = ReviewRequest(household=on_no_list, commune_id=IN_YEAR_COMMUNE, year=2025, kind=RequestKind.ENTER,
                                requested_on=datetime.date(2025, 10, 2),
                                note="Hộ đề nghị xét hộ nghèo: chủ hộ ốm nặng, mất khả năng lao động")
        request._change_reason = "seed_demo"
        request.save()
    _seed_refused_request(demo.exclude(pk=getattr(on_no_list, "pk", None)))


def _seed_refused_request(demo):
    """A Mẫu 04 request of 02/03/2026 that the survey and the village meeting did not bear out: the chairman's written
    reply of 16/03/2026 refuses it with its reasons (printed from the request's page)."""
    household = demo.exclude(Exists(Assessment.objects.filter(
        household=OuterRef("pk"), year=2025, classification__in=[POOR, NEAR_POOR]))).exclude(
        regular_reviews__isnull=False).order_by("code").first()
    if household is None:
        return
    request = ReviewRequest(
        household=household, commune_id=IN_YEAR_COMMUNE, year=2026, kind=RequestKind.ENTER,
        procedure=RequestProcedure.REGULAR, requested_on=datetime.date(2026, 3, 2),
        surveyed_on=datetime.date(2026, 3, 4), meeting_date=datetime.date(2026, 3, 6), attendees=35, in_favour=6,
        posted_from=datetime.date(2026, 3, 9), posted_to=datetime.date(2026, 3, 11),
        refused_on=datetime.date(2026, 3, 16), refusal_number="41/UBND",
        refusal_reasons=("Theo phiếu khảo sát ngày 04/03/2026, thu nhập bình quân của hộ là 3.100.000 đồng/người/tháng, "
                         "cao hơn chuẩn nghèo khu vực nông thôn (1.500.000 đồng).\nCuộc họp thôn ngày 06/03/2026 chỉ "
                         "6/35 người dự họp đồng ý đưa hộ vào danh sách hộ nghèo."),
        note="Hộ đề nghị xét hộ nghèo: mất mùa cà phê")
    request._change_reason = "seed_demo"
    request.save()
