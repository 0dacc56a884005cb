"""Poor and near-poor households by ethnic group against a hand-computed fixture: rows, rates, JSON, page and
the Excel sheet, the scope, and constant queries."""
import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from households.models import EthnicGroup
from reports.ethnic_groups import ethnic_group_summary
from review.services import assessment_save
from tests.factories import HouseholdFactory
from tests.reports.sheets import Sheet, workbook

POOR = {"income_per_capita": 1_000_000, "deprivations": ["1", "4", "9"]}
NEAR = {"income_per_capita": 1_000_000, "deprivations": ["4"]}
NOT = {"income_per_capita": 5_000_000, "deprivations": []}
KINH, XO_DANG = "01", "14"


def make(code, commune, ethnic, inputs, admin, **fields):
    household = HouseholdFactory(code=code, commune_id=commune, ethnic_group=EthnicGroup.objects.get(code=ethnic),
                                 **fields)
    if inputs is not None:
        assessment_save(acting_user=admin, household=household, year=2024, **inputs)
    return household


@pytest.fixture
def groups(users):
    admin = users["admin"]
    make("E1", "90101", XO_DANG, POOR, admin)
    make("E2", "90101", XO_DANG, NEAR, admin)
    make("E3", "90101", XO_DANG, NOT, admin)
    make("E8", "90101", XO_DANG, POOR, admin)
    make("E4", "90102", KINH, POOR, admin)
    make("E5", "90102", KINH, None, admin)      # registered, not reviewed: counts among the households
    make("E6", "90102", XO_DANG, None, admin)
    make("E7", "90201", KINH, POOR, admin)      # another district
    make("E9", "90102", KINH, None, admin, registered_on=datetime.date(2025, 3, 1))  # not there in 2024


@pytest.mark.django_db
def test_ethnic_groups_by_hand(groups, users):
    report = ethnic_group_summary(user=users["district"], area_code="901", year=2024)
    rows = {row["code"]: row for row in report["rows"]}
    assert list(rows) == [KINH, XO_DANG]  # by the 121-TCTK code
    kinh, xo_dang, total = rows[KINH], rows[XO_DANG], report["total"]
    assert (kinh["area"], kinh["minority"], xo_dang["area"], xo_dang["minority"]) == ("Kinh", "", "Xơ-đăng", "x")
    assert (kinh["households"], kinh["poor"], kinh["near_poor"]) == (2, 1, 0)
    assert (kinh["poor_rate"], kinh["near_poor_rate"], kinh["poor_share"]) == (
        Decimal("50.00"), Decimal("0.00"), Decimal("33.33"))
    assert (xo_dang["households"], xo_dang["poor"], xo_dang["near_poor"]) == (5, 2, 1)
    assert (xo_dang["poor_rate"], xo_dang["near_poor_rate"], xo_dang["poor_share"]) == (
        Decimal("40.00"), Decimal("20.00"), Decimal("66.67"))
    assert (total["households"], total["poor"], total["near_poor"]) == (7, 3, 1)
    assert (total["poor_rate"], total["near_poor_rate"], total["poor_share"]) == (
        Decimal("42.86"), Decimal("14.29"), Decimal("100.00"))
    assert (report["ethnic_minority"]["households"], report["ethnic_minority"]["poor"]) == (5, 2)
    province = ethnic_group_summary(user=users["admin"], area_code="90", year=2024)
    assert {row["code"]: row["poor"] for row in province["rows"]} == {KINH: 2, XO_DANG: 2}
    commune = ethnic_group_summary(user=users["commune"], area_code="90101", year=2024)
    assert [(row["code"], row["households"], row["poor"]) for row in commune["rows"]] == [(XO_DANG, 4, 2)]


@pytest.mark.django_db
def test_ethnic_groups_excel_page_and_json(groups, client, users):
    client.force_login(users["district"])
    sheet = Sheet(workbook(client.get("/reports/ethnic-groups/?area=901&year=2024&format=xlsx")).active, "Dân tộc")
    assert sheet.headers == [("Dân tộc",), ("Dân tộc thiểu số",), ("Tổng số hộ",), ("Hộ nghèo", "Số hộ"),
                             ("Hộ nghèo", "Tỷ lệ (%)"), ("Hộ cận nghèo", "Số hộ"), ("Hộ cận nghèo", "Tỷ lệ (%)"),
                             ("Cơ cấu hộ nghèo (%)",)]
    assert sheet.sheet.title == "Theo dân tộc"
    assert sheet.sheet["A4"].value == "HỘ NGHÈO, HỘ CẬN NGHÈO THEO DÂN TỘC — KẾT QUẢ RÀ SOÁT NĂM 2024"
    assert sheet.rows["Kinh"][:4] == ("Kinh", None, 2, 1) and sheet.rows["Xơ-đăng"][:4] == ("Xơ-đăng", "x", 5, 2)
    rate = sheet.cell("Xơ-đăng", "Hộ nghèo", "Tỷ lệ (%)")
    assert abs(rate.value - 40.0) < 1e-9 and rate.number_format == "0.00"
    assert sheet.cell("Xơ-đăng", "Tổng số hộ").number_format == "#,##0"
    total = sheet.rows["Tổng cộng"]
    assert total[2:4] == (7, 3) and abs(total[4] - 42.86) < 1e-9 and abs(total[6] - 14.29) < 1e-9
    assert any("Không phải biểu mẫu chính thức" in str(row[0]) for row in sheet.values)
    data = client.get("/reports/ethnic-groups/?area=901&year=2024&format=json").json()
    assert data["total"]["poor_rate"] == "42.86" and data["rows"][1]["poor_share"] == "66.67"
    html = client.get("/reports/ethnic-groups/?area=901&year=2024").content.decode()
    assert "Xơ-đăng" in html and "40,00 %" in html and "Hộ nghèo – Tỷ lệ (%)" in html


@pytest.mark.django_db
def test_queries_do_not_grow_with_households(groups, users, settings):
    settings.REPORT_CACHE_SECONDS = 0
    with CaptureQueriesContext(connection) as small:
        ethnic_group_summary(user=users["admin"], area_code="90", year=2024)
    for number in range(10):
        make(f"X{number}", "90102", ("02", "03", KINH)[number % 3], POOR if number % 2 else NEAR, users["admin"])
    with CaptureQueriesContext(connection) as large:
        report = ethnic_group_summary(user=users["admin"], area_code="90", year=2024)
    assert [row["code"] for row in report["rows"]] == [KINH, "02", "03", XO_DANG]
    assert report["total"]["poor"] == 4 + 5  # E1, E8, E4, E7 and the five odd X
    assert len(large) == len(small)


@pytest.mark.django_db
def test_annual_package_holds_the_new_sheets(groups, client, users):
    client.force_login(users["admin"])
    book = workbook(client.get("/reports/annual-package/", {"area": "90", "year": 2024}))
    assert {"Thiếu hụt theo đơn vị", "Theo dân tộc"} <= set(book.sheetnames)
    ethnic = Sheet(book["Theo dân tộc"], "Dân tộc")
    assert ethnic.rows["Tổng cộng"][2:4] == (8, 4)  # E1–E8 (E9 came in 2025); E1, E8, E4, E7 poor
    by_area = Sheet(book["Thiếu hụt theo đơn vị"], "Đơn vị")
    assert by_area.cell("Tổng cộng", "Nước sinh hoạt và vệ sinh", "9. Nguồn nước sinh hoạt", "Hộ nghèo").value == 4
    assert by_area.cell("Huyện Hai", "Tổng số", "Hộ nghèo").value == 1
