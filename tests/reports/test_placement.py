"""Issue 28, items 2, 4 and 6, on the Kon Tum map and its demo villages: the reports place a household of 2024 in
2024's units (review.placement), budgets of a former district stay with the area its communes went to, and the
dashboard's picker and village chart follow the map of the year shown."""
import datetime
import io
import re

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from accounts.services import officer_save
from areas.models import AdministrativeUnit
from households.models import Household
from households.services import household_update
from programs.models import Benefit, BudgetAllocation
from reports.poverty import poverty_summary
from reports.spending import spending_summary
from review.services import assessment_save
from tests.factories import HouseholdFactory

POOR_INPUTS = {"income_per_capita": 500_000, "deprivations": ["1", "2", "3"]}


@pytest.fixture
def reform(db):
    """Tân Cảnh (23437) and Kon Đào (23434) households of 2024, filed since the reform under xã Đăk Tô (23401) and
    xã Kon Đào (23430, named Đắk Trăm in 2024); a town household; one registered on 05/12/2026."""
    call_command("import_areas", "areas/data/admin_units_kontum.csv")
    call_command("import_areas", "demo/data/demo_villages.csv")
    admin, _ = officer_save(username="boss", role="admin", password="x", check_password=False)
    tan_canh = HouseholdFactory(code="TC-1", commune_id="23437", village_id="23437-01")
    assessment_save(acting_user=admin, household=tan_canh, year=2024, **POOR_INPUTS)
    household_update(acting_user=admin, household=tan_canh, commune=AdministrativeUnit.objects.get(pk="23401"))
    kon_dao = HouseholdFactory(code="KD-1", commune_id="23430", village_id="23434-01")  # not reviewed in 2024
    town = HouseholdFactory(code="DT-1", commune_id="23401", village_id="23401-01")
    assessment_save(acting_user=admin, household=town, year=2024, income_per_capita=3_000_000)
    HouseholdFactory(code="LATE-1", commune_id="23401", village_id="23401-02", registered_on=datetime.date(2026, 12, 5))
    BudgetAllocation.objects.create(program_id="DA2", year=2024, area_id="612", amount=3_500_000_000)
    BudgetAllocation.objects.create(program_id="DA4-TDA1", year=2024, area_id="612", amount=400_000_000)
    BudgetAllocation.objects.create(program_id="DA4-TDA1", year=2024, area_id="23401", amount=100_000_000)
    return {"admin": admin, "kon_dao": kon_dao}


def register(client, **query):
    rows = client.get("/reports/register/", {**query, "format": "json"}).json()["rows"]
    return {row["code"]: (row["commune"], row["village"], row["list"]) for row in rows}


# --- item 2: the register of 2024 in 2024's units -------------------------------------------------------------

def test_the_2024_register_places_households_in_2024s_communes_and_villages(client, reform):
    client.force_login(reform["admin"])
    rows = register(client, year=2024, area="612")
    assert rows == {
        "DT-1": ("Thị trấn Đắk Tô", "Tổ dân phố 1", "Không nghèo"),
        "KD-1": ("Xã Kon Đào", "Thôn Kon Đào", "Chưa rà soát"),  # not under xã Đắk Trăm, its commune since 2025
        "TC-1": ("Xã Tân Cảnh", "Thôn Tân Tiến", "Hộ nghèo"),  # not under thị trấn Đắk Tô
    }  # LATE-1, registered on 05/12/2026, is in no register of 2024
    # on today's map, the same households under the communes that took them
    assert register(client, year=2024, area="612", comparable=1) == {
        "DT-1": ("Xã Đăk Tô", "Tổ dân phố 1", "Không nghèo"),
        "KD-1": ("Xã Kon Đào", "Thôn Kon Đào", "Chưa rà soát"),
        "TC-1": ("Xã Đăk Tô", "Thôn Tân Tiến", "Hộ nghèo"),
    }
    assert set(register(client, year=2026, area="23401")) == {"DT-1", "TC-1", "LATE-1"}
    poverty = poverty_summary(user=reform["admin"], area_code="612", year=2024)
    assert {row["area"]["code"]: row["households"] for row in poverty["rows"] if row["households"]} == {
        "23401": 1, "23434": 1, "23437": 1}


def test_the_annual_packages_register_sheet_agrees_with_its_poverty_sheet(client, reform):
    client.force_login(reform["admin"])
    response = client.get("/reports/annual-package/", {"year": 2024, "area": "612"})
    book = load_workbook(io.BytesIO(response.content))
    register_rows = [row for row in book["Sổ hộ"].iter_rows(values_only=True) if row and row[0] in
                     {"DT-1", "KD-1", "TC-1", "LATE-1"}]
    assert {row[0]: (row[3], row[4]) for row in register_rows} == {
        "DT-1": ("Thị trấn Đắk Tô", "Tổ dân phố 1"), "KD-1": ("Xã Kon Đào", "Thôn Kon Đào"),
        "TC-1": ("Xã Tân Cảnh", "Thôn Tân Tiến")}
    poverty = {row[0]: row[1] for row in book["Hộ nghèo"].iter_rows(values_only=True) if row and row[0]}
    assert (poverty["Thị trấn Đắk Tô"], poverty["Xã Kon Đào"], poverty["Xã Tân Cảnh"]) == (1, 1, 1)


