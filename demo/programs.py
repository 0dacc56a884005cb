"""Demo support data reproducing the Đăk Tô figures of shared/domain/programs.md exactly.

Tuition exemption 1,401 pupil-times / 611 million VND; study-cost support 1,961 / 2,381 million;
preschool lunch 1,390 / 1,024 million (2022–2024); 42 cooperative groups with 412 member households;
7 community rubber-planting projects in 2024 with 141 households; vocational training 2022: 77 trained,
74 graduated; 2023: 125 / 116; 2024: 47 in training. Đắk Glei gets certificates of merit for households
that escaped poverty and party members assigned to follow poor households.
"""
import datetime
import itertools
import random

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from households.models import Household, Member
from programs.models import (
    Benefit,
    BudgetAllocation,
    Commendation,
    CommunityProject,
    CooperativeGroup,
    GroupMembership,
    Sponsorship,
    Trainee,
    TraineeStatus,
    TrainingCourse,
)
from review.models import Assessment

DAK_TO = ("23401", "23428", "23430")
DAK_GLEI = ("23341", "23344", "23356", "23365", "23368", "23374")
YEARS = (2022, 2023, 2024)
# program code, pupil-times, VND, age range of the pupils
BENEFITS = [
    ("CS-MIEN-HOC-PHI", 1401, 611_000_000, (6, 18)),
    ("CS-CHI-PHI-HOC-TAP", 1961, 2_381_000_000, (6, 18)),
    ("CS-AN-TRUA-MG", 1390, 1_024_000_000, (3, 5)),
]
COOPERATIVE_GROUPS, GROUP_MEMBERS = 42, 412
RUBBER_PROJECTS, RUBBER_HOUSEHOLDS = 7, 141
TRAINING = {2022: (77, 74, 3), 2023: (125, 116, 5), 2024: (47, None, 2)}  # trained, graduated, courses
ACTIVITIES = ["Chăn nuôi bò", "Trồng cà phê", "Trồng sâm dây", "Dệt thổ cẩm", "Nuôi cá nước ngọt", "Trồng mì",
              "Trồng lúa nước", "Chăn nuôi heo"]
TRADES = ["Kỹ thuật chăn nuôi", "Trồng trọt", "Sửa chữa máy nông nghiệp", "May công nghiệp", "Dệt thổ cẩm"]


def split(total, parts):
    """`total` into `parts` integers that add up exactly (the first ones get the remainder)."""
    base, remainder = divmod(total, parts)
    return [base + (1 if index < remainder else 0) for index in range(parts)]


def _dak_to_households():
    return list(Household.objects.filter(code__startswith="DEMO-", commune_id__in=DAK_TO).order_by("code"))


@transaction.atomic
def seed_programs():
    households = _dak_to_households()
    if not households or Benefit.objects.filter(household__code__startswith="DEMO-").exists():
        return 0
    rng = random.Random(90)
    members = list(Member.objects.filter(household__in=households).order_by("household__code", "pk"))
    benefits = _benefits(members)
    bulk_create_with_history(benefits, Benefit, batch_size=1000, default_change_reason="seed_demo")
    _budgets(benefits)
    _cooperative_groups(households)
    _rubber_projects(rng, households)
    _training(members)
    _dak_glei()
    return len(benefits)


def _benefits(members):
    benefits = []
    for code, times, total, (youngest, oldest) in BENEFITS:
        per_year = split(times, len(YEARS))
        amounts = iter(split(total, times))
        for year, count in zip(YEARS, per_year, strict=True):
            pupils = [m for m in members if m.birth_year and youngest <= year - m.birth_year <= oldest]
            pupils = pupils or members
            for index, member in zip(range(count), itertools.cycle(pupils)):
                benefits.append(Benefit(
                    program_id=code, year=year, date=datetime.date(year, 9 if index % 2 else 10, 15),
                    household_id=member.household_id, member=member, quantity=1, amount=next(amounts),
                ))
    return benefits


