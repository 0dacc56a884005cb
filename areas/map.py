"""The administrative map on a given day, for reports: which units existed, their names and parents.

Built from two queries (units above village level, and their dated versions), then walked in memory:
a province has ~100 communes and the whole country ~11,000, so this stays small. Reports aggregate
households in SQL by commune and roll the commune rows up to the rows of the report with this map.
"""
import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.http import Http404

from areas.models import AdministrativeUnit, AdministrativeUnitVersion, Level, OfficerScope, unit_label
from areas.scoping import visible_area_codes


@dataclass(frozen=True)
class UnitState:
    code: str
    name: str
    kind: str
    level: str
    parent: str | None
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    successor: str | None

    def valid_on(self, day):
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or self.valid_to >= day)

    @property
    def label(self):
        return unit_label(self.kind, self.name)

    def as_dict(self):
        return {"code": self.code, "name": self.label}


def report_day(year):
    """Reviews end in December: a report for a year uses the map of 31 December of that year."""
    return datetime.date(year, 12, 31)


class UnitMap:
    def __init__(self, day, include_villages=False):
        self.day = day
        levels = [Level.PROVINCE, Level.DISTRICT, Level.COMMUNE] + ([Level.VILLAGE] if include_villages else [])
        units = AdministrativeUnit.objects.filter(level__in=levels).values_list(
            "code", "name", "kind", "level", "parent_id", "valid_from", "valid_to", "successor_id"
        )
        versions = {}
        for unit_id, vfrom, vto, name, kind, parent in AdministrativeUnitVersion.objects.filter(
            unit__level__in=levels
        ).values_list("unit_id", "valid_from", "valid_to", "name", "kind", "parent_id"):
            if (vfrom is None or vfrom <= day) and (vto is None or vto >= day):
                versions[unit_id] = (name, kind, parent)
        self.units = {}
        for code, name, kind, level, parent, vfrom, vto, successor in units:
            if code in versions:
                name, kind, parent = versions[code]
            self.units[code] = UnitState(code, name, kind, level, parent, vfrom, vto, successor)
        self._children = defaultdict(list)
        for unit in self.units.values():
            if unit.parent:
                self._children[unit.parent].append(unit)

    def get(self, code):
        return self.units.get(code)

    def children(self, code):
        return sorted((u for u in self._children[code] if u.valid_on(self.day)), key=lambda u: u.code)

    def descendants(self, code, level=Level.COMMUNE):
        """Codes of the units of `level` under `code` on this day (the unit itself if it is of that level)."""
        found, frontier = set(), [code]
        while frontier:
            current = frontier.pop()
            unit = self.units.get(current)
            if unit and unit.level == level:
                found.add(current)
                continue
            frontier.extend(u.code for u in self._children[current])
        return found

    def child_under(self, area_code, unit_code):
        """The child of `area_code` that contains `unit_code` on this day, or None."""
        current = unit_code
        seen = set()
        while current and current not in seen:
            seen.add(current)
            unit = self.units.get(current)
            if unit is None:
                return None
            if unit.parent == area_code:
                return current
            current = unit.parent
        return None

    def current_successor(self, code, day=None):
        """Follow successors until a unit valid on `day` (today's map for a comparable series)."""
        day = day or self.day
        seen = set()
        while code and code not in seen:
            seen.add(code)
            unit = self.units.get(code)
            if unit is None or unit.valid_on(day) or not unit.successor or unit.successor == code:
                return code
            code = unit.successor
        return code


def resolve_area(user, code):
    """The unit a report is asked for; 404 when it does not exist or lies outside the user's scope."""
    unit = AdministrativeUnit.objects.filter(code=code).first()
    if unit is None:
        raise Http404(f"Không có đơn vị hành chính mã {code}.")
    codes = visible_area_codes(user)
    if codes is not None and code not in codes:
        raise Http404(f"Đơn vị {code} nằm ngoài địa bàn của bạn.")
    return unit


