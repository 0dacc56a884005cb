"""The leaders' dashboard in headless Chromium: charts render, selectors work, no console errors."""
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from programs.models import Benefit
from review.services import assessment_save
from tests.e2e.conftest import console_errors, login
from tests.factories import HouseholdFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def figures(users):
    for number in range(6):
        household = HouseholdFactory(code=f"D{number}", commune_id="90101" if number % 2 else "90102")
        for year, income in [(2023, 1_000_000), (2024, 1_000_000 if number < 2 else 3_000_000)]:
            assessment_save(acting_user=users["admin"], household=household, year=year, income_per_capita=income,
                            deprivations=["1", "4", "9"])
        Benefit.objects.create(program_id="CS-AN-TRUA-MG", year=2024, date="2024-09-01", household=household,
                               amount=160_000)


def test_dashboard_charts_tables_and_selectors(browser, live_server, users, figures, screenshot):
    login(browser, live_server, "district")
    browser.get(f"{live_server.url}/?area=901&year=2024")
    wait = WebDriverWait(browser, 10)
    wait.until(lambda d: d.execute_script("return window.dashboardCharts && Object.keys(window.dashboardCharts).length"))
    charts = browser.execute_script(
        "return Object.entries(window.dashboardCharts).map(([id, c]) => [id, c.data.datasets.length, c.width > 0])")
    assert {chart[0] for chart in charts} == {"rate-series", "rate-by-area", "movements", "spending"}
    assert all(chart[2] for chart in charts)
    # No training course: that chart says so instead of drawing empty axes.
    assert browser.find_element(By.CSS_SELECTOR, "#panel-training .empty-chart").text == "Chưa có số liệu"
    # The CSV has a header in every column and Vietnamese decimals, as the page.
    csv = browser.execute_script("return window.dashboardCsv('rate-by-area')")
    assert csv.splitlines()[0] == '\ufeff"Đơn vị","Tỷ lệ hộ nghèo (%)","Tỷ lệ hộ cận nghèo (%)"'
    assert '"33,33"' in csv and "33.33" not in csv
    cards = browser.find_element(By.ID, "key-figures").text
    assert "Hộ nghèo" in cards and "33,33 %" in cards  # 2 poor of 6 households
    toggle = browser.find_element(By.CSS_SELECTOR, "[data-toggle-table='rate-by-area']")
    table = browser.find_element(By.ID, "table-rate-by-area")
    assert not table.is_displayed()
    toggle.click()
    assert table.is_displayed() and table.text.count("33,33") == 2  # one poor of three in each commune
    screenshot("dashboard-2024")
    Select(browser.find_element(By.ID, "year-select")).select_by_value("2023")
    wait.until(lambda d: "năm 2023" in d.find_element(By.TAG_NAME, "h1").text)
    assert "100,00 %" in browser.find_element(By.ID, "key-figures").text
    screenshot("dashboard-2023")
    assert console_errors(browser) == []


def test_counts_are_on_whole_numbers_and_programmes_by_name(browser, live_server, users, figures):
    """Issue 26.6: the y-axis of a chart of households reads 0, 1, 2…, never 0,5; a programme's bar is named, its
    code and full name in the tooltip."""
    login(browser, live_server, "district")
    browser.get(f"{live_server.url}/?area=901&year=2024")
    WebDriverWait(browser, 10).until(lambda d: d.execute_script(
        "return !!(window.dashboardCharts && window.dashboardCharts.movements)"))
    ticks = browser.execute_script("return window.dashboardCharts.movements.scales.y.ticks.map(t => t.label)")
    assert len(ticks) >= 3 and all(label.isdigit() for label in ticks), ticks
    rates = browser.execute_script("return window.dashboardCharts['rate-by-area'].scales.y.ticks.map(t => t.label)")
    assert len(rates) > 2 and not any("." in label for label in rates), rates  # Vietnamese decimals: 12,5
    spending = browser.execute_script("""
        var chart = window.dashboardCharts.spending;
        return [chart.scales.x.ticks.map(t => t.label), chart.options.plugins.tooltip.callbacks.title([{dataIndex: 0}])];
    """)
    assert spending == [["Hỗ trợ ăn trưa trẻ em mẫu giáo"], "CS-AN-TRUA-MG – Hỗ trợ ăn trưa trẻ em mẫu giáo"]
    assert console_errors(browser) == []
