"""The poverty summary's near-poor flows (start of year, escaped near-poverty, fell into poverty, newly
near-poor, poor who became near-poor) against a hand-computed fixture, in the rows, the JSON, the page and
the Excel sheet; and no start-of-year figure nor reduction where there is no previous year's result."""
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from households.models import EthnicGroup
from reports.poverty import poverty_summary
from review.services import assessment_save
from tests.factories import HouseholdFactory
from tests.reports.sheets import Sheet, workbook

POOR = {"income_per_capita": 1_000_000, "deprivations": ["1", "4", "9"]}
NEAR = {"income_per_capita": 1_000_000, "deprivations": []}
NOT = {"income_per_capita": 5_000_000, "deprivations": []}
KINH, XO_DANG = "01", "14"
NEAR_POOR_HEADERS = ["Đầu kỳ", "Thoát cận nghèo", "Chuyển thành hộ nghèo", "Phát sinh mới",
                     "Hộ nghèo chuyển thành hộ cận nghèo", "Cuối kỳ", "Tỷ lệ (%)", "Hộ DTTS",
                     "Không có khả năng lao động", "Có thành viên là người có công",
                     "Có thành viên thuộc đối tượng bảo trợ xã hội"]


def make(code, commune, classes, admin, ethnic=XO_DANG):
    household = HouseholdFactory(code=code, commune_id=commune, ethnic_group=EthnicGroup.objects.get(code=ethnic))
    for year, inputs in classes.items():
        assessment_save(acting_user=admin, household=household, year=year, **inputs)
    return household


@pytest.fixture
def flows(users):
    admin = users["admin"]
    make("N1", "90101", {2023: NEAR, 2024: NEAR}, admin)            # stayed near-poor
    make("N2", "90101", {2023: NEAR, 2024: NOT}, admin, KINH)       # escaped near-poverty
    make("N3", "90101", {2023: NEAR, 2024: POOR}, admin)            # near-poor -> poor
    make("N4", "90102", {2023: NOT, 2024: NEAR}, admin)             # newly near-poor
    make("N5", "90102", {2023: POOR, 2024: NEAR}, admin)            # poor -> near-poor
    make("N6", "90201", {2023: POOR, 2024: POOR}, admin)            # stayed poor
    make("N7", "90201", {2023: NEAR, 2024: NEAR}, admin, KINH)      # stayed near-poor
    make("N8", "90201", {2023: POOR, 2024: NOT}, admin)             # escaped poverty


FLOW_KEYS = ("near_poor_start", "escaped_near_poor", "near_poor_to_poor", "newly_near_poor",
             "escaped_to_near_poor", "near_poor")


@pytest.mark.django_db
def test_near_poor_flows_by_hand(flows, users):
    report = poverty_summary(user=users["admin"], area_code="90", year=2024)
    rows = {row["area"]["code"]: row for row in report["rows"]}
    one, two, total = rows["901"], rows["902"], report["total"]
    assert tuple(one[key] for key in FLOW_KEYS) == (3, 1, 1, 1, 1, 3)
    assert tuple(two[key] for key in FLOW_KEYS) == (1, 0, 0, 0, 0, 1)
    assert tuple(total[key] for key in FLOW_KEYS) == (4, 1, 1, 1, 1, 4)
    for row in (one, two, total):  # the flows balance: start − out + in = end
        assert (row["near_poor_start"] - row["escaped_near_poor"] - row["near_poor_to_poor"]
                + row["newly_near_poor"] + row["escaped_to_near_poor"]) == row["near_poor"]
    # the poor side, and the reduction, of the same fixture
    assert (one["households"], one["poor_start"], one["poor"], one["poverty_reduction"]) == (5, 1, 1, Decimal("0.00"))
    assert (two["households"], two["poor_start"], two["poor"]) == (3, 2, 1)
    assert (two["poor_start_rate"], two["poor_rate"], two["poverty_reduction"]) == (
        Decimal("66.67"), Decimal("33.33"), Decimal("33.34"))
    assert (total["households"], total["poor_start"], total["poor"]) == (8, 3, 2)
    assert (total["poor_start_rate"], total["poor_rate"], total["poverty_reduction"]) == (
        Decimal("37.50"), Decimal("25.00"), Decimal("12.50"))
    assert total["near_poor_rate"] == Decimal("50.00") and total["near_poor_start_rate"] == Decimal("50.00")


@pytest.mark.django_db
def test_near_poor_columns_in_the_excel_sheet_and_the_page(flows, client, users):
    client.force_login(users["admin"])
    sheet = Sheet(workbook(client.get("/reports/poverty/?area=90&year=2024&format=xlsx")).active, "Đơn vị")
    assert [h[1] for h in sheet.headers if h[0] == "Hộ cận nghèo"] == NEAR_POOR_HEADERS
    assert sheet.headers.index(("Hộ nghèo", "Cuối kỳ")) == 8  # the poor columns did not move
    for label, expected in [("Huyện Một", (3, 1, 1, 1, 1, 3)), ("Huyện Hai", (1, 0, 0, 0, 0, 1)),
                            ("Tổng cộng", (4, 1, 1, 1, 1, 4))]:
        cells = [sheet.cell(label, "Hộ cận nghèo", header) for header in NEAR_POOR_HEADERS[:6]]
        assert tuple(cell.value for cell in cells) == expected, label
        assert {cell.number_format for cell in cells} == {"#,##0"}
    rate = sheet.cell("Tổng cộng", "Hộ cận nghèo", "Tỷ lệ (%)")
    assert abs(rate.value - 50.0) < 1e-9 and rate.number_format == "0.00"
    reduction = sheet.cell("Huyện Hai", "Tỷ lệ giảm nghèo (điểm %)")
    assert abs(reduction.value - 33.34) < 1e-9 and reduction.number_format == "0.00"
    assert any("Hộ cận nghèo cuối kỳ = đầu kỳ − thoát cận nghèo" in str(row[0]) for row in sheet.values)
    data = client.get("/reports/poverty/?area=90&year=2024&format=json").json()
    assert [data["total"][key] for key in FLOW_KEYS] == [4, 1, 1, 1, 1, 4]
    html = client.get("/reports/poverty/?area=90&year=2024").content.decode()
    assert "Hộ cận nghèo – Thoát cận nghèo" in html and "Hộ cận nghèo – Hộ nghèo chuyển thành hộ cận nghèo" in html


