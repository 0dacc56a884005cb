"""Issue 28.1: the household lists officers kept before the 2025 reform import. A row naming a commune merged away
since is accepted when its results are of years the commune existed: the household is placed today in the
successor (and its village as the map has it now), each past result stays under the commune and village of its
year; a unit that never existed, or one closed before a result's year, is refused with the successor named."""
import pytest
from django.core.management import call_command

from accounts.services import officer_save
from households.models import Household
from importing.service import households_import
from reports.poverty import poverty_summary
from review.models import Assessment
from tests.importing.builders import workbook

# Đắk Glei's communes as they were in 2022 (district 610): Đắk Man and Đắk Nhoong went into xã Đăk Plô (23344),
# Đắk Pék into xã Đăk Pék (23341, thị trấn Đắk Glei's code) on 1 July 2025.
HOUSEHOLDS = [
    ["DG-1", "A Thương", "23347", "23347-01", "Xơ Đăng", "Làng Đăk Ga"],
    ["DG-2", "Y Liên", "23347", "Măng Khênh", "Xơ Đăng", ""],
    ["DG-3", "A Nhưm", "23350", "", "Giẻ Triêng", ""],
    ["DG-4", "Nguyễn Văn Tư", "23353", "", "Kinh", ""],
]
MEMBERS = [[row[0], row[1], "Nam", 1975, "", "Chủ hộ", ""] for row in HOUSEHOLDS]
REVIEWS = [
    ["DG-1", 2022, "900.000", "", "", "", "x", "x", "x"],  # poor (2022 lines: 1,500,000 rural, ≥ 3 deprivations)
    ["DG-2", 2022, "1.200.000", "", "", "", "", "", ""],  # near-poor
    ["DG-3", 2022, "1.000.000", "", "", "", "x", "x", "x"],  # poor
    ["DG-4", 2022, "4.000.000", "", "", "", "", "", ""],  # not poor
]


@pytest.fixture
def kontum(db):
    call_command("import_areas", "areas/data/admin_units_kontum.csv")
    call_command("import_areas", "demo/data/demo_villages.csv")
    admin, _ = officer_save(username="boss", role="admin", password="x", check_password=False)
    return admin


def run(user, path, dry_run=False):
    return households_import(acting_user=user, path=str(path), filename=path.name, dry_run=dry_run)


def counts(user, area, year, comparable=False):
    report = poverty_summary(user=user, area_code=area, year=year, comparable=comparable)
    return {row["area"]["code"]: (row["poor"], row["near_poor"]) for row in report["rows"]
            if row["poor"] or row["near_poor"]}


def test_a_2022_list_of_merged_communes_imports_into_todays_units_and_keeps_its_years(kontum, tmp_path):
    path = workbook(tmp_path / "dak_glei_2022.xlsx", HOUSEHOLDS, MEMBERS, REVIEWS)
    preview = run(kontum, path, dry_run=True)
    assert preview.errors == [] and preview.moved_to_successor == 4
    assert any("4 hộ ghi theo xã, thôn trước sắp xếp" in notice for notice in preview.notices)
    assert not Household.objects.exists()

    result = run(kontum, path)
    assert result.errors == [] and result.committed and result.as_dict()["moved_to_successor"] == 4
    placed = {h.code: (h.commune_id, h.village_id) for h in Household.objects.all()}
    assert placed == {"DG-1": ("23344", "23347-01"), "DG-2": ("23344", "23347-02"), "DG-3": ("23344", None),
                      "DG-4": ("23341", None)}
    filed = {a.household.code: (a.commune_id, a.village_id, a.classification)
             for a in Assessment.objects.select_related("household")}
    assert filed == {"DG-1": ("23347", "23347-01", "poor"), "DG-2": ("23347", "23347-02", "near_poor"),
                     "DG-3": ("23350", None, "poor"), "DG-4": ("23353", None, "not_poor")}
    assert Household.objects.get(code="DG-1").registered_on.isoformat() == "2022-01-01"

    # The 2022 figures: per old commune on the 2022 map of district 610, per successor on today's map.
    assert counts(kontum, "610", 2022) == {"23347": (1, 1), "23350": (1, 0)}
    assert counts(kontum, "23347", 2022) == {"23347-01": (1, 0), "23347-02": (0, 1)}
    assert counts(kontum, "51", 2022, comparable=True) == {"23344": (2, 1)}

    again = run(kontum, path)  # the same file again: nothing to change
    assert again.errors == [] and not sum(again.created.values()) and not sum(again.updated.values())
    assert again.moved_to_successor == 0 and Assessment.objects.count() == 4


def test_a_unit_that_never_existed_or_closed_before_its_year_is_refused_naming_the_successor(kontum, tmp_path):
    path = workbook(tmp_path / "wrong.xlsx", [
        ["X-1", "A Một", "99999", "", "Kinh", ""],
        ["X-2", "A Hai", "23347", "", "Kinh", ""],  # a 2025 result: Đắk Man no longer existed
        ["X-3", "A Ba", "23350", "", "Kinh", ""],  # no result at all: placed nowhere in the past
    ], [], [["X-2", 2025, "900.000", "", "", "", "x", "x", "x"]])
    result = run(kontum, path)
    messages = {(issue.sheet, issue.row, issue.column): issue.message for issue in result.errors}
    assert "Không có xã/phường mã 99999" in messages[("Hộ gia đình", 2, "Mã xã")]
    assert "Năm 2025" in messages[("Rà soát", 2, "Năm")]
    assert "đã nhập vào Xã Đăk Plô (23344)" in messages[("Rà soát", 2, "Năm")]
    assert "đã nhập vào Xã Đăk Plô (23344)" in messages[("Hộ gia đình", 4, "Mã xã")]
    assert "năm đơn vị đó còn" in messages[("Hộ gia đình", 4, "Mã xã")]
    assert not Household.objects.exists() and not Assessment.objects.exists()
