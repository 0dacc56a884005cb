"""Demo data for the two demo districts (Đắk Tô 612, Đắk Glei 610): areas, households, accounts.

Deterministic (a fixed random seed) and idempotent: each part checks what is already there.
"""
import random
from pathlib import Path

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from accounts.models import Role
from accounts.services import officer_save
from areas.models import AdministrativeUnit, AdministrativeUnitVersion, Level
from areas.services import areas_import
from core.text import search_key
from demo.programs import seed_programs
from demo.review import seed_reviews
from households.models import EthnicGroup, Gender, Household, Livelihood, Member, Relation, household_search_text

DATA = Path(__file__).resolve().parent / "data"
KON_TUM_MAP = Path(__file__).resolve().parent.parent / "areas" / "data" / "admin_units_kontum.csv"
HOUSEHOLDS_PER_DISTRICT = 300
SEED = 612

DEMO_ACCOUNTS = [
    # username, role, areas, description shown by `make run`
    ("admin", Role.ADMIN, [], "quản trị viên, xem và sửa mọi thứ"),
    ("district", Role.DISTRICT_OFFICER, ["612"], "cán bộ huyện Đắk Tô (612)"),
    ("commune", Role.COMMUNE_OFFICER, ["23401"], "cán bộ xã Đăk Tô (23401)"),
    ("leader", Role.LEADER, ["612"], "lãnh đạo huyện Đắk Tô (612), chỉ xem"),
    ("chair", Role.COMMUNE_CHAIR, ["23401"], "Chủ tịch UBND xã Đăk Tô (23401): công nhận kết quả rà soát"),
    ("province", Role.PROVINCE_OFFICER, ["51"], "cán bộ tỉnh Quảng Ngãi (51, gồm Kon Tum cũ): tổng hợp, trả lại, mở lại"),
]

# Ethnic mix per district (121-TCTK codes): Kinh 01, Ba-na 13, Xơ-đăng 14, Gié-Triêng 27.
ETHNIC_MIX = {
    "612": [("14", 55), ("01", 30), ("13", 12), ("27", 3)],
    "610": [("27", 45), ("14", 40), ("01", 15)],
}

KINH_FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Võ", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ"]
KINH_MIDDLE_MALE = ["Văn", "Hữu", "Đức", "Minh", "Quang", "Thanh"]
KINH_MIDDLE_FEMALE = ["Thị", "Thị", "Ngọc", "Thu", "Kim"]
KINH_GIVEN_MALE = ["An", "Bình", "Cường", "Dũng", "Hùng", "Hải", "Long", "Nam", "Phong", "Sơn", "Tâm", "Tuấn", "Việt"]
KINH_GIVEN_FEMALE = ["Anh", "Hoa", "Hương", "Lan", "Linh", "Mai", "Nga", "Nhung", "Phương", "Thảo", "Trang", "Yến"]
# Highland names in Kon Tum: "A" before a man's name, "Y" before a woman's.
HIGHLAND_GIVEN_MALE = ["Blưk", "Đông", "Hùng", "Kông", "Lới", "Mar", "Nhen", "Phước", "Sơn", "Thuận", "Tươi", "Vang",
                       "Xuân", "Khởi", "Rin", "Dũng", "Brông", "Hiếu"]
HIGHLAND_GIVEN_FEMALE = ["Hoa", "Hlin", "Nga", "Blơm", "Hên", "Mai", "Ngơn", "Rơ", "Thuý", "Xim", "Bích", "Hiền",
                         "Dung", "Lên", "Pết", "Krin"]


def _person_name(rng, ethnic_code, gender, family=None):
    if ethnic_code == "01":
        family = family or rng.choice(KINH_FAMILY)
        middle = rng.choice(KINH_MIDDLE_MALE if gender == Gender.MALE else KINH_MIDDLE_FEMALE)
        given = rng.choice(KINH_GIVEN_MALE if gender == Gender.MALE else KINH_GIVEN_FEMALE)
        return f"{family} {middle} {given}", family
    prefix = "A" if gender == Gender.MALE else "Y"
    given = rng.choice(HIGHLAND_GIVEN_MALE if gender == Gender.MALE else HIGHLAND_GIVEN_FEMALE)
    return f"{prefix} {given}", None