def _start_figures(row):
    return (row["poor_start"], row["near_poor_start"], row["households_start"], row["poor_start_rate"],
            row["near_poor_start_rate"], row["poverty_reduction"])


NONE = (None,) * 6


@pytest.mark.django_db
def test_first_year_of_a_standard_has_no_start_of_year_figures(users, client):
    """2021 is the first review year of Decree 07/2021: its start would be 2020's lists, drawn by Decision 59."""
    admin = users["admin"]
    make("F1", "90101", {2020: POOR, 2021: POOR}, admin)
    make("F2", "90101", {2020: POOR, 2021: NOT}, admin)
    make("F3", "90201", {2020: NEAR, 2021: NEAR}, admin)
    report = poverty_summary(user=admin, area_code="90", year=2021)
    assert [_start_figures(row) for row in report["rows"]] == [NONE, NONE]
    assert _start_figures(report["total"]) == NONE
    assert (report["total"]["poor"], report["total"]["near_poor"], report["total"]["escaped"]) == (1, 1, 1)
    # the year after has its start again
    make("F4", "90201", {2021: POOR, 2022: POOR}, admin)
    assert poverty_summary(user=admin, area_code="90", year=2022)["total"]["poor_start"] == 2

    client.force_login(admin)
    data = client.get("/reports/poverty/?area=90&year=2021&format=json").json()
    assert data["total"]["poor_start"] is None and data["total"]["poverty_reduction"] is None
    assert data["rows"][0]["near_poor_start"] is None
    sheet = Sheet(workbook(client.get("/reports/poverty/?area=90&year=2021&format=xlsx")).active, "Đơn vị")
    for label in ("Huyện Một", "Huyện Hai", "Tổng cộng"):
        assert sheet.cell(label, "Hộ nghèo", "Đầu kỳ").value == "—"
        assert sheet.cell(label, "Hộ cận nghèo", "Đầu kỳ").value == "—"
        assert sheet.cell(label, "Tỷ lệ giảm nghèo (điểm %)").value == "—"
    assert sheet.cell("Tổng cộng", "Hộ nghèo", "Cuối kỳ").value == 2  # F1, and F4 added since
    html = client.get("/reports/poverty/?area=90&year=2021").content.decode()
    assert html.count(">—</td>") == 9  # two rows and the total, three columns each


@pytest.mark.django_db
def test_no_previous_result_no_start_and_never_a_negative_reduction_against_zero(users):
    admin = users["admin"]
    make("P1", "90101", {2024: POOR}, admin)
    make("P2", "90102", {2024: POOR}, admin)
    alone = poverty_summary(user=admin, area_code="90", year=2024)  # nothing in 2023 anywhere
    assert [_start_figures(row) for row in alone["rows"]] == [NONE, NONE]
    assert _start_figures(alone["total"]) == NONE
    assert alone["total"]["newly_poor"] == 2  # the flows are still counted

    # 90101 was reviewed in 2023 too, 90102 was not: district 901 has no start, district 902 (nothing either
    # year) a start of 0, and the province total none rather than a partial one
    make("P3", "90101", {2023: POOR, 2024: NOT}, admin)
    report = poverty_summary(user=admin, area_code="90", year=2024)
    rows = {row["area"]["code"]: row for row in report["rows"]}
    assert _start_figures(rows["901"]) == NONE
    assert (rows["902"]["poor_start"], rows["902"]["poverty_reduction"]) == (0, None)
    assert _start_figures(report["total"]) == NONE
    # within the district, the commune reviewed both years has its start, the other has none
    district = poverty_summary(user=admin, area_code="901", year=2024)
    communes = {row["area"]["code"]: row for row in district["rows"]}
    assert (communes["90101"]["poor_start"], communes["90101"]["poor"]) == (1, 1)
    assert communes["90101"]["poverty_reduction"] == Decimal("0.00")
    assert _start_figures(communes["90102"]) == NONE
    for row in (*report["rows"], *district["rows"], report["total"], district["total"]):
        assert row["poverty_reduction"] is None or row["poverty_reduction"] >= 0


@pytest.mark.django_db
def test_queries_do_not_grow_with_households(flows, users, settings):
    settings.REPORT_CACHE_SECONDS = 0

    def run():
        return poverty_summary(user=get_user_model().objects.get(username="district"), area_code="901", year=2024)

    with CaptureQueriesContext(connection) as small:
        run()
    for number in range(12):
        make(f"M{number}", "90102" if number % 2 else "90101", {2023: NEAR, 2024: POOR if number % 3 else NOT},
             users["admin"])
    with CaptureQueriesContext(connection) as large:
        report = run()
    assert report["total"]["near_poor_start"] == 3 + 12 and report["total"]["near_poor_to_poor"] == 1 + 8
    assert len(large) == len(small)
