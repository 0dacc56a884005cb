"""Deprivation, spending, training, cooperatives and household lists against hand-computed figures."""
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from programs.models import (
    Benefit,
    BudgetAllocation,
    CommunityProject,
    CooperativeGroup,
    GroupMembership,
    Trainee,
    TrainingCourse,
)
from reports.cooperatives import cooperatives_summary
from reports.deprivation import deprivation_summary
from reports.spending import spending_summary
from reports.training import training_summary
from review.services import assessment_save
from tests.factories import HouseholdFactory, MemberFactory

DAY = datetime.date(2024, 9, 1)


@pytest.fixture
def data(users):
    admin = users["admin"]
    a = HouseholdFactory(code="A", commune_id="90101")
    b = HouseholdFactory(code="B", commune_id="90102")
    c = HouseholdFactory(code="C", commune_id="90201")
    assessment_save(acting_user=admin, household=a, year=2024, income_per_capita=1_000_000, deprivations=["1", "4", "9"])
    assessment_save(acting_user=admin, household=b, year=2024, income_per_capita=1_000_000, deprivations=["4", "12"])
    assessment_save(acting_user=admin, household=c, year=2024, income_per_capita=1_000_000, deprivations=["4", "5", "6"])
    for household, amount in [(a, 300_000), (a, 200_000), (b, 500_000), (c, 1_000_000)]:
        Benefit.objects.create(program_id="CS-AN-TRUA-MG", year=2024, date=DAY, household=household, amount=amount,
                               quantity=2)
    Benefit.objects.create(program_id="CS-BHYT", year=2024, date=DAY, household=b, amount=0)
    BudgetAllocation.objects.create(program_id="CS-AN-TRUA-MG", year=2024, area_id="901", amount=800_000)
    BudgetAllocation.objects.create(program_id="CS-AN-TRUA-MG", year=2024, area_id="90101", amount=200_000)
    BudgetAllocation.objects.create(program_id="DA5", year=2024, area_id="901", amount=5_000_000)
    for year, statuses in [(2023, ["graduated", "graduated", "dropped"]), (2024, ["enrolled", "graduated"])]:
        course = TrainingCourse.objects.create(name=f"Lớp {year}", program_id="DA4-TDA1", trade="May", year=year,
                                               commune_id="90101")
        for status in statuses:
            Trainee.objects.create(course=course, member=MemberFactory(household=a), status=status)
    group = CooperativeGroup.objects.create(name="Tổ 1", commune_id="90102", founded_on=datetime.date(2023, 1, 1),
                                            activity="Bò")
    GroupMembership.objects.create(group=group, household=b, joined_on=datetime.date(2023, 1, 1))
    GroupMembership.objects.create(group=group, household=a, joined_on=datetime.date(2023, 1, 1),
                                   left_on=datetime.date(2024, 6, 1))  # left before the end of 2024
    project = CommunityProject.objects.create(name="Cao su", program_id="DA2", commune_id="90102", year=2024)
    project.households.set([a, b])


@pytest.mark.django_db
def test_deprivation_by_indicator(data, users):
    report = deprivation_summary(user=users["district"], area_code="901", year=2024)
    rows = {row["code"]: row for row in report["rows"]}
    assert len(rows) == 12
    assert (report["total"]["poor"], report["total"]["near_poor"]) == (1, 1)
    assert (rows["4"]["poor"], rows["4"]["near_poor"], rows["12"]["near_poor"], rows["5"]["poor"]) == (1, 1, 1, 0)
    assert rows["4"]["poor_share"] == Decimal("100.00") and rows["2"]["poor_share"] == Decimal("0.00")


@pytest.mark.django_db
def test_spending_against_budget(data, users):
    report = spending_summary(user=users["district"], area_code="901", year=2024)
    rows = {row["program"]["code"]: row for row in report["rows"]}
    lunch = rows["CS-AN-TRUA-MG"]
    assert (lunch["quantity"], lunch["amount"], lunch["households"], lunch["budget"]) == (6, 1_000_000, 2, 1_000_000)
    assert lunch["disbursement_rate"] == Decimal("100.00")
    assert (rows["DA5"]["amount"], rows["DA5"]["budget"], rows["DA5"]["disbursement_rate"]) == (0, 5_000_000,
                                                                                                 Decimal("0.00"))
    assert rows["CS-BHYT"]["budget"] == 0 and rows["CS-BHYT"]["disbursement_rate"] is None
    assert report["total"]["households"] == 2 and report["total"]["amount"] == 1_000_000
    # Regression: training reached people but the spending table counted none; it counts the trainees of the
    # year's courses, as the training table does (2 in 2024), in people, without money.
    training = rows["DA4-TDA1"]
    assert (training["quantity"], training["households"], training["amount"], training["unit"]) == (2, 1, 0, "người")
    # Quantities in different units are not added into one total.
    assert report["total"]["quantity"] is None
    commune = spending_summary(user=users["commune"], area_code="90101", year=2024)
    assert [(r["program"]["code"], r["amount"], r["budget"]) for r in commune["rows"]] == [
        ("CS-AN-TRUA-MG", 500_000, 200_000), ("DA4-TDA1", 0, 0)]