def seed_areas():
    areas_import(path=KON_TUM_MAP)
    areas_import(path=DATA / "demo_villages.csv")


def _villages_by_district():
    """Villages grouped by the district their commune belonged to before the 2025 reform."""
    villages = {"612": [], "610": []}
    units = AdministrativeUnit.objects.filter(level=Level.VILLAGE, note__startswith="demo")
    current_parent = dict(AdministrativeUnit.objects.values_list("code", "parent_id"))
    former_parent = dict(
        AdministrativeUnitVersion.objects.exclude(valid_to=None).values_list("unit_id", "parent_id")
    )

    def before_reform(code):
        return former_parent.get(code, current_parent.get(code))

    for village in units.order_by("code"):
        district = before_reform(before_reform(village.code))
        if district in villages:
            villages[district].append(village)
    return villages


def _weighted(rng, choices):
    codes, weights = zip(*choices, strict=True)
    return rng.choices(codes, weights=weights)[0]


# Households built to have no labour capacity (review.labour derives it from the members; demo/review.py stores
# what it derives): an elderly couple past the retirement age with young grandchildren, and a head of working
# age who cannot work (severe disability) raising young children. Drawn from a random stream of their own, so
# that the rest of the demo (names, classes, programmes) stays as it was.
ELDERLY, DISABLED = "elderly", "disabled"
KIND_WEIGHTS = [(ELDERLY, 4), (DISABLED, 1), ("", 95)]
SOCIAL_PROTECTION_BORN_BY = 1945  # 80 years old by the 2025 review: the old-age social allowance (simplified)


def _livelihood(rng, village):
    """Mostly farming; most households of a town's residential groups (tổ dân phố) live from other trades."""
    if village.kind == "tổ dân phố":
        return Livelihood.OTHER if rng.random() < 0.7 else Livelihood.AGRICULTURE
    return _weighted(rng, [(Livelihood.AGRICULTURE, 91), (Livelihood.FORESTRY, 4), (Livelihood.OTHER, 5)])


def _with_birth_year(member, year):
    """The member born in `year`, their national ID (which encodes the birth year) following."""
    member.birth_year = year
    if member.national_id:
        century_gender = (0 if member.gender == Gender.MALE else 1) + (2 if year >= 2000 else 0)
        member.national_id = f"062{century_gender}{year % 100:02d}{member.national_id[-6:]}"


def _shape_labour(rng, kind, people):
    """The household's members as its kind wants them (`people`: its Member objects, head first); returns
    those that stay."""
    head, others = people[0], people[1:]
    if kind == ELDERLY:
        people = _elderly_with_grandchildren(rng, head, others)
    elif kind == DISABLED:
        people = _disabled_head_with_children(rng, head, others)
    else:
        for member in others:  # now and then a working-age member seriously ill
            if 1965 <= (member.birth_year or 0) <= 2005 and rng.random() < 0.015:
                member.has_labour_capacity, member.has_disability = False, True
    for member in people:
        if member.birth_year and member.birth_year <= SOCIAL_PROTECTION_BORN_BY:
            member.is_social_protection = True
    return people


def _elderly_with_grandchildren(rng, head, others):
    _with_birth_year(head, rng.randint(1938, 1956))
    kept = [head]
    for member in others:
        if member.relation_to_head == Relation.SPOUSE:
            _with_birth_year(member, rng.randint(1938, 1957))
        elif member.relation_to_head == Relation.CHILD and len(kept) < 4:
            member.relation_to_head = Relation.GRANDCHILD  # the children work away: grandchildren stay
            _with_birth_year(member, rng.randint(2011, 2019))
        else:
            continue
        kept.append(member)
    return kept


def _disabled_head_with_children(rng, head, others):
    _with_birth_year(head, rng.randint(1975, 1990))
    head.has_labour_capacity, head.has_disability, head.is_social_protection = False, True, True
    kept = [head]
    for member in others:
        if member.relation_to_head == Relation.CHILD:
            _with_birth_year(member, rng.randint(2011, 2020))
        elif member.relation_to_head == Relation.PARENT:
            _with_birth_year(member, head.birth_year - rng.randint(25, 30))
        else:
            continue  # a widowed or separated head
        kept.append(member)
    return kept


