"""The poverty summary against figures computed by hand on a small fixture, the reform mapping, the Excel
sheet holding the same figures, fixed query counts, and bad input."""
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from areas.services import areas_import_text
from households.models import EthnicGroup
from reports.models import HouseholdCount
from reports.poverty import poverty_summary
from review.services import assessment_save
from tests.factories import HouseholdFactory

POOR = {"income_per_capita": 1_000_000, "deprivations": ["1", "4", "9"]}
NEAR = {"income_per_capita": 1_000_000, "deprivations": []}
NOT = {"income_per_capita": 5_000_000, "deprivations": []}
KINH, XO_DANG = "01", "14"


def make(code, commune, ethnic, classes, admin):
    household = HouseholdFactory(code=code, commune_id=commune, ethnic_group=EthnicGroup.objects.get(code=ethnic))
    for year, inputs in classes.items():
        assessment_save(acting_user=admin, household=household, year=year, **inputs)
    return household


@pytest.fixture
def fixture(users):
    admin = users["admin"]
    make("A", "90101", XO_DANG, {2023: POOR, 2024: POOR}, admin)   # stayed poor
    make("B", "90101", KINH, {2023: NEAR, 2024: POOR}, admin)      # near-poor -> poor
    make("C", "90101", XO_DANG, {2023: POOR, 2024: NOT}, admin)    # escaped
    make("D", "90102", XO_DANG, {2023: NOT, 2024: POOR}, admin)    # newly poor
    make("E", "90102", XO_DANG, {2023: POOR, 2024: NEAR}, admin)   # escaped to near-poor
    make("F", "90201", KINH, {2023: POOR, 2024: NOT}, admin)       # escaped
    HouseholdCount.objects.create(commune_id="90102", year=2024, households=10, ethnic_minority_households=8)


@pytest.mark.django_db
def test_province_rows_and_total_by_hand(fixture, users):
    report = poverty_summary(user=users["admin"], area_code="90", year=2024)
    rows = {row["area"]["code"]: row for row in report["rows"]}
    assert list(rows) == ["901", "902"]
    one, two, total = rows["901"], rows["902"], report["total"]
    # 90101 counts its 3 registered households; 90102 declared 10 (8 ethnic minority)
    assert (one["households"], one["ethnic_minority_households"]) == (13, 10)
    assert (one["poor"], one["near_poor"], one["escaped"], one["newly_poor"], one["near_poor_to_poor"],
            one["relapsed"], one["poor_ethnic_minority"]) == (3, 1, 2, 1, 1, 0, 2)
    assert one["poor_rate"] == Decimal("23.08") and one["ethnic_minority_poor_rate"] == Decimal("20.00")
    assert (one["poor_start"], one["households_start"], one["poor_start_rate"]) == (3, 5, Decimal("60.00"))
    assert one["poverty_reduction"] == Decimal("36.92")
    assert (two["households"], two["poor"], two["escaped"], two["poor_start"]) == (1, 0, 1, 1)
    assert two["ethnic_minority_poor_rate"] is None  # no ethnic-minority household: no rate, not 0
    assert (total["households"], total["poor"], total["escaped"], total["poor_start"]) == (14, 3, 3, 4)
    assert total["poor_rate"] == Decimal("21.43") and total["poor_start_rate"] == Decimal("66.67")
    assert total["poverty_reduction"] == Decimal("45.24")
    assert report["denominators"]["ethnic_minority_poor_rate"] == "hộ nghèo DTTS / tổng số hộ DTTS"


@pytest.mark.django_db
def test_commune_rows_are_villages_and_scope_is_enforced(fixture, users):
    report = poverty_summary(user=users["commune"], area_code="90101", year=2024)
    assert [row["area"]["code"] for row in report["rows"]] == ["90101-01"]
    assert report["total"]["poor"] == 2
    from django.http import Http404

    with pytest.raises(Http404):
        poverty_summary(user=users["commune"], area_code="90201", year=2024)
    with pytest.raises(Http404):
        poverty_summary(user=users["commune"], area_code="90", year=2024)


