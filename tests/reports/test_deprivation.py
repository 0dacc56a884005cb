"""Deprivation per child area (communes, or villages in a commune's report) and the household list of one
indicator (?indicator=9), against a hand-computed fixture, in rows, JSON, page and Excel, with constant
queries."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.deprivation import deprivation_by_area
from reports.registry import REPORTS
from review.services import assessment_save
from tests.factories import HouseholdFactory
from tests.reports.sheets import Sheet, workbook


def assess(code, commune, admin, income, deprivations):
    household = HouseholdFactory(code=code, commune_id=commune)
    assessment_save(acting_user=admin, household=household, year=2024, income_per_capita=income,
                    deprivations=deprivations)


@pytest.fixture
def shortfalls(users):
    admin = users["admin"]
    assess("D1", "90101", admin, 1_000_000, ["1", "4", "9"])   # poor
    assess("D2", "90101", admin, 1_000_000, ["9"])             # near-poor
    assess("D3", "90102", admin, 1_000_000, ["4", "9", "10"])  # poor (10, not 1)
    assess("D4", "90102", admin, 1_000_000, [])                # near-poor
    assess("D5", "90201", admin, 1_000_000, ["1", "2", "3"])   # poor
    assess("D6", "90201", admin, 5_000_000, ["9"])             # not poor: not counted, not listed


@pytest.mark.django_db
def test_deprivation_per_area_by_hand(shortfalls, users):
    report = deprivation_by_area(user=users["admin"], area_code="90", year=2024)
    assert [item["code"] for item in report["indicators"]] == [str(n) for n in range(1, 13)]
    rows = {row["area"]["code"]: row for row in report["rows"]}
    one, two, total = rows["901"], rows["902"], report["total"]
    assert (one["poor"], one["near_poor"], one["poor_9"], one["near_poor_9"], one["poor_4"], one["poor_1"],
            one["poor_10"], one["near_poor_1"]) == (2, 2, 2, 1, 2, 1, 1, 0)
    assert (two["poor"], two["near_poor"], two["poor_1"], two["poor_2"], two["poor_3"], two["poor_9"],
            two["near_poor_9"]) == (1, 0, 1, 1, 1, 0, 0)
    assert (total["poor"], total["near_poor"], total["poor_9"], total["near_poor_9"], total["poor_1"]) == (3, 2, 2, 1, 2)
    district = deprivation_by_area(user=users["district"], area_code="901", year=2024)
    communes = {row["area"]["code"]: row for row in district["rows"]}
    assert (communes["90101"]["poor_9"], communes["90101"]["near_poor_9"], communes["90101"]["poor_10"]) == (1, 1, 0)
    assert (communes["90102"]["poor_9"], communes["90102"]["poor_10"], communes["90102"]["near_poor"]) == (1, 1, 1)
    commune = deprivation_by_area(user=users["commune"], area_code="90101", year=2024)
    assert [(row["area"]["code"], row["poor_9"], row["near_poor_9"]) for row in commune["rows"]] == [("90101-01", 1, 1)]


@pytest.mark.django_db
def test_deprivation_per_area_excel_headers_formats_and_figures(shortfalls, client, users):
    client.force_login(users["admin"])
    response = client.get("/reports/deprivation-by-area/?area=90&year=2024&format=xlsx")
    sheet = Sheet(workbook(response).active, "Đơn vị")
    assert sheet.depth == 3 and len(sheet.headers) == 3 + 2 * 12
    assert sheet.headers[:3] == [("Đơn vị",), ("Tổng số", "Hộ nghèo"), ("Tổng số", "Hộ cận nghèo")]
    water = ("Nước sinh hoạt và vệ sinh", "9. Nguồn nước sinh hoạt")
    assert sheet.headers[sheet.index(*water, "Hộ nghèo") + 1] == (*water, "Hộ cận nghèo")
    assert sheet.headers[3] == ("Việc làm", "1. Việc làm", "Hộ nghèo")
    # the dimension spans its indicators' four columns in one merged cell
    top = [m for m in sheet.sheet.merged_cells.ranges
           if m.min_row == sheet.top and sheet.sheet.cell(m.min_row, m.min_col).value == "Nước sinh hoạt và vệ sinh"]
    assert len(top) == 1 and top[0].max_col - top[0].min_col == 3
    for label, figures in [("Huyện Một", (2, 2, 2, 1)), ("Huyện Hai", (1, 0, 0, 0)), ("Tổng cộng", (3, 2, 2, 1))]:
        cells = [sheet.cell(label, "Tổng số", "Hộ nghèo"), sheet.cell(label, "Tổng số", "Hộ cận nghèo"),
                 sheet.cell(label, *water, "Hộ nghèo"), sheet.cell(label, *water, "Hộ cận nghèo")]
        assert tuple(cell.value for cell in cells) == figures, label
        assert {cell.number_format for cell in cells} == {"#,##0"}
    assert sheet.sheet.title == "Thiếu hụt theo đơn vị"
    assert any("THIẾU HỤT CÁC CHỈ SỐ DỊCH VỤ XÃ HỘI CƠ BẢN THEO ĐƠN VỊ" in str(row[0]) for row in sheet.values)
    assert any("Không phải biểu mẫu chính thức" in str(row[0]) for row in sheet.values)
    data = client.get("/reports/deprivation-by-area/?area=90&year=2024&format=json").json()
    assert data["total"]["poor_9"] == 2 and data["indicators"][8]["name"] == "Nguồn nước sinh hoạt"
    html = client.get("/reports/deprivation-by-area/?area=90&year=2024").content.decode()
    assert "Nước sinh hoạt và vệ sinh – 9. Nguồn nước sinh hoạt – Hộ nghèo" in html and "Huyện Hai" in html


@pytest.mark.django_db
def test_indicator_list_names_the_deprived_poor_and_near_poor(shortfalls, client, users):
    client.force_login(users["admin"])
    data = client.get("/reports/lists/?area=90&year=2024&indicator=9&format=json").json()
    assert [(row["code"], row["list"]) for row in data["rows"]] == [
        ("D1", "Hộ nghèo"), ("D2", "Hộ cận nghèo"), ("D3", "Hộ nghèo")]
    assert data["indicator"] == {"code": "9", "name": "Nguồn nước sinh hoạt", "dimension": "Nước sinh hoạt và vệ sinh"}
    # one LIKE per indicator: indicator 1 is not indicator 10
    one = client.get("/reports/lists/?area=90&year=2024&indicator=1&format=json").json()
    assert [row["code"] for row in one["rows"]] == ["D1", "D5"]
    # without the parameter, the usual lists (by movement)
    plain = client.get("/reports/lists/?area=90&year=2024&format=json").json()
    assert {row["code"] for row in plain["rows"]} == {"D1", "D2", "D3", "D4", "D5"}
    # a commune officer gets the commune's own households only
    client.force_login(users["commune"])
    own = client.get("/reports/lists/?area=90101&year=2024&indicator=9&format=json").json()
    assert [row["code"] for row in own["rows"]] == ["D1", "D2"]


@pytest.mark.django_db
def test_indicator_list_excel_and_page(shortfalls, client, users):
    client.force_login(users["admin"])
    response = client.get("/reports/lists/?area=90&year=2024&indicator=9&format=xlsx")
    assert "lists-90-2024-9" in response["Content-Disposition"]
    sheet = Sheet(workbook(response).active, "Mã hộ")
    title = "DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO THIẾU HỤT CHỈ SỐ 9. NGUỒN NƯỚC SINH HOẠT THEO KẾT QUẢ RÀ SOÁT NĂM 2024"
    assert sheet.sheet["A4"].value == title
    assert sheet.headers[:2] == [("Mã hộ",), ("Họ tên chủ hộ",)]
    assert list(sheet.rows)[:3] == ["D1", "D2", "D3"] and "D6" not in sheet.rows and "D5" not in sheet.rows
    assert sheet.cell("D2", "Danh sách").value == "Hộ cận nghèo"
    income = sheet.cell("D1", "Thu nhập BQ (đồng/người/tháng)")
    assert income.value == 1_000_000 and income.number_format == "#,##0"
    assert sheet.cell("D3", "Số chỉ số thiếu hụt").value == 3
    assert any("Không phải biểu mẫu chính thức" in str(row[0]) for row in sheet.values)
    page = client.get("/reports/lists/?area=90&year=2024&indicator=9").content.decode()
    assert '<option value="9" selected>9. Nguồn nước sinh hoạt</option>' in page
    # the table's cells, not the page's text: a CSRF token in the page may hold "D5" by chance
    assert "area=90&amp;indicator=9&format=xlsx" in page and "<td>D3</td>" in page and "<td>D5</td>" not in page
    assert "thiếu hụt chỉ số 9. Nguồn nước sinh hoạt" in page


@pytest.mark.django_db
def test_unknown_indicator_is_a_clear_400(shortfalls, client, users):
    client.force_login(users["admin"])
    response = client.get("/reports/lists/?area=90&year=2024&indicator=99&format=json")
    assert response.status_code == 400 and "Chỉ số “99” không có trong chuẩn nghèo" in response.json()["detail"]
    response = client.get("/reports/lists/?area=90&year=2024&indicator=99")
    assert response.status_code == 400 and "Chỉ số “99”" in response.content.decode()
    # indicator 13 exists only in the 2026–2030 standard
    assert client.get("/reports/lists/?area=90&year=2024&indicator=13&format=json").status_code == 400
    assert client.get("/reports/lists/?area=90&year=2026&indicator=13&format=json").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/reports/deprivation-by-area/?area=90&year=2024&format={}",
                                 "/reports/lists/?area=90&year=2024&indicator=9&format={}"])
def test_queries_do_not_grow_with_households(shortfalls, client, users, settings, url):
    settings.REPORT_CACHE_SECONDS = 0
    client.force_login(users["admin"])
    counts = {}
    for output in ("json", "xlsx"):
        with CaptureQueriesContext(connection) as small:
            assert client.get(url.format(output)).status_code == 200
        counts[output] = len(small)
    for number in range(10):
        assess(f"Z{number}", "90102" if number % 2 else "90201", users["admin"], 1_000_000, ["9", "10", str(number + 1)])
    for output in ("json", "xlsx"):
        with CaptureQueriesContext(connection) as large:
            assert client.get(url.format(output)).status_code == 200
        assert len(large) == counts[output], output
    data = client.get(url.format("json")).json()
    # Z8 and Z9 have two deprivations (9 and 10): near-poor
    if data["total"]:
        assert (data["total"]["poor_9"], data["total"]["near_poor_9"]) == (2 + 8, 1 + 2)
    else:
        assert len(data["rows"]) == 3 + 10


def test_registry_expands_the_columns_of_the_years_indicators():
    report = REPORTS["deprivation-by-area"]
    result = {"indicators": [{"code": "9", "name": "Nguồn nước sinh hoạt", "dimension": "Nước"}]}
    assert [column.key for column in report.columns_for(result)] == ["area_name", "poor", "near_poor", "poor_9",
                                                                    "near_poor_9"]
    assert [column.key for column in report.columns_for(None)] == ["area_name", "poor", "near_poor"]
