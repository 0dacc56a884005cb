"""Lists kept before the 2025 reform (issue 28.1): a household row naming a commune merged away since is accepted
when the file's results for it are of years the commune still existed. The household is placed today where the map
says (the commune's successor in force, and its village as it stands now); each past result stays under the
commune and village of its year. A unit that never existed, or one closed before a result's year, is refused with
its successor named (areas.models.AdministrativeUnit.closed_message).

The units a household belonged to in a year are then read by the placement rule (review.placement) from the
results' own commune and village: nothing else records the old unit.
"""
import datetime
from dataclasses import dataclass

from areas.map import UnitMap
from areas.models import AdministrativeUnit, AdministrativeUnitVersion
from importing.columns import HOUSEHOLDS, REVIEWS
from review.calendar import review_opens


@dataclass(frozen=True)
class FormerPlace:
    """Where a row of the households sheet placed its household, in units closed today."""

    row: int
    commune: AdministrativeUnit
    village: AdministrativeUnit | None

    def valid_in(self, year: int) -> bool:
        """The commune existed when the review of `year` opened (as review.calendar.round_closed_message reads)."""
        return self.commune.is_valid_on(review_opens(year))


def former_villages(communes) -> dict:
    """{commune code: [village]} of the villages that belonged to one of `communes` at some time: their parent now
    or in a dated version (the reform re-parented the villages of merged communes)."""
    by_commune = {}
    villages = AdministrativeUnit.objects.filter(level="village", versions__parent_id__in=communes).distinct()
    parents = {}
    for unit_id, parent_id in AdministrativeUnitVersion.objects.filter(
            unit__in=villages, parent_id__in=communes).values_list("unit_id", "parent_id"):
        parents.setdefault(unit_id, set()).add(parent_id)
    for village in villages:
        for parent in parents.get(village.code, ()):
            by_commune.setdefault(parent, []).append(village)
    return by_commune


def _unit(plan, code):
    if code not in plan.today_units:
        plan.today_units[code] = AdministrativeUnit.objects.filter(code=code).first()
    return plan.today_units[code]


def place_today(plan, number, code, commune, village, household):
    """(commune, village) in force today for row `number` (household `code`) naming `commune` (and `village`)
    closed today, recording the former place for the row's results; None when the unit has no successor in force
    (the caller refuses the row). A stored household stays where it is registered now: the row speaks of the past."""
    if household is not None:
        plan.former_places[code] = FormerPlace(number, commune, village)
        return _unit(plan, household.commune_id), household.village_id and _unit(plan, household.village_id)
    today = datetime.date.today()
    if plan.today_map is None:
        plan.today_map = UnitMap(today, include_villages=True)
    unit_map = plan.today_map
    successor = unit_map.current_successor(commune.code, today)
    state = unit_map.units.get(successor)
    if successor == commune.code or state is None or not state.valid_on(today):
        return None
    village_now = None
    if village is not None:
        village_code = unit_map.current_successor(village.code, today)
        village_state = unit_map.units.get(village_code)
        if village_state is not None and village_state.valid_on(today) and village_state.parent == successor:
            village_now = _unit(plan, village_code)
    plan.former_places[code] = FormerPlace(number, commune, village)
    return _unit(plan, successor), village_now


def year_place(plan, household, year) -> tuple:
    """(commune code, village code) the household's result of `year` is filed under: its former place when the
    file named one and the commune existed that year, else where it is registered."""
    former = plan.former_places.get(household.code)
    if former is not None and former.valid_in(year):
        return former.commune.code, (former.village.code if former.village else None)
    return household.commune_id, household.village_id


def check_former_places(plan, reviewed_years) -> None:
    """After the reviews sheet: a former place needs a result of a year its commune existed (else the household
    row is refused as before, successor named); a result of a later year is refused on its row. One notice says
    how many households were placed in today's units."""
    moved = 0
    for code, former in plan.former_places.items():
        years = reviewed_years.get(code, {})
        valid = [year for year in years if former.valid_in(year)]
        for year in sorted(set(years) - set(valid)):
            plan.error(REVIEWS, years[year], "Năm", (
                f"Năm {year}: {former.commune.closed_message(review_opens(year))} Kết quả năm {year} ghi theo đơn vị "
                "của năm đó (mã xã mới ở sheet Hộ gia đình nếu hộ chỉ có kết quả từ năm đó)."))
        if not valid:
            plan.error(HOUSEHOLDS, former.row, "Mã xã", (
                f"{former.commune.closed_message(datetime.date.today())} Danh sách theo đơn vị cũ chỉ nhận được khi tệp "
                "có kết quả rà soát của hộ trong năm đơn vị đó còn (sheet Kết quả rà soát)."))
            plan.refused_codes.add(code)
        elif code not in plan.unchanged_codes:
            moved += 1
    if moved:
        plan.result.moved_to_successor = moved
        plan.result.notices.append(
            f"{moved} hộ ghi theo xã, thôn trước sắp xếp đơn vị hành chính (01/07/2025) được xếp vào đơn vị hiện nay "
            "(xã sau sắp xếp, thôn theo bản đồ); kết quả rà soát các năm trước vẫn ghi ở xã, thôn của năm đó.")
