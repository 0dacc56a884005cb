"""A synthetic province for benchmarks and load tests: deterministic for a seed, written with bulk inserts.

Codes live in a range no real unit uses (province 99, districts 99x, communes 99xxx), so a synthetic
province can sit beside the demo districts. The audit trail is not written for synthetic rows: they
are benchmark fixtures, not officers' work, and writing 600,000 history rows would measure the
history table rather than the application.
"""
import datetime
import random
from dataclasses import dataclass

from django.db import transaction

from areas.models import AdministrativeUnit, Level, unit_search_key
from core.text import search_key
from demo.synthetic_copy import COPY_BATCH, Loader, next_id, sequence_reset
from households.models import Gender, Household, Member, Relation, household_search_text
from programs.models import Benefit, BudgetAllocation, CooperativeGroup, GroupMembership, Trainee, TrainingCourse
from review.classification import AVERAGE, NEAR_POOR, NOT_POOR, POOR, classify, movement
from review.models import Assessment, PovertyStandard, ReviewRound, RoundStatus, deprivation_key
from review.services import all_lines

PROVINCE = "99"
BATCH = 5000

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"]
MIDDLE = {Gender.MALE: ["Văn", "Hữu", "Đức", "Minh"], Gender.FEMALE: ["Thị", "Ngọc", "Thu", "Kim"]}
GIVEN = {
    Gender.MALE: ["An", "Bình", "Cường", "Dũng", "Hùng", "Hải", "Long", "Nam", "Sơn", "Tâm", "Tuấn", "Blưk", "Đông"],
    Gender.FEMALE: ["Anh", "Hoa", "Hương", "Lan", "Linh", "Mai", "Nga", "Thảo", "Trang", "Hlin", "Blơm", "Xim"],
}
ETHNIC_WEIGHTS = [("01", 35), ("14", 30), ("13", 15), ("27", 10), ("10", 5), ("19", 5)]


@dataclass
class SyntheticProvince:
    districts: list  # empty after the 2025 reform: the communes sit under the province
    communes: list
    villages: dict  # commune code -> [village codes]


