"""A commune the 2025 reform merged away takes no new household and holds no review from 2025 on, on every path
(API, service, import, worksheet). Before: a household could be registered there and its 2025 and 2026 results
opened rounds that no progress board listed and that stayed open after the new commune's round was recognised."""
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from areas.models import AdministrativeUnit
from households.models import Household
from households.services import household_update
from importing.service import households_import
from review.models import Assessment, ReviewRound
from review.services import assessment_save
from tests.factories import HouseholdFactory
from tests.importing.builders import workbook

MERGED_INTO = "Đắk Tô (90101)"


@pytest.fixture
def merged(areas):
    """Xã Tân Cảnh (90103): under district 901 until 30 June 2025, then merged into 90101."""
    commune = AdministrativeUnit.objects.create(code="90103", name="Tân Cảnh", level="commune", kind="xã",
                                                parent_id="901", valid_to=datetime.date(2025, 6, 30),
                                                successor_id="90101")
    AdministrativeUnit.objects.create(code="90103-01", name="Một", level="village", kind="thôn", parent_id="90103")
    return commune


@pytest.fixture
def left_behind(merged):
    """A household still filed under the merged commune (data from before the reform, not moved yet)."""
    return HouseholdFactory(code="TC-1", commune_id="90103")


def test_the_api_refuses_a_new_household_in_a_merged_commune_and_names_where_it_went(users, merged):
    client = APIClient()
    client.force_authenticate(users["district"])
    body = {"code": "TC-NEW", "commune": "90103", "head_name": "Nguyễn Văn Thử", "ethnic_group": "14"}
    response = client.post("/api/v1/households/", body, format="json")
    assert response.status_code == 400
    assert "không còn từ ngày 01/07/2025" in response.json()["commune"][0]
    assert MERGED_INTO in response.json()["commune"][0]
    assert not Household.objects.filter(code="TC-NEW").exists()
    body["commune"] = "90101"
    assert client.post("/api/v1/households/", body, format="json").status_code == 201


def test_a_household_left_behind_stays_editable_but_none_moves_in(users, areas, merged, left_behind):
    household_update(acting_user=users["district"], household=left_behind, head_name="Trần Văn Sửa")
    assert Household.objects.get(pk=left_behind.pk).head_name == "Trần Văn Sửa"
    other = HouseholdFactory(code="DT-1", commune_id="90101")
    with pytest.raises(ValidationError) as error:
        household_update(acting_user=users["district"], household=other, commune=merged, village=None)
    assert MERGED_INTO in error.value.message_dict["commune"][0]
    assert Household.objects.get(pk=other.pk).commune_id == "90101"
    household_update(acting_user=users["district"], household=left_behind, commune=areas["90101"], village=None)
    assert Household.objects.get(pk=left_behind.pk).commune_id == "90101"  # moving out is what the officer should do


def test_no_review_round_of_a_merged_commune_opens_from_2025(users, left_behind):
    assessment_save(acting_user=users["district"], household=left_behind, year=2024, income_per_capita=900_000)
    assert ReviewRound.objects.filter(commune_id="90103", year=2024).exists()  # it existed in 2024
    for year in (2025, 2026):
        with pytest.raises(ValidationError) as error:
            assessment_save(acting_user=users["district"], household=left_behind, year=year, income_per_capita=900_000)
        assert f"Không có đợt rà soát năm {year} của xã này" in error.value.message_dict["year"][0]
    assert list(ReviewRound.objects.filter(commune_id="90103").values_list("year", flat=True)) == [2024]
    assert list(Assessment.objects.values_list("year", flat=True)) == [2024]


def test_the_api_refuses_the_review_and_the_worksheet_of_a_merged_commune_after_the_reform(users, left_behind):
    client = APIClient()
    client.force_authenticate(users["district"])
    response = client.post("/api/v1/assessments/", {"household": "TC-1", "year": 2025, "income_per_capita": 500000},
                           format="json")
    assert response.status_code == 400 and MERGED_INTO in response.json()["year"][0]
    assert not ReviewRound.objects.exists()
    client.force_login(users["district"])
    assert client.get("/review/90103/2024/").status_code == 200
    page = client.get("/review/90103/2025/")
    assert page.status_code == 404
    assert "Không có đợt rà soát năm 2025 của xã này" in page.content.decode() and MERGED_INTO in page.content.decode()


def test_the_import_names_the_row_and_column_and_writes_nothing(users, tmp_path, merged, left_behind):
    path = workbook(tmp_path / "tan-canh.xlsx", [
        ["TC-2", "Nguyễn Văn Mới", "90103", "", "14", ""],
        ["DT-2", "Trần Thị Đúng", "90101", "", "14", ""],
    ], [], [["TC-1", 2025, "900000", "", "", "", "", "", ""], ["TC-1", 2024, "900000", "", "", "", "", "", ""]])
    result = households_import(acting_user=users["district"], path=str(path), filename=path.name)
    errors = sorted((issue.sheet, issue.row, issue.column) for issue in result.errors)
    assert errors == [("Hộ gia đình", 2, "Mã xã"), ("Rà soát", 2, "Năm")], result.errors
    assert all(MERGED_INTO in issue.message for issue in result.errors)
    assert not result.committed and not Household.objects.filter(code__in=["TC-2", "DT-2"]).exists()
    assert not Assessment.objects.exists() and not ReviewRound.objects.exists()


def test_households_left_behind_move_in_bulk_by_import(users, tmp_path, left_behind):
    path = workbook(tmp_path / "chuyen-xa.xlsx", [["TC-1", left_behind.head_name, "90101", "", "14", ""]], [],
                    [["TC-1", 2025, "900000", "", "", "", "", "", ""]])
    result = households_import(acting_user=users["district"], path=str(path), filename=path.name)
    assert result.errors == [] and result.committed
    assert Household.objects.get(code="TC-1").commune_id == "90101"
    assert Assessment.objects.get(household__code="TC-1", year=2025).review_round.commune_id == "90101"



def test_an_import_naming_a_merged_commune_asks_the_same_queries_for_5_rows_as_for_50(users, tmp_path, merged):
    def refused(rows):
        path = workbook(tmp_path / f"{rows}.xlsx", [[f"TC-{n}", "Nguyễn Văn Mới", "90103", "", "14", ""]
                                                    for n in range(rows)], [], [])
        with CaptureQueriesContext(connection) as queries:
            result = households_import(acting_user=users["district"], path=str(path), filename=path.name)
        assert len(result.errors) == rows and all(MERGED_INTO in issue.message for issue in result.errors)
        return len(queries)

    refused(1)  # the officer's scope is read once, then kept
    assert refused(50) == refused(5)  # the successor named in each error is read with the commune, not per row
