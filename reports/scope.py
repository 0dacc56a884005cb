"""Which communes (or villages) a report covers and which row each adds to, on the map of the report's day."""
import datetime

from django.db.models import Q

from areas.map import UnitMap, report_day, resolve_area, units_within, villages_on
from areas.models import AdministrativeUnit, Level
from reports.params import BadParameter


class ReportScope:
    """Which communes (or villages) a report covers and which row each of them adds to."""

    def __init__(self, user, area_code, year, comparable=False, map_year=None):
        """The map is that of the year's last day; of today with `comparable`; of `map_year`'s last day when
        given (a year's figures on the territory a later year's units cover: the dashboard's comparisons)."""
        self.user = user
        self.area = resolve_area(user, area_code)
        self.year = year
        self.comparable = comparable
        self.day = datetime.date.today() if comparable else report_day(map_year or year)
        self.map = UnitMap(self.day)
        if not comparable and not exists_by(self.area, self.day):
            raise BadParameter(
                f"{self.area.name} ({self.area.code}) chỉ có từ ngày {self.area.valid_from:%d/%m/%Y}: báo cáo năm "
                f"{year} hãy chọn đơn vị của năm đó, hoặc đánh dấu “So sánh theo địa giới hiện nay”."
            )
        self.by_village = self.area.level == Level.COMMUNE
        self._village_units = None
        # A unit closed before the map's day (a district abolished in 2025) covers what it covered on its
        # last day, carried onto the map through successors; its rows are then those successor units.
        self.area_is_current = self.area.is_valid_on(self.day)
        area_map = self.map if self.area_is_current else UnitMap(self.area.valid_to)
        base = area_map.descendants(self.area.code)
        self.target = {self.map.current_successor(code, self.day) for code in base}
        # Every commune code whose records land in the target: those communes and the closed communes
        # whose successor chain ends in one of them.
        self.communes = {
            code for code, unit in self.map.units.items()
            if unit.level == Level.COMMUNE and self.map.current_successor(code, self.day) in self.target
        }

    def area_dict(self):
        """The area as every report names it: its label on the report's map ("Huyện Đắk Tô")."""
        unit = self.map.get(self.area.code)
        return {"code": self.area.code, "name": unit.label if unit else self.area.label}

    def issuer(self):
        """The body that issues the year's table: the area itself while it exists; for a unit closed by then
        (a district abolished on 1 July 2025), the level its communes report to on the map (the province)."""
        if self.area_is_current:
            return self.area_dict()["name"]
        for code in sorted(self.target):
            top = self.map.get(code)
            while top is not None and top.parent and self.map.get(top.parent):
                top = self.map.get(top.parent)
            if top is not None and top.code != code:
                return top.label
        return self.area_dict()["name"]

    def commune_on_map(self, commune_code):
        """The commune of the report's map that a record of `commune_code` belongs to (merged communes
        land in their successor), with its label."""
        code = self.map.current_successor(commune_code, self.day)
        unit = self.map.get(code)
        return code, unit.label if unit else code

    def row_of(self, commune_code, village_code=None):
        if self.by_village:
            return village_code or "_none"
        successor = self.map.current_successor(commune_code, self.day)
        if not self.area_is_current:
            return successor if successor in self.target else None
        return self.map.child_under(self.area.code, successor)

    def units_within(self):
        """Every unit whose territory lies within the report's communes (the area, the units under it, the communes
        folded into it, and a former unit such as a district abolished in 2025 whose communes all went into it):
        where the area's budgets sit."""
        return units_within(self.target, self.map) | set(self.communes) | {self.area.code}

    def row_label(self, code):
        if code == "_none":
            return {"code": "", "name": "Chưa rõ thôn"}
        unit = self.map.get(code)
        if unit is None:  # a village: not in the map of communes and above
            village = self._villages().get(code) or AdministrativeUnit.objects.filter(code=code).first()
            return {"code": code, "name": village.label if village else code}
        return unit.as_dict()

    def _villages(self):
        """The villages under the report's communes now or in some version, read once (a row label each)."""
        if self._village_units is None:
            self._village_units = {unit.code: unit for unit in AdministrativeUnit.objects.filter(
                Q(parent_id__in=self.communes) | Q(versions__parent_id__in=self.communes), level=Level.VILLAGE,
            ).distinct()}
        return self._village_units

    def rows_expected(self):
        if self.by_village:  # the villages of the commune on the map's day (not those the reform moved in later)
            return villages_on(self.target, self.day)
        if not self.area_is_current:
            return sorted(self.target)
        return [unit.code for unit in self.map.children(self.area.code)]


def exists_by(unit, day):
    """Whether the unit had been created by that day (a province formed by the 2025 reform had not in 2024)."""
    return unit.valid_from is None or unit.valid_from <= day


def report_area_exists(area_code, year):
    unit = AdministrativeUnit.objects.filter(code=area_code).first()
    return unit is None or exists_by(unit, report_day(year))
