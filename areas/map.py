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
