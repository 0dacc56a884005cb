"""The map a report uses for a year: units valid that year, their parents then, successors for series."""
import datetime

import pytest
from django.core.management import call_command

from areas.map import UnitMap, report_day, units_within, villages_on


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


def test_units_within_carry_a_former_district_to_the_province_its_communes_went_to(kontum):
    """A district abolished in 2025 lies within today's province (its communes' successors), not within one of
    those communes; on 2024's map it lies within Kon Tum."""
    today = UnitMap(datetime.date(2026, 1, 1))
    province = {code for code in today.descendants("51")}
    assert {"612", "610", "62", "23437", "23401"} <= units_within(province, today)
    assert "612" not in units_within({"23401"}, today) and "23437" in units_within({"23401"}, today)
    year = UnitMap(report_day(2024))
    assert "612" in units_within(year.descendants("62"), year) and "51" not in units_within(year.descendants("62"), year)


def test_villages_on_a_day_follow_their_dated_parent(kontum):
    call_command("import_areas", "demo/data/demo_villages.csv")
    assert villages_on(["23401"], report_day(2024)) == ["23401-01", "23401-02", "23401-03"]
    assert "23437-01" in villages_on(["23401"], report_day(2025))
    assert villages_on(["23437"], report_day(2024)) == ["23437-01", "23437-02"]
    assert villages_on(["23437"], report_day(2025)) == []