def _budgets(benefits):
    spent = {}
    for benefit in benefits:
        key = (benefit.program_id, benefit.year)
        spent[key] = spent.get(key, 0) + benefit.amount
    allocations = [
        # planned 5 % above what was given, rounded up to the million
        BudgetAllocation(program_id=program, year=year, area_id="612",
                         amount=-(-int(amount * 1.05) // 1_000_000) * 1_000_000)
        for (program, year), amount in spent.items()
    ]
    allocations.append(BudgetAllocation(program_id="DA2", year=2024, area_id="612", amount=3_500_000_000))
    allocations += [BudgetAllocation(program_id="DA4-TDA1", year=year, area_id="612", amount=400_000_000)
                    for year in YEARS]
    bulk_create_with_history(allocations, BudgetAllocation, default_change_reason="seed_demo")


def _cooperative_groups(households):
    by_commune = {code: [h for h in households if h.commune_id == code] for code in DAK_TO}
    sizes = split(GROUP_MEMBERS, COOPERATIVE_GROUPS)
    groups, memberships = [], []
    cursors = {code: itertools.cycle(by_commune[code]) for code in DAK_TO}
    for number, size in enumerate(sizes, start=1):
        commune = DAK_TO[number % len(DAK_TO)]
        founded = datetime.date(2021 + number % 3, 1 + number % 12, 1)
        group = CooperativeGroup(name=f"Tổ hợp tác {ACTIVITIES[number % len(ACTIVITIES)].lower()} số {number}",
                                 commune_id=commune, founded_on=founded, activity=ACTIVITIES[number % len(ACTIVITIES)])
        groups.append(group)
        for _ in range(size):
            memberships.append((group, next(cursors[commune]), founded))
    bulk_create_with_history(groups, CooperativeGroup, default_change_reason="seed_demo")
    saved = {g.name: g for g in CooperativeGroup.objects.filter(name__in=[g.name for g in groups])}
    bulk_create_with_history([
        GroupMembership(group=saved[group.name], household=household, joined_on=joined)
        for group, household, joined in memberships
    ], GroupMembership, default_change_reason="seed_demo")


def _rubber_projects(rng, households):
    chosen = rng.sample(households, RUBBER_HOUSEHOLDS)
    sizes = split(RUBBER_HOUSEHOLDS, RUBBER_PROJECTS)
    start = 0
    for number, size in enumerate(sizes, start=1):
        group = chosen[start:start + size]
        start += size
        project = CommunityProject.objects.create(
            name=f"Dự án trồng cao su cộng đồng số {number}", program_id="DA2", commune_id=group[0].commune_id,
            year=2024, budget=size * 24_000_000,
        )
        project.households.set(group)


def _training(members):
    adults = [m for m in members if m.birth_year and 16 <= 2022 - m.birth_year <= 45]
    pool = iter(adults * 2)
    for year, (trained, graduated, courses) in TRAINING.items():
        statuses = ([TraineeStatus.GRADUATED] * graduated + [TraineeStatus.DROPPED] * (trained - graduated)
                    if graduated is not None else [TraineeStatus.ENROLLED] * trained)
        sizes = split(trained, courses)
        offset = 0
        for number, size in enumerate(sizes, start=1):
            course = TrainingCourse.objects.create(
                name=f"Lớp {TRADES[(year + number) % len(TRADES)].lower()} {year}-{number}", program_id="DA4-TDA1",
                trade=TRADES[(year + number) % len(TRADES)], year=year, commune_id=DAK_TO[number % len(DAK_TO)],
            )
            bulk_create_with_history([
                Trainee(course=course, member=next(pool), status=status)
                for status in statuses[offset:offset + size]
            ], Trainee, default_change_reason="seed_demo")
            offset += size


def _dak_glei():
    escaped = (Assessment.objects.filter(household__code__startswith="DEMO-", household__commune_id__in=DAK_GLEI,
                                         year__in=(2023, 2024), movement__in=["escaped", "escaped_to_near_poor"])
               .select_related("household").order_by("year", "household__code"))
    bulk_create_with_history([
        Commendation(household=a.household, year=a.year, issuer="UBND huyện Đắk Glei",
                     decision_number=f"{100 + index}/QĐ-UBND", date=datetime.date(a.year, 12, 28))
        for index, a in enumerate(escaped)
    ], Commendation, default_change_reason="seed_demo")
    poor = (Assessment.objects.filter(household__code__startswith="DEMO-", household__commune_id__in=DAK_GLEI,
                                      year=2025, classification="poor")
            .select_related("household").order_by("household__code")[:15])
    bulk_create_with_history([
        Sponsorship(household=a.household, sponsor_name=f"Đảng viên A {name}", sponsor_kind="party_member",
                    since=datetime.date(2025, 10, 1), notes="Xã bám thôn, thôn bám hộ")
        for a, name in zip(poor, itertools.cycle(["Hùng", "Sơn", "Tuấn", "Blưk", "Đông"]))
    ], Sponsorship, default_change_reason="seed_demo")
