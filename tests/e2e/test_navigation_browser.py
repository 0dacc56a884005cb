"""The menu fits a laptop on one line and folds behind a button on a phone; pickers offer the right places."""
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from areas.models import AdministrativeUnit
from tests.e2e.conftest import console_errors, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def sized(browser):
    def resize(width, height):
        browser.set_window_size(width, height)
    yield resize
    browser.set_window_size(1400, 1000)


def test_the_menu_is_one_line_on_a_laptop_and_folds_on_a_phone(browser, live_server, users, sized, screenshot):
    sized(1366, 900)
    login(browser, live_server, "commune")
    for page in ("/review/progress/?year=2024", "/?year=2024", "/reports/poverty/?year=2024&area=90101"):
        browser.get(f"{live_server.url}{page}")
        links = browser.find_elements(By.CSS_SELECTOR, "#site-nav > a, #site-nav > details > summary")
        assert [link.text for link in links] == ["Tổng quan", "Tiến độ rà soát", "Nhập Excel", "Báo cáo",
                                                 "Nhập liệu"], page
        assert len({link.location["y"] for link in links}) == 1, f"the menu wraps at 1366 px on {page}"
        assert browser.find_element(By.CSS_SELECTOR, ".site-header").size["height"] < 70
        assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth"), page
    browser.find_element(By.CSS_SELECTOR, "#site-nav summary").click()
    reports = [a.text for a in browser.find_elements(By.CSS_SELECTOR, ".nav-menu-items a")]
    assert "Hộ nghèo" in reports and len(reports) >= 6
    sized(390, 844)
    browser.get(f"{live_server.url}/review/progress/?year=2024")
    nav = browser.find_element(By.ID, "site-nav")
    assert not nav.is_displayed()
    browser.find_element(By.CSS_SELECTOR, "label.nav-button").click()
    WebDriverWait(browser, 5).until(lambda d: nav.is_displayed())
    screenshot("menu-phone-open")
    assert console_errors(browser) == []


def test_a_leader_is_offered_only_what_a_leader_may_do(browser, live_server, users, sized):
    sized(1366, 900)
    login(browser, live_server, "leader")
    browser.get(f"{live_server.url}/review/progress/?year=2024")
    assert [link.text for link in browser.find_elements(By.CSS_SELECTOR, "#site-nav > a")] == [
        "Tổng quan", "Tiến độ rà soát", "Tra cứu"]


def choose(browser, field, text):
    """Open a select2 picker, type, and take the first offer."""
    browser.find_element(By.CSS_SELECTOR, f"#id_{field} + .select2 .select2-selection").click()
    search = WebDriverWait(browser, 10).until(ec.visibility_of_element_located(
        (By.CSS_SELECTOR, ".select2-container--open .select2-search__field")))
    search.send_keys(text)
    def settled(driver):  # the answer to what was typed, not a "searching…" line or an earlier answer
        options = driver.find_elements(By.CSS_SELECTOR, ".select2-results__option")
        texts = [o.text for o in options]
        done = options and not driver.find_elements(By.CSS_SELECTOR, ".select2-results__option.loading-results")
        return texts if done and any(text.lower() in t.lower() for t in texts) else False
    return WebDriverWait(browser, 10).until(settled)


def test_the_village_picker_offers_the_chosen_communes_villages(browser, live_server, users, sized, screenshot):
    AdministrativeUnit.objects.create(code="90101-02", name="2", level="village", kind="thôn", parent_id="90101")
    AdministrativeUnit.objects.create(code="90102-02", name="2", level="village", kind="thôn", parent_id="90102")
    sized(1366, 900)
    login(browser, live_server, "district")
    browser.get(f"{live_server.url}/admin/households/household/add/")
    WebDriverWait(browser, 10).until(lambda d: d.execute_script(
        "return document.getElementById('id_village').dataset.villagesOf === 'commune'"))
    choose(browser, "commune", "Xã Hai")
    browser.find_element(By.XPATH, "//li[contains(@class, 'select2-results__option') and "
                                   "contains(., 'Xã Hai')]").click()
    WebDriverWait(browser, 10).until(lambda d: d.execute_script(
        "return document.getElementById('id_commune').value") == "90102")
    offered = choose(browser, "village", "Thôn 2")
    assert offered == ["Thôn 2 (90102-02)"]
    assert len(browser.find_elements(By.CSS_SELECTOR, "#id_village ~ .select2")) == 1
    screenshot("village-picker")
    assert console_errors(browser) == []


@pytest.mark.parametrize("width, height", [(1366, 900), (390, 844)])
def test_the_household_page_fits_the_screen(browser, live_server, users, sized, screenshot, width, height):
    """Regression: the member table made the household page 1,944 px wide at 1366 px."""
    from tests.factories import HouseholdFactory, MemberFactory

    household = HouseholdFactory(code="WIDE-1")
    for number in range(3):
        MemberFactory(household=household, full_name=f"Y Thành Viên Có Tên Khá Dài {number}")
    sized(width, height)
    login(browser, live_server, "commune")
    browser.get(f"{live_server.url}/admin/households/household/{household.pk}/change/")
    page_width = browser.execute_script("return document.documentElement.scrollWidth")
    viewport = browser.execute_script("return window.innerWidth")
    screenshot(f"admin-household-{width}")
    assert page_width <= viewport, f"page is {page_width} px wide in a {viewport} px window"