@transaction.atomic
def seed_households():
    if Household.objects.filter(code__startswith="DEMO-").exists():
        return 0
    rng = random.Random(SEED)
    labour_rng = random.Random(SEED + 1)  # the households' kinds and livelihoods: see _shape_labour
    ethnic = EthnicGroup.objects.in_bulk()
    households, members = [], []
    id_serial = 0
    for district, villages in _villages_by_district().items():
        for number in range(1, HOUSEHOLDS_PER_DISTRICT + 1):
            village = villages[number % len(villages)]
            commune_code = village.parent_id
            ethnic_code = _weighted(rng, ETHNIC_MIX[district])
            head_gender = Gender.MALE if rng.random() < 0.8 else Gender.FEMALE
            head_name, family = _person_name(rng, ethnic_code, head_gender)
            head_year = rng.randint(1950, 2000)
            household = Household(
                code=f"DEMO-{commune_code}-{number:04d}", commune_id=commune_code, village=village,
                head_name=head_name, ethnic_group=ethnic[ethnic_code],
                address=f"{village.get_kind_display()} {village.name}",
                registered_on=f"{rng.randint(2010, 2021)}-01-01",
            )
            people = [(head_name, head_gender, head_year, Relation.HEAD)]
            if rng.random() < 0.85:
                spouse_gender = Gender.FEMALE if head_gender == Gender.MALE else Gender.MALE
                spouse_name, _ = _person_name(rng, ethnic_code, spouse_gender)
                people.append((spouse_name, spouse_gender, head_year + rng.randint(-3, 5), Relation.SPOUSE))
            for _ in range(rng.choices([0, 1, 2, 3, 4, 5], weights=[8, 15, 30, 25, 14, 8])[0]):
                gender = rng.choice([Gender.MALE, Gender.FEMALE])
                name, _ = _person_name(rng, ethnic_code, gender, family)
                people.append((name, gender, min(2025, head_year + rng.randint(18, 40)), Relation.CHILD))
            if rng.random() < 0.15:
                name, _ = _person_name(rng, ethnic_code, Gender.FEMALE)
                people.append((name, Gender.FEMALE, max(1930, head_year - rng.randint(20, 30)), Relation.PARENT))
            household.livelihood = _livelihood(labour_rng, village)
            kind = _weighted(labour_rng, KIND_WEIGHTS)
            household.search_text = household_search_text(household.code, household.head_name, [p[0] for p in people])
            households.append(household)
            built = []
            for name, gender, year, relation in people:
                national_id = None
                if year <= 2008 and rng.random() < 0.6:
                    id_serial += 1
                    century_gender = (0 if gender == Gender.MALE else 1) + (2 if year >= 2000 else 0)
                    national_id = f"062{century_gender}{year % 100:02d}{id_serial:06d}"
                if year < 1960 or year > 2010:
                    rng.random()  # this draw once decided the capacity: kept, so the other draws stay as they were
                built.append(Member(
                    full_name=name, search_name=search_key(name), gender=gender, birth_year=year,
                    ethnic_group=ethnic[ethnic_code], relation_to_head=relation, national_id=national_id,
                    has_disability=rng.random() < 0.03,
                    is_meritorious=relation == Relation.HEAD and rng.random() < 0.03,
                ))
            members.extend((household, member) for member in _shape_labour(labour_rng, kind, built))
    bulk_create_with_history(households, Household, batch_size=500, default_change_reason="seed_demo")
    codes = {h.code: h for h in Household.objects.filter(code__startswith="DEMO-")}
    for household, member in members:
        member.household = codes[household.code]
    bulk_create_with_history([m for _, m in members], Member, batch_size=1000, default_change_reason="seed_demo")
    return len(households)


def seed_accounts(password):
    for username, role, areas, _ in DEMO_ACCOUNTS:
        officer_save(username=username, role=role, area_codes=areas, password=password, check_password=False)


def seed_demo(*, password="demo", stdout=None):
    """Load everything; each step skips what is already there. Returns a summary dict."""

    seed_areas()
    created = seed_households()
    assessments = seed_reviews()
    benefits = seed_programs()
    seed_accounts(password)
    return {"households_created": created, "assessments_created": assessments, "benefits_created": benefits}
