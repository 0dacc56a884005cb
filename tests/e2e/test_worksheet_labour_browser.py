"""The worksheet in a browser: the live preview gives no "average living standard" (its own procedure), farming
household or not, and
the labour box starts at the value derived from the members, asking for a reason once the officer changes it."""
import pytest
from selenium.webdriver.common.by import By

from households.models import Gender, Livelihood, Relation
from review.models import Assessment
from tests.e2e.conftest import click_and_wait, console_errors, login
from tests.factories import HouseholdFactory, MemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PATH = "/review/90102/2024/"  # a rural commune: lines 1.500.000 and 2.250.000


def row(browser, code):
    return browser.find_element(By.CSS_SELECTOR, f"input[aria-label='Thu nhập bình quân hộ {code}']").find_element(
        By.XPATH, "./ancestor::tr")


def test_preview_by_livelihood_and_labour_override(browser, live_server, users, screenshot):
    HouseholdFactory(code="B-FARM", commune_id="90102", livelihood=Livelihood.AGRICULTURE)
    HouseholdFactory(code="B-SHOP", commune_id="90102", livelihood=Livelihood.OTHER)
    old = HouseholdFactory(code="B-OLD", commune_id="90102", with_head=False)
    MemberFactory(household=old, full_name="Ông Lão", gender=Gender.MALE, birth_year=1948,
                  relation_to_head=Relation.HEAD)
    login(browser, live_server, "district")
    browser.get(f"{live_server.url}{PATH}")
    for code in ("B-FARM", "B-SHOP"):
        row(browser, code).find_element(By.CSS_SELECTOR, "[data-income]").send_keys("2.000.000")
    assert row(browser, "B-FARM").find_element(By.CSS_SELECTOR, "[data-class]").text == "Hộ không nghèo"
    assert row(browser, "B-SHOP").find_element(By.CSS_SELECTOR, "[data-class]").text == "Hộ không nghèo"

    old_row = row(browser, "B-OLD")
    box = old_row.find_element(By.CSS_SELECTOR, "[data-labour]")
    reason = old_row.find_element(By.CSS_SELECTOR, "[data-labour-reason]")
    assert box.is_selected() and not reason.is_displayed()  # derived: no labour capacity, nothing to explain
    assert "tính: không có KNLĐ" in old_row.text
    old_row.find_element(By.CSS_SELECTOR, "[data-income]").send_keys("900.000")
    box.click()
    assert reason.is_displayed() and reason.get_attribute("required") is not None
    reason.send_keys("Con trai đi làm thuê gửi tiền về")
    screenshot("worksheet-labour-override")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "#worksheet button[type=submit]"))
    saved = {a.household.code: a for a in Assessment.objects.select_related("household")}
    assert (saved["B-FARM"].classification, saved["B-SHOP"].classification) == ("not_poor", "not_poor")
    assert (saved["B-OLD"].no_labour_capacity, saved["B-OLD"].labour_override_reason) == (
        False, "Con trai đi làm thuê gửi tiền về")
    assert console_errors(browser) == []