def default_area(user):
    """The widest area the user may see: their own scope's first area, else the top province."""
    codes = visible_area_codes(user)
    if codes is None:
        top = AdministrativeUnit.objects.filter(level=Level.PROVINCE, valid_to__isnull=True).order_by("code").first()
        return top or AdministrativeUnit.objects.filter(level=Level.PROVINCE).order_by("code").first()
    scope = OfficerScope.objects.filter(user=user).select_related("area").order_by("area__level", "area__code").first()
    return scope.area if scope else None


# -- the units in force on a day, below and around an area (what reports, the review and the pickers read) ------

def village_parents(day, codes=None):
    """{village code: its commune on `day`} for the villages in force that day (their dated parent where the
    reform re-parented them, else their parent now); `codes`: only these villages. Two queries."""
    villages = AdministrativeUnit.objects.filter(level=Level.VILLAGE).valid_on(day)
    if codes is not None:
        villages = villages.filter(code__in=codes)
    parents = dict(villages.values_list("code", "parent_id"))
    for unit_id, vfrom, vto, parent in AdministrativeUnitVersion.objects.filter(unit_id__in=parents).values_list(
            "unit_id", "valid_from", "valid_to", "parent_id"):
        if (vfrom is None or vfrom <= day) and (vto is None or vto >= day):
            parents[unit_id] = parent
    return parents


def villages_on(commune_codes, day):
    """The codes of the villages that belonged to one of `commune_codes` on `day`, in code order: a village the
    2025 reform moved into a commune is not under it on a 2024 map, nor under its former commune on a 2025 one."""
    communes = set(commune_codes)
    candidates = set(AdministrativeUnit.objects.filter(level=Level.VILLAGE, parent_id__in=communes)
                     .values_list("code", flat=True)) | set(
        AdministrativeUnitVersion.objects.filter(unit__level=Level.VILLAGE, parent_id__in=communes)
        .values_list("unit_id", flat=True))
    return sorted(code for code, parent in village_parents(day, candidates).items() if parent in communes)


class MapsByDay:
    """UnitMaps of several days, each built once (a unit's territory is read on the map of its last day)."""

    def __init__(self, first=None):
        self._maps = {first.day: first} if first is not None else {}

    def __call__(self, day):
        if day not in self._maps:
            self._maps[day] = UnitMap(day)
        return self._maps[day]


def units_within(target, unit_map, maps=None):
    """The codes of every unit (province, district, commune) whose territory lies within the communes `target`
    of `unit_map`'s day: its communes on the map of its own last day (or of `unit_map`'s day, when it still
    exists then), each carried to its successor in force on that day. A budget planned for a district abolished
    in 2025 belongs to the province its communes went to, never to one of those communes alone."""
    maps = maps or MapsByDay(unit_map)
    target = set(target)
    found = set()
    for code, unit in unit_map.units.items():
        if unit.valid_from is not None and unit.valid_from > unit_map.day:
            continue  # not yet created that day: it held nothing
        day = unit.valid_to if unit.valid_to is not None and unit.valid_to < unit_map.day else unit_map.day
        communes = maps(day).descendants(code)
        carried = {unit_map.current_successor(commune, unit_map.day) for commune in communes}
        if carried and carried <= target:
            found.add(code)
    return found


def area_choices(user, day, selected=None):
    """The areas a user may pick on the map of `day`: the units of their scope in force that day, their own
    areas and the one shown (`selected`, when they may see it), province first, then districts, then communes.
    A unit closed before the day is labelled "(đơn vị cũ)"; one created after it (today's province seen for
    2024) is not former, and is not labelled so."""
    units = UnitMap(day)
    codes = visible_area_codes(user)
    own = set(OfficerScope.objects.filter(user=user).values_list("area_id", flat=True))
    if selected and (codes is None or selected in codes):
        own.add(selected)
    depth = {Level.PROVINCE: 0, Level.DISTRICT: 1, Level.COMMUNE: 2}
    chosen = [u for u in units.units.values()
              if (u.valid_on(day) and (codes is None or u.code in codes)) or u.code in own]
    return [
        {"code": u.code, "name": ("— " * depth.get(u.level, 0)) + u.label
         + (" (đơn vị cũ)" if u.valid_to is not None and u.valid_to < day else "")}
        for u in sorted(chosen, key=lambda u: (depth.get(u.level, 3), u.code))
    ]
