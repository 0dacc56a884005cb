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


def test_each_person_once_in_the_household_of_that_year_after_a_split_and_a_join(users, recognised):
    """Y Con founded her own household in 2026 and Y Mai of P-2 joined P-1 in 2026: the 2024 list keeps each of
    them once, where they were in 2024 (with the relation of then), never also where they are now."""
    from households.models import Member
    from households.moves import household_join, household_split

    other = HouseholdFactory(code="P-2", commune_id="90101", head_name="A Hmưn")
    mai = MemberFactory(household=other, full_name="Y Mai", birth_year=2001, national_id="062201000009")
    ReviewRound.objects.filter(commune_id="90101").update(status=RoundStatus.OPEN)  # P-2's result, then recognised
    assessment_save(acting_user=users["admin"], household=other, year=2024, **POOR)
    ReviewRound.objects.filter(commune_id="90101").update(status=RoundStatus.APPROVED)
    before = [(r["code"], r["area_name"], r["relation"]) for r in member_rows(user=users["commune"], area_code="90101",
                                                                             year=2024)]
    child = Member.objects.get(full_name="Y Con")
    household_split(acting_user=users["commune"], source=recognised, relations={child.pk: "head"},
                    date=datetime.date(2026, 3, 2), reason="Ra ở riêng", code="P-1-T")
    household_join(acting_user=users["commune"], source=other, target=recognised, date=datetime.date(2026, 4, 1),
                   reason="Về ở với anh", relations={mai.pk: "sibling"})
    assert Member.objects.get(pk=mai.pk).household == recognised  # now in P-1, a poor household of 2024 too
    rows = list(member_rows(user=users["commune"], area_code="90101", year=2024))
    assert [(r["code"], r["area_name"], r["relation"]) for r in rows] == before == [
        ("P-1", "A Blưk", "Chủ hộ"), ("P-1", "Y Con", "Con"), ("P-2", "A Hmưn", "Chủ hộ"), ("P-2", "Y Mai", "Con")]
    ids = [r["national_id"] for r in rows if r["national_id"]]
    assert len(ids) == len(set(ids)) == 2
    # the year after the moves lists them where they are (P-1-T has no result of 2026: Y Con is on no list)
    assert [r["area_name"] for r in member_rows(user=users["commune"], area_code="90101", year=2026)] == []