def build_areas(*, districts=10, communes=100, villages_per_commune=8):
    """Create (or reuse) the synthetic province's units; returns their codes. `districts=0`: the province after
    the 2025 reform, its communes directly under it (codes 99000–99999); else the communes spread over the
    districts (99d + two digits, as before the reform)."""
    units = [AdministrativeUnit(code=PROVINCE, name="Tỉnh Tổng Hợp", level=Level.PROVINCE, kind="tỉnh")]
    district_codes, commune_codes, villages = [], [], {}
    parents = []
    for d in range(districts):
        district = f"99{d}"
        district_codes.append(district)
        units.append(AdministrativeUnit(code=district, name=f"Huyện Số {d + 1}", level=Level.DISTRICT, kind="huyện",
                                        parent_id=PROVINCE))
        per_district = -(-communes // districts)
        parents += [(district, f"99{d}{c:02d}", f"{d + 1}-{c + 1}", c == 0) for c in range(per_district)]
    if not districts:
        parents = [(PROVINCE, f"99{c:03d}", f"{c + 1}", c % 20 == 0) for c in range(communes)]
    for parent, commune, label, town in parents[:communes]:
        commune_codes.append(commune)
        kind = "thị trấn" if town and districts else "phường" if town else "xã"
        units.append(AdministrativeUnit(code=commune, name=f"{kind.title()} {label}", level=Level.COMMUNE,
                                        kind=kind, parent_id=parent, is_urban=town))
        villages[commune] = []
        for v in range(villages_per_commune):
            village = f"{commune}-{v + 1:02d}"
            villages[commune].append(village)
            units.append(AdministrativeUnit(code=village, name=f"Thôn {v + 1}", level=Level.VILLAGE, kind="thôn",
                                            parent_id=commune))
    for unit in units:
        unit.search_name = unit_search_key(unit.kind, unit.name)
    # Parents first: levels are already in that order within each batch.
    AdministrativeUnit.objects.bulk_create(units, batch_size=BATCH, ignore_conflicts=True)
    return SyntheticProvince(district_codes, commune_codes, villages)


def _name(rng, gender, family):
    return f"{family} {rng.choice(MIDDLE[gender])} {rng.choice(GIVEN[gender])}"


HOUSEHOLD_FIELDS = ["id", "code", "commune", "village", "head_name", "ethnic_group", "address", "registered_on",
                    "search_text"]
MEMBER_FIELDS = ["household", "full_name", "search_name", "gender", "birth_year", "ethnic_group", "relation_to_head",
                 "has_labour_capacity"]


def _people(rng):
    family = rng.choice(FAMILY)
    head_gender = Gender.MALE if rng.random() < 0.8 else Gender.FEMALE
    head_year = rng.randint(1945, 2002)
    people = [(_name(rng, head_gender, family), head_gender, head_year, Relation.HEAD)]
    if rng.random() < 0.85:
        gender = Gender.FEMALE if head_gender == Gender.MALE else Gender.MALE
        people.append((_name(rng, gender, rng.choice(FAMILY)), gender, head_year + rng.randint(-4, 6), Relation.SPOUSE))
    for _ in range(rng.choices(range(6), weights=[10, 18, 30, 22, 12, 8])[0]):
        gender = rng.choice([Gender.MALE, Gender.FEMALE])
        people.append((_name(rng, gender, family), gender, min(2025, head_year + rng.randint(18, 42)), Relation.CHILD))
    if rng.random() < 0.12:
        people.append((_name(rng, Gender.FEMALE, rng.choice(FAMILY)), Gender.FEMALE,
                       max(1925, head_year - rng.randint(20, 32)), Relation.PARENT))
    return people


@transaction.atomic
def build_households(*, province, households, seed):
    """Households spread over the communes, 1-8 members each (about 4 on average), written by COPY."""
    rng = random.Random(seed)
    codes, weights = zip(*ETHNIC_WEIGHTS, strict=True)
    start = Household.objects.filter(code__startswith="SYN-").count()
    household_rows, member_rows = Loader(Household, HOUSEHOLD_FIELDS), Loader(Member, MEMBER_FIELDS)
    first_id = next_id(Household)
    for number in range(start, households):
        commune = province.communes[number % len(province.communes)]
        village = rng.choice(province.villages[commune])
        ethnic_code = rng.choices(codes, weights=weights)[0]
        people = _people(rng)
        code = f"SYN-{commune}-{number:06d}"
        household_id = first_id + number - start
        household_rows.add((household_id, code, commune, village, people[0][0], ethnic_code, f"Thôn {village[-2:]}",
                            datetime.date(rng.randint(2005, 2020), 1, 1),
                            household_search_text(code, people[0][0], [p[0] for p in people])))
        for name, gender, year, relation in people:
            member_rows.add((household_id, name, search_key(name), gender, year, ethnic_code, relation,
                             1960 <= year <= 2008 or rng.random() < 0.2))
        if len(household_rows.rows) >= COPY_BATCH // 5:
            household_rows.flush()  # parents before children
            member_rows.flush()
    household_rows.close()
    member_rows.close()
    sequence_reset(Household)
    return households - start


ASSESSMENT_FIELDS = [
    "household", "year", "standard", "commune", "village", "review_round", "is_urban", "income_per_capita",
    "deprivations", "deprivation_count", "no_labour_capacity", "has_meritorious_member", "is_ethnic_minority",
    "classification", "movement",
]


def _rounds(province, year, approved):
    ReviewRound.objects.bulk_create(
        [ReviewRound(commune_id=commune, year=year, status=RoundStatus.APPROVED if approved else RoundStatus.OPEN)
         for commune in province.communes], ignore_conflicts=True)
    return dict(ReviewRound.objects.filter(commune_id__in=province.communes, year=year).values_list("commune_id", "id"))


@transaction.atomic
def build_reviews(*, province, years, seed, first_year=2021):
    """Review results for every synthetic household and year: poverty near 18 % falling ~3 points a year,
    every kind of movement; written year by year by COPY (no per-row work in the database)."""
    rng = random.Random(seed * 31 + 7)
    rows = list(Household.objects.filter(code__startswith="SYN-").order_by("id")
                .values_list("id", "commune_id", "village_id", "ethnic_group__is_minority"))
    if not rows or Assessment.objects.filter(household_id=rows[0][0]).exists():
        return 0
    lines = all_lines()
    urban = dict(AdministrativeUnit.objects.filter(code__in=province.communes).values_list("code", "is_urban"))
    classes = {}
    ever_poor = set()
    loader = Loader(Assessment, ASSESSMENT_FIELDS)
    for year in range(first_year, first_year + years):
        standard = PovertyStandard.objects.for_year(year).get()
        codes = list(standard.indicators.values_list("code", flat=True))
        rounds = _rounds(province, year, approved=year < first_year + years - 1)
        for household_id, commune, village, minority in rows:
            previous = classes.get(household_id)
            wanted = _next_synthetic_class(rng, previous, minority, household_id in ever_poor)
            is_urban = urban.get(commune, False)
            line = lines[(standard.id, is_urban)]
            income, deprived = _synthetic_inputs(rng, wanted, line, codes)
            current = classify(line, deprivations=len(deprived), income=income)
            loader.add((household_id, year, standard.id, commune, village, rounds[commune], is_urban, income,
                        deprivation_key(deprived), len(deprived), rng.random() < 0.05, rng.random() < 0.03,
                        minority, current, movement(current, previous, household_id in ever_poor and previous != POOR)))
            classes[household_id] = current
            if current == POOR:
                ever_poor.add(household_id)
    return loader.close()


def _next_synthetic_class(rng, previous, minority, ever_poor):

    if previous is None:
        roll = rng.random()
        poor = 0.24 if minority else 0.08
        return POOR if roll < poor else NEAR_POOR if roll < poor + 0.1 else AVERAGE if roll < poor + 0.3 else NOT_POOR
    weights = {
        POOR: (60, 25, 10, 5), NEAR_POOR: (7, 55, 25, 13), AVERAGE: (3, 6, 68, 23), NOT_POOR: (1, 2, 7, 90),
    }[previous]
    choices = [POOR, NEAR_POOR, AVERAGE, NOT_POOR]
    if ever_poor and previous != POOR:
        weights = (weights[0] + 5, *weights[1:])
    return rng.choices(choices, weights=weights)[0]


def _synthetic_inputs(rng, wanted, line, codes):

    average = line.average_line or line.income_line * 3 // 2
    if wanted == POOR:
        return rng.randint(line.income_line // 2, line.income_line), rng.sample(codes, rng.randint(3, 6))
    if wanted == NEAR_POOR:
        low = (line.absolute_line or 0) + 1
        return rng.randint(max(low, line.income_line * 6 // 10), line.income_line), rng.sample(codes, rng.randint(0, 2))
    if wanted == AVERAGE:
        return rng.randint(line.income_line + 1, average), rng.sample(codes, rng.randint(0, 3))
    return rng.randint(average + 1, average * 3), rng.sample(codes, rng.randint(0, 2))


def build_support(*, province, years, seed, first_year=2021):
    """Benefits for poor households, some cooperative groups and training courses (bulk)."""
    if Benefit.objects.filter(household__code__startswith="SYN-").exists():
        return 0
    rng = random.Random(seed * 17 + 3)
    programs = ["CS-MIEN-HOC-PHI", "CS-CHI-PHI-HOC-TAP", "CS-AN-TRUA-MG", "CS-BHYT"]
    benefits = Loader(Benefit, ["program", "year", "date", "household", "quantity", "amount"])
    for year in range(first_year, first_year + years):
        poor = Assessment.objects.filter(household__code__startswith="SYN-", year=year, classification=POOR)
        for household_id in poor.order_by("household_id").values_list("household_id", flat=True).iterator(
                chunk_size=BATCH):
            benefits.add((rng.choice(programs), year, datetime.date(year, 9, 15), household_id, 1,
                          rng.choice([160_000, 450_000, 1_350_000])))
        for area in province.districts or [PROVINCE]:  # after the reform the province allocates to itself
            for program in programs:
                BudgetAllocation.objects.get_or_create(program_id=program, year=year, area_id=area,
                                                       defaults={"amount": 2_000_000_000})
    benefits.close()
    groups, memberships, courses = [], [], []
    for number, commune in enumerate(province.communes):
        groups.append(CooperativeGroup(name=f"Tổ hợp tác {number}", commune_id=commune,
                                       founded_on=datetime.date(first_year, 3, 1), activity="Chăn nuôi"))
        courses.append(TrainingCourse(name=f"Lớp nghề {number}", program_id="DA4-TDA1", trade="May",
                                      year=first_year + number % years, commune_id=commune))
    CooperativeGroup.objects.bulk_create(groups)
    TrainingCourse.objects.bulk_create(courses)
    for group in CooperativeGroup.objects.filter(name__startswith="Tổ hợp tác ", commune_id__in=province.communes):
        for household_id in Household.objects.filter(commune_id=group.commune_id).values_list("id", flat=True)[:10]:
            memberships.append(GroupMembership(group=group, household_id=household_id,
                                               joined_on=datetime.date(first_year, 3, 1)))
    GroupMembership.objects.bulk_create(memberships, batch_size=BATCH)
    trainees = []
    for course in TrainingCourse.objects.filter(name__startswith="Lớp nghề ", commune_id__in=province.communes):
        for member_id in Member.objects.filter(household__commune_id=course.commune_id).values_list("id", flat=True)[:20]:
            trainees.append(Trainee(course=course, member_id=member_id, status=rng.choice(["graduated", "enrolled", "dropped"])))
    Trainee.objects.bulk_create(trainees, batch_size=BATCH)
    return len(trainees)
