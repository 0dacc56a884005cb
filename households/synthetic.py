"""A synthetic province for benchmarks and load tests: deterministic for a seed, written with bulk inserts.

Codes live in a range no real unit uses (province 99, districts 99x, communes 99xxx), so a synthetic
province can sit beside the demo districts. The audit trail is not written for synthetic rows: they
are benchmark fixtures, not officers' work, and writing 600,000 history rows would measure the
history table rather than the application.
"""
import random
from dataclasses import dataclass

from django.db import transaction

from households.models import AdministrativeUnit, EthnicGroup, Gender, Household, Member, Relation
from households.text import search_key

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
    districts: list
    communes: list
    villages: dict  # commune code -> [village codes]


def build_areas(*, districts=10, communes_per_district=10, villages_per_commune=8):
    """Create (or reuse) the synthetic province's units; returns their codes."""
    units = [AdministrativeUnit(code=PROVINCE, name="Tỉnh Tổng Hợp", level="province", kind="tỉnh")]
    district_codes, commune_codes, villages = [], [], {}
    for d in range(districts):
        district = f"99{d}"
        district_codes.append(district)
        units.append(AdministrativeUnit(code=district, name=f"Huyện Số {d + 1}", level="district", kind="huyện",
                                        parent_id=PROVINCE))
        for c in range(communes_per_district):
            commune = f"99{d}{c:02d}"
            commune_codes.append(commune)
            kind = "thị trấn" if c == 0 else "xã"
            units.append(AdministrativeUnit(code=commune, name=f"{'Thị Trấn' if c == 0 else 'Xã'} {d + 1}-{c + 1}",
                                            level="commune", kind=kind, parent_id=district,
                                            is_urban=kind == "thị trấn"))
            villages[commune] = []
            for v in range(villages_per_commune):
                village = f"{commune}-{v + 1:02d}"
                villages[commune].append(village)
                units.append(AdministrativeUnit(code=village, name=f"Thôn {v + 1}", level="village", kind="thôn",
                                                parent_id=commune))
    for unit in units:
        unit.search_name = search_key(unit.name)
    # Parents first: levels are already in that order within each batch.
    AdministrativeUnit.objects.bulk_create(units, batch_size=BATCH, ignore_conflicts=True)
    return SyntheticProvince(district_codes, commune_codes, villages)


def _name(rng, gender, family):
    return f"{family} {rng.choice(MIDDLE[gender])} {rng.choice(GIVEN[gender])}"


@transaction.atomic
def build_households(*, province, households, seed):
    """Households spread over the communes, 1-8 members each (about 4 on average)."""
    rng = random.Random(seed)
    ethnic = EthnicGroup.objects.in_bulk()
    codes, weights = zip(*ETHNIC_WEIGHTS)
    start = Household.objects.filter(code__startswith="SYN-").count()
    pending_households, pending_members = [], []

    def flush():
        Household.objects.bulk_create(pending_households, batch_size=BATCH)
        saved = dict(Household.objects.filter(code__in=[h.code for h in pending_households]).values_list("code", "id"))
        for household_code, member in pending_members:
            member.household_id = saved[household_code]
        Member.objects.bulk_create([m for _, m in pending_members], batch_size=BATCH)
        pending_households.clear()
        pending_members.clear()

    for number in range(start, households):
        commune = province.communes[number % len(province.communes)]
        village = rng.choice(province.villages[commune])
        ethnic_code = rng.choices(codes, weights=weights)[0]
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
        code = f"SYN-{commune}-{number:06d}"
        pending_households.append(Household(
            code=code, commune_id=commune, village_id=village, head_name=people[0][0],
            ethnic_group=ethnic[ethnic_code], address=f"Thôn {village[-2:]}",
            registered_on=f"{rng.randint(2005, 2020)}-01-01",
            search_text=search_key(" ".join([code, *(p[0] for p in people)])),
        ))
        for name, gender, year, relation in people:
            pending_members.append((code, Member(
                full_name=name, search_name=search_key(name), gender=gender, birth_year=year,
                ethnic_group=ethnic[ethnic_code], relation_to_head=relation,
                has_labour_capacity=1960 <= year <= 2008 or rng.random() < 0.2,
            )))
        if len(pending_households) >= BATCH:
            flush()
    if pending_households:
        flush()
    return households - start