@pytest.mark.django_db
def test_reform_mapping_uses_units_of_the_year_or_todays_map(users):
    areas_import_text(
        "code,name,level,kind,parent_code,valid_from,valid_to,successor_code,note\n"
        "90,Tỉnh Thử,province,tỉnh,,,,,\n901,Huyện Một,district,huyện,90,,,,\n"
        "90101,Xã Mới,commune,xã,901,,,,\n90103,Xã Cũ,commune,xã,901,,2024-06-30,90101,merged\n"
        "90103-01,Thôn Cũ,village,thôn,90103,,,,\n90101-01,Thôn Một,village,thôn,90101,,,,\n"
    )
    admin = users["admin"]
    household = HouseholdFactory(code="G", commune_id="90103", village_id="90103-01")
    assessment_save(acting_user=admin, household=household, year=2023, **POOR)
    household.commune_id, household.village_id = "90101", "90101-01"
    household.save()
    assessment_save(acting_user=admin, household=household, year=2024, **POOR)
    then = poverty_summary(user=admin, area_code="901", year=2023)
    assert {row["area"]["code"]: row["poor"] for row in then["rows"]} == {"90101": 0, "90102": 0, "90103": 1}
    today = poverty_summary(user=admin, area_code="901", year=2023, comparable=True)
    assert {row["area"]["code"]: row["poor"] for row in today["rows"]} == {"90101": 1, "90102": 0}
    after = poverty_summary(user=admin, area_code="901", year=2024)
    # 2024's start-of-year figure follows the closed commune into its successor
    assert {row["area"]["code"]: (row["poor_start"], row["poor"]) for row in after["rows"]} == {"90101": (1, 1), "90102": (0, 0)}


@pytest.mark.django_db
def test_query_count_does_not_grow_with_households_or_communes(fixture, users):
    from django.contrib.auth import get_user_model

    def fresh_district():  # as in a request: a new user object, its scope computed once
        return get_user_model().objects.get(username="district")

    with CaptureQueriesContext(connection) as small:
        poverty_summary(user=fresh_district(), area_code="901", year=2024)
    for number in range(15):
        make(f"X{number}", "90102" if number % 2 else "90101", XO_DANG, {2023: NOT, 2024: POOR}, users["admin"])
    areas_import_text("code,name,level,kind,parent_code,valid_from,valid_to,successor_code,note\n"
                      "90104,Xã Bốn,commune,xã,901,,,,\n90105,Xã Năm,commune,xã,901,,,,\n")
    with CaptureQueriesContext(connection) as large:
        report = poverty_summary(user=fresh_district(), area_code="901", year=2024)
    assert report["total"]["poor"] == 3 + 15
    assert len(large) == len(small)


@pytest.mark.django_db
def test_a_communes_report_by_village_costs_the_same_queries_for_more_villages(fixture, users):
    """A row per village: their names are read at once, not one query per village row."""
    from areas.models import AdministrativeUnit

    def by_village():
        with CaptureQueriesContext(connection) as captured:
            report = poverty_summary(user=users["admin"], area_code="90101", year=2024)
        return report, len(captured)

    small, few = by_village()
    for number in range(2, 6):
        village = AdministrativeUnit.objects.create(code=f"90101-0{number}", name=str(number), kind="thôn",
                                                    level="village", parent_id="90101")
        household = HouseholdFactory(code=f"V{number}", commune_id="90101", village_id=village.code)
        assessment_save(acting_user=users["admin"], household=household, year=2024, **POOR)
    large, more = by_village()
    assert [row["area"]["name"] for row in large["rows"]][:5] == ["Thôn Một", "Thôn 2", "Thôn 3", "Thôn 4", "Thôn 5"]
    assert [row["households"] for row in large["rows"]][1:] == [1, 1, 1, 1]
    assert len(large["rows"]) == len(small["rows"]) + 4 and more == few


