"""The import carries the household's livelihood ("Sinh kế chính") and derives "no labour capacity" from the
members: a stated value that differs from the derived one is an override kept with the row's reason, or with
"Theo danh sách nhập (tệp, dòng N)"; a second import of the same file changes nothing."""
import pytest

from households.models import Household, Livelihood
from importing.service import households_import
from review.models import Assessment
from tests.importing.builders import HOUSEHOLD_HEADERS, MEMBER_HEADERS, workbook

HOUSEHOLDS = [
    ["L-ELD", "Ông Già", "90102", "", "14", "", ""],              # blank livelihood, rural: agriculture
    ["L-TOWN", "Anh Phố", "90101", "", "01", "", ""],             # blank, thị trấn (urban): other
    ["L-FISH", "Anh Chài", "90102", "", "01", "", "Ngư nghiệp"],
    ["L-NOBY", "Chưa Rõ", "90102", "", "14", "", "nông nghiệp"],   # head from the household sheet: no birth year
]
MEMBERS = [
    ["L-ELD", "Ông Già", "Nam", 1950, "", "Chủ hộ", ""],
    ["L-ELD", "Bà Già", "Nữ", 1952, "", "Vợ/chồng", ""],
    ["L-TOWN", "Anh Phố", "Nam", 1985, "", "Chủ hộ", ""],
    ["L-FISH", "Anh Chài", "Nam", 1990, "", "Chủ hộ", ""],
]
REVIEW_HEADERS = ["Mã hộ", "Năm", "Thu nhập bình quân", "Không có khả năng lao động", "Lý do khả năng lao động"]
REVIEWS = [
    ["L-ELD", 2024, "1.000.000", "", ""],             # derived: no labour capacity
    ["L-TOWN", 2024, "2.500.000", "x", ""],           # stated against the members: override, reason of the file
    ["L-FISH", 2024, "2.000.000", "0", ""],           # stated as derived
    ["L-NOBY", 2024, "1.000.000", "", ""],            # head's birth year unknown: counted without labour, said
]
HEADERS = {"Hộ gia đình": [*HOUSEHOLD_HEADERS, "Sinh kế chính"], "Rà soát": REVIEW_HEADERS}


def run(users, path):
    return households_import(acting_user=users["district"], path=str(path), filename=path.name)


def stored(code):
    a = Assessment.objects.get(household__code=code, year=2024)
    return a.no_labour_capacity, a.labour_override_reason, a.livelihood, a.classification


@pytest.mark.django_db
def test_livelihood_and_labour_from_the_file(users, tmp_path):
    path = workbook(tmp_path / "labour.xlsx", HOUSEHOLDS, MEMBERS, REVIEWS, headers=HEADERS)
    result = run(users, path)
    assert result.errors == [] and result.committed, result.errors
    assert dict(Household.objects.filter(code__startswith="L-").values_list("code", "livelihood")) == {
        "L-ELD": Livelihood.AGRICULTURE, "L-TOWN": Livelihood.OTHER, "L-FISH": Livelihood.FISHERY,
        "L-NOBY": Livelihood.AGRICULTURE}
    assert stored("L-ELD") == (True, "", Livelihood.AGRICULTURE, "near_poor")
    # urban line 2,000,000: above it a household is not poor, whatever its livelihood (no "average" from a review)
    assert stored("L-TOWN") == (True, "Theo danh sách nhập (tệp labour.xlsx, dòng 3)", Livelihood.OTHER, "not_poor")
    assert stored("L-FISH") == (False, "", Livelihood.FISHERY, "not_poor")  # fishery: kept, not "average"
    assert stored("L-NOBY")[:2] == (True, "")
    assert any("thiếu năm sinh hoặc giới tính" in notice and "L-NOBY" in notice for notice in result.notices)
    # the same file again: nothing changes
    again = run(users, path)
    assert again.errors == [] and sum(again.updated.values()) == 0 and sum(again.created.values()) == 0


@pytest.mark.django_db
def test_a_reason_column_and_blank_cells(users, tmp_path):
    run(users, workbook(tmp_path / "first.xlsx", HOUSEHOLDS, MEMBERS, REVIEWS, headers=HEADERS))
    reviews = [["L-TOWN", 2024, "2.500.000", "", ""],                              # blank: the override stays
               ["L-FISH", 2024, "2.000.000", "có", "Chủ hộ bị tai nạn, liệt"]]     # a reason given
    result = run(users, workbook(tmp_path / "second.xlsx", None, None, reviews, headers=HEADERS))
    assert result.errors == [], result.errors
    assert stored("L-TOWN")[:2] == (True, "Theo danh sách nhập (tệp first.xlsx, dòng 3)")
    assert stored("L-FISH")[:2] == (True, "Chủ hộ bị tai nạn, liệt")


@pytest.mark.django_db
def test_members_imported_later_rederive_open_years(users, tmp_path):
    run(users, workbook(tmp_path / "first.xlsx", HOUSEHOLDS, MEMBERS, REVIEWS, headers=HEADERS))
    assert stored("L-ELD")[0] is True
    son = [["L-ELD", "Con Trai", "Nam", 1990, "", "Con", ""]]
    result = run(users, workbook(tmp_path / "son.xlsx", None, son, None, headers={"Nhân khẩu": MEMBER_HEADERS}))
    assert result.errors == [] and result.committed
    assert stored("L-ELD")[0] is False  # the open 2024 review follows the household's members
    # a livelihood changed by a later file reclassifies the open year: other above the line is not poor
    households = [["L-FISH", "Anh Chài", "90102", "", "01", "", "Ngành nghề khác"]]
    run(users, workbook(tmp_path / "trade.xlsx", households, None, None, headers=HEADERS))
    assert stored("L-FISH")[2:] == (Livelihood.OTHER, "not_poor")


@pytest.mark.django_db
def test_a_bad_livelihood_is_named(users, tmp_path):
    households = [["L-BAD", "Anh Mỏ", "90102", "", "01", "", "Khai mỏ"]]
    result = run(users, workbook(tmp_path / "bad.xlsx", households, None, None, headers=HEADERS))
    assert not result.committed
    [issue] = result.errors
    assert (issue.sheet, issue.row, issue.column) == ("Hộ gia đình", 2, "Sinh kế chính")
    assert "Ngành nghề khác" in issue.message
    assert not Household.objects.filter(code="L-BAD").exists()