@pytest.mark.django_db
def test_training_and_cooperatives(data, users):
    training = training_summary(user=users["district"], area_code="901", year=2024)
    assert [(r["year"], r["enrolled"], r["graduated"]) for r in training["rows"]] == [(2023, 3, 2), (2024, 2, 1)]
    groups = cooperatives_summary(user=users["district"], area_code="901", year=2024)
    assert [(r["commune"], r["groups"], r["members"], r["projects"], r["project_households"])
            for r in groups["rows"]] == [("90102", 1, 1, 1, 2)]


@pytest.mark.django_db
def test_lists_stream_into_excel_and_are_scoped(data, client, users):
    client.force_login(users["district"])
    data_json = client.get("/reports/lists/?area=901&year=2024&format=json").json()
    assert sorted((r["code"], r["list"]) for r in data_json["rows"]) == [
        ("A", "Hộ nghèo phát sinh mới"), ("B", "Hộ cận nghèo phát sinh mới")]
    sheet = load_workbook(io.BytesIO(client.get("/reports/lists/?area=901&year=2024&format=xlsx").content)).active
    codes = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert "A" in codes and "B" in codes and "C" not in codes


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["deprivation", "spending", "training", "cooperatives", "lists"])
def test_each_report_has_page_json_excel_and_constant_queries(data, client, users, slug, settings):
    settings.REPORT_CACHE_SECONDS = 0  # measure the report's own queries, not a cache hit
    client.force_login(users["admin"])
    assert client.get(f"/reports/{slug}/?area=90&year=2024").status_code == 200
    assert client.get(f"/reports/{slug}/?area=90&year=2024&format=json").status_code == 200
    assert client.get(f"/reports/{slug}/?area=90&year=2024&format=xlsx").status_code == 200
    with CaptureQueriesContext(connection) as small:
        client.get(f"/reports/{slug}/?area=90&year=2024&format=json")
    for number in range(10):
        household = HouseholdFactory(code=f"Z{number}", commune_id="90102")
        assessment_save(acting_user=users["admin"], household=household, year=2024, income_per_capita=1_000_000,
                        deprivations=["1", "2", "3"])
        Benefit.objects.create(program_id="CS-BHYT", year=2024, date=DAY, household=household)
    with CaptureQueriesContext(connection) as large:
        client.get(f"/reports/{slug}/?area=90&year=2024&format=json")
    assert len(large) == len(small)


@pytest.mark.django_db
def test_excel_escapes_formula_text(users, client):
    household = HouseholdFactory(code="EVIL", commune_id="90101", head_name="=HYPERLINK(\"http://x\")")
    household.members.update(full_name=household.head_name)
    assessment_save(acting_user=users["admin"], household=household, year=2024, income_per_capita=1_000_000,
                    deprivations=["1", "4", "9"])
    client.force_login(users["admin"])
    sheet = load_workbook(io.BytesIO(client.get("/reports/lists/?area=90101&year=2024&format=xlsx").content)).active
    heads = [row[1] for row in sheet.iter_rows(values_only=True) if row[0] == "EVIL"]
    assert heads == ["'=HYPERLINK(\"http://x\")"]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


@pytest.mark.django_db
def test_report_cache_serves_until_the_data_changes(data, users):
    first = spending_summary(user=users["district"], area_code="901", year=2024)
    with CaptureQueriesContext(connection) as cached:
        again = spending_summary(user=users["district"], area_code="901", year=2024)
    assert again == first and len(cached) == 1  # only the data-version query
    household = HouseholdFactory(code="NEW", commune_id="90101")
    Benefit.objects.create(program_id="CS-BHYT", year=2024, date=DAY, household=household, amount=7)
    fresh = spending_summary(user=users["district"], area_code="901", year=2024)
    assert fresh["total"]["amount"] == first["total"]["amount"] + 7
    other = spending_summary(user=users["commune"], area_code="90101", year=2024)
    assert other["total"]["amount"] != fresh["total"]["amount"]  # another scope, another entry



@pytest.mark.django_db
def test_lists_use_the_summarys_categories(users):
    """Regression: relapsed households were listed as "Hộ nghèo mới" though the summary counts them apart, and
    households that escaped near-poverty were missing from the lists."""
    from reports.household_lists import list_rows

    admin = users["admin"]
    poor = dict(income_per_capita=1_000_000, deprivations=["1", "4", "9"])
    near = dict(income_per_capita=1_000_000, deprivations=["4"])
    rich = dict(income_per_capita=9_000_000)
    histories = {"RELAPSE": [poor, rich, poor], "ESC-NEAR": [rich, near, rich], "STAY": [poor, poor, poor]}
    for code, years in histories.items():
        household = HouseholdFactory(code=code, commune_id="90101")
        for year, inputs in zip((2022, 2023, 2024), years, strict=True):
            assessment_save(acting_user=admin, household=household, year=year, **inputs)
    rows = {row["code"]: row["list"] for row in list_rows(user=admin, area_code="90101", year=2024)}
    assert rows == {"RELAPSE": "Hộ tái nghèo", "ESC-NEAR": "Hộ thoát cận nghèo", "STAY": "Hộ nghèo"}