@pytest.mark.django_db
def test_page_json_and_excel_render_the_same_rows(fixture, client, users):
    client.force_login(users["admin"])
    page = client.get("/reports/poverty/?area=90&year=2024")
    assert page.status_code == 200
    html = page.content.decode()
    assert "21,43 %" in html and "Huyện Một" in html and "Tổng cộng" in html
    # a number cell sorts by its raw value (static/js/tables.js parseFloat): "21.43", never the shown "21,43"
    sort_values = re.findall(r'<td class="num" data-value="([^"]*)">', html)
    assert any("." in value for value in sort_values) and not any("," in value for value in sort_values), sort_values
    data = client.get("/reports/poverty/?area=90&year=2024&format=json").json()
    assert data["total"]["poor_rate"] == "21.43" and data["rows"][0]["area"] == {"code": "901", "name": "Huyện Một"}
    workbook = load_workbook(io.BytesIO(client.get("/reports/poverty/?area=90&year=2024&format=xlsx").content))
    sheet = workbook.active
    values = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    header_row = next(i for i, row in enumerate(values) if row[0] == "Đơn vị")
    assert values[header_row + 2][:3] == ("(1)", "(2)", "(3)")
    total = next(row for row in values if row[0] == "Tổng cộng")
    assert total[1] == 14 and total[8] == 3 and abs(total[9] - 21.43) < 1e-9
    assert any("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in row for row in values)  # one spelling in every output
    # Every data cell carries its column's number format, not only the totals (regression: "General").
    first = header_row + 3
    data_row = [cell for cell in sheet[first + 1]]
    assert data_row[1].number_format == "#,##0" and data_row[9].number_format == "0.00"
    assert data_row[0].number_format == "General" and isinstance(data_row[0].value, str)
    assert any("NGƯỜI LẬP BIỂU" in row for row in values)
    assert sheet.freeze_panes == f"B{header_row + 4}"
    assert sheet.page_setup.orientation == "landscape"
    package = load_workbook(io.BytesIO(client.get("/reports/annual-package/?area=90&year=2024").content))
    assert "Hộ nghèo" in package.sheetnames


@pytest.mark.django_db
def test_bad_parameters_get_a_clear_answer(fixture, client, users):
    client.force_login(users["commune"])
    response = client.get("/reports/poverty/?area=90101&year=20x4&format=json")
    assert response.status_code == 400 and "không hợp lệ" in response.json()["detail"]
    response = client.get("/reports/poverty/?area=90101&year=20x4")
    assert response.status_code == 400 and "không hợp lệ" in response.content.decode()
    # an area that does not exist or lies outside the officer's: a 400 offering the selectors (issue 26.5)
    response = client.get("/reports/poverty/?area=99999&year=2024")
    assert response.status_code == 400 and "Không có đơn vị hành chính mã 99999." in response.content.decode()
    assert 'id="report-filters"' in response.content.decode()
    assert client.get("/reports/poverty/?area=90201&year=2024").status_code == 400
    response = client.get("/reports/poverty/?area=90101&year=2019")
    assert response.status_code == 200 and "Năm 2019 chưa có hộ nào được rà soát ở" in response.content.decode()
    assert client.get("/?year=abc").status_code == 400


@pytest.mark.django_db
def test_dashboard_reads_each_year_once_and_gets_the_same_figures(fixture, users, settings):
    from reports.dashboard import dashboard_data

    settings.REPORT_CACHE_SECONDS = 0  # the queries themselves, not the report cache
    admin = users["admin"]
    with CaptureQueriesContext(connection) as shared:
        dashboard = dashboard_data(user=admin, area_code="90", year=2024, years=[2023, 2024])
    # this year, last year and the series on today's map need 2022 (2023's start), 2023 and 2024: each
    # year's assessments are aggregated once, where eight separate summaries would read them up to 4 times
    reads = [q["sql"] for q in shared.captured_queries
             if 'FROM "households_assessment"' in q["sql"] and "GROUP BY" in q["sql"]]
    assert len(reads) == 3
    assert dashboard["poverty"] == poverty_summary(user=admin, area_code="90", year=2024)
    series = next(chart for chart in dashboard["charts"] if chart["id"] == "rate-series")
    alone = poverty_summary(user=admin, area_code="90", year=2023, comparable=True)["total"]
    assert series["datasets"][0]["data"][0] == float(alone["poor_rate"])