# --- item 4: budgets of a former unit on today's map ----------------------------------------------------------

def budgets(report):
    return {row["program"]["code"]: row["budget"] for row in report["rows"] if row["budget"]}


def test_the_province_on_todays_map_keeps_the_budgets_of_the_abolished_district(client, reform):
    admin = reform["admin"]
    district = budgets(spending_summary(user=admin, area_code="612", year=2024))
    assert district == {"DA2": 3_500_000_000, "DA4-TDA1": 500_000_000}
    assert budgets(spending_summary(user=admin, area_code="51", year=2024, comparable=True)) == district
    assert budgets(spending_summary(user=admin, area_code="612", year=2024, comparable=True)) == district
    assert budgets(spending_summary(user=admin, area_code="62", year=2024)) == district
    # a commune keeps its own budget, never a share of the district's
    assert budgets(spending_summary(user=admin, area_code="23401", year=2024, comparable=True)) == {
        "DA4-TDA1": 100_000_000}
    client.force_login(admin)
    page = client.get("/reports/spending/", {"year": 2024, "area": "51", "comparable": 1, "format": "json"}).json()
    assert page["total"]["budget"] == 4_000_000_000


def test_a_benefit_of_2024_lies_where_its_household_was_in_2024(reform):
    tan_canh = Household.objects.get(code="TC-1")
    Benefit.objects.create(program_id="CS-AN-TRUA-MG", year=2024, date=datetime.date(2024, 9, 1), household=tan_canh,
                           amount=700_000, quantity=1)
    admin = reform["admin"]

    def paid(area, **options):
        return spending_summary(user=admin, area_code=area, year=2024, **options)["total"]["amount"]

    assert (paid("23437"), paid("23401"), paid("612")) == (700_000, 0, 700_000)
    assert paid("23401", comparable=True) == 700_000  # on today's map, Tân Cảnh is xã Đăk Tô's


# --- item 6: the dashboard's picker and its villages ----------------------------------------------------------

def options(html):
    select = html[html.index('id="area-select"'):]
    select = select[:select.index("</select>")]
    return re.findall(r'<option value="([^"]+)"( selected)?>([^<]*)</option>', select)


def test_a_communes_2024_chart_lists_only_its_2024_villages(client, reform):
    admin = reform["admin"]
    rows_2024 = poverty_summary(user=admin, area_code="23401", year=2024)["rows"]
    assert [row["area"]["code"] for row in rows_2024] == ["23401-01", "23401-02", "23401-03"]
    rows_2025 = [row["area"]["code"] for row in poverty_summary(user=admin, area_code="23401", year=2025)["rows"]]
    assert {"23401-01", "23437-01", "23440-01", "23443-02"} <= set(rows_2025)
    client.force_login(admin)
    html = client.get("/", {"year": 2024, "area": "23401"}).content.decode()
    charts = {chart["id"]: chart for chart in _chart_data(html)}
    assert charts["rate-by-area"]["labels"] == ["Tổ dân phố 1", "Tổ dân phố 2", "Tổ dân phố 3"]


def _chart_data(html):
    import json

    start = html.index('<script id="chart-data" type="application/json">') + len(
        '<script id="chart-data" type="application/json">')
    return json.loads(html[start:html.index("</script>", start)])


def test_the_picker_puts_the_province_first_and_labels_only_former_units(client, reform):
    province, _ = officer_save(username="tinh", role="province_officer", area_codes=["51"], password="x",
                               check_password=False)
    client.force_login(province)
    html = client.get("/", {"year": 2024}).content.decode()
    choices = options(html)
    assert [code for code, _, _ in choices[:4]] == ["51", "62", "610", "612"]
    assert choices[0] == ("51", " selected", "Tỉnh Quảng Ngãi (51)")  # today's province: never "đơn vị cũ"
    assert not any("(đơn vị cũ)" in name for _, _, name in choices)  # 2024's districts were in force
    assert "Tổng quan giảm nghèo — Tỉnh Quảng Ngãi, năm 2024" in html
    # the title and the select name the same unit, for an administrator too (51 is not on the 2024 map)
    client.force_login(reform["admin"])
    admin_html = client.get("/", {"year": 2024, "area": "51"}).content.decode()
    assert [code for code, selected, _ in options(admin_html) if selected] == ["51"]
    district, _ = officer_save(username="huyen", role="district_officer", area_codes=["612"], password="x",
                               check_password=False)
    client.force_login(district)
    later = options(client.get("/", {"year": 2026, "area": "612"}).content.decode())
    assert ("612", " selected", "— Huyện Đắk Tô (đơn vị cũ) (612)") in later
    assert [code for code, _, _ in later][1:] == sorted(code for code, _, _ in later[1:])  # then its communes
