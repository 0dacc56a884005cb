"""The map a report uses for a year: units valid that year, their parents then, successors for series."""
import datetime

import pytest
from django.core.management import call_command

from areas.map import UnitMap, report_day


@pytest.fixture
def kontum(db):
    call_command("import_areas", "areas/data/admin_units_kontum.csv")


def test_2024_map_has_districts_and_old_communes(kontum):
    units = UnitMap(report_day(2024))
    assert [u.code for u in units.children("62")] == ["610", "612"]
    assert [u.code for u in units.children("612")] == [
        "23401", "23427", "23428", "23430", "23431", "23434", "23437", "23440", "23443"]
    assert units.get("23401").label == "Thị trấn Đắk Tô"
    assert units.child_under("62", "23437") == "612"
    assert units.descendants("612") == {"23401", "23427", "23428", "23430", "23431", "23434", "23437", "23440", "23443"}


def test_2025_map_after_the_reform(kontum):
    units = UnitMap(report_day(2025))
    assert [u.code for u in units.children("51")] == [
        "23341", "23344", "23356", "23365", "23368", "23374", "23401", "23428", "23430"]
    assert units.get("23401").label == "Xã Đăk Tô"
    assert units.children("612") == []


def test_successors_line_a_series_up_on_todays_map(kontum):
    units = UnitMap(datetime.date(2026, 1, 1))
    assert units.current_successor("23437") == "23401"
    assert units.current_successor("23427") == "23428"
    assert units.current_successor("23401") == "23401"
    assert units.current_successor("62") == "51"
