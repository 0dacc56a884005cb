"""The list of people of the recognised poor and near-poor households: one row per member, head first."""
import datetime
import io

import pytest
from openpyxl import load_workbook

from reports.household_lists import member_rows
from review.models import ReviewRound, RoundStatus
from review.services import assessment_save
from tests.factories import HouseholdFactory, MemberFactory

POOR = dict(income_per_capita=1_000_000, deprivations=["1", "4", "9"])


@pytest.fixture
def recognised(users):
    poor = HouseholdFactory(code="P-1", commune_id="90101", head_name="A Blưk")
    MemberFactory(household=poor, full_name="Y Con", birth_date=datetime.date(2015, 3, 2), birth_year=2015,
                  national_id="062215001234")
    rich = HouseholdFactory(code="R-1", commune_id="90101")
    open_round = HouseholdFactory(code="O-1", commune_id="90102")
    foreign = HouseholdFactory(code="F-1", commune_id="90201")
    for household, inputs in [(poor, POOR), (rich, {"income_per_capita": 9_000_000}), (open_round, POOR),
                              (foreign, POOR)]:
        assessment_save(acting_user=users["admin"], household=household, year=2024, **inputs)
    ReviewRound.objects.filter(commune_id__in=["90101", "90201"]).update(status=RoundStatus.APPROVED)
    return poor


def test_members_of_recognised_households_only_head_first(users, recognised):
    rows = list(member_rows(user=users["district"], area_code="901", year=2024))
    assert [(r["code"], r["area_name"], r["relation"], r["birth"], r["national_id"], r["list"]) for r in rows] == [
        ("P-1", "A Blưk", "Chủ hộ", "1980", "", "Hộ nghèo"),
        ("P-1", "Y Con", "Con", "02/03/2015", "062215001234", "Hộ nghèo"),
    ]  # not the household above the line, not the commune whose round is still open, not another district


def test_the_member_list_as_excel_and_page(client, users, recognised):
    client.force_login(users["commune"])
    page = client.get("/reports/members/", {"area": "90101", "year": 2024})
    assert page.status_code == 200 and "062215001234" in page.content.decode()
    book = load_workbook(io.BytesIO(client.get("/reports/members/", {"area": "90101", "year": 2024,
                                                                      "format": "xlsx"}).content))
    values = [row for row in book.active.iter_rows(values_only=True)]
    assert any(row[:6] == ("P-1", "Y Con", "Nữ", "02/03/2015", "Con", "062215001234") for row in values)
    assert any("NHÂN KHẨU HỘ NGHÈO" in str(row[0]) for row in values)
