"""Issue 24.2: a double click on "Lưu trang này" sends the page once (static/js/once.js, in the site's base
template and the admin's): the button is disabled once pressed and a second submit is dropped; the button's own
name still travels with the first (the admin's "_continue")."""
import time

import pytest
from selenium.webdriver.common.by import By

from tests.e2e.conftest import browser, console_errors, login, wait_for_new_page  # noqa: F401 (browser: the fixture)
from tests.factories import HouseholdFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Counts the submits that would leave the page, and keeps the page (the default is prevented last, after once.js).
COUNT_SUBMITS = """
window.__sent = [];
window.addEventListener("submit", function (event) {
  if (!event.defaultPrevented) window.__sent.push(event.submitter ? event.submitter.name || "" : "");
  event.preventDefault();
});
"""
DOUBLE_CLICK = """
var button = document.querySelector(arguments[0]);
button.click();
window.setTimeout(function () { button.click(); }, 50);
"""


def _double_click(browser, selector):  # noqa: F811
    browser.execute_script(COUNT_SUBMITS)
    browser.execute_script(DOUBLE_CLICK, selector)
    time.sleep(0.3)  # the second click, 50 ms later, has happened
    return browser.execute_script("return window.__sent;"), browser.execute_script(
        "return document.querySelector(arguments[0]).disabled;", selector)


def test_a_double_click_on_save_sends_the_worksheet_once(browser, live_server, users):  # noqa: F811
    HouseholdFactory(code="ONCE-1")
    login(browser, live_server, "commune")
    browser.get(f"{live_server.url}/review/90101/2024/")
    browser.find_element(By.CSS_SELECTOR, "#worksheet input[name$='-income']").send_keys("2000000")
    sent, disabled = _double_click(browser, "#worksheet button[type=submit]")
    assert len(sent) == 1 and disabled
    assert not console_errors(browser)


def test_the_admin_save_and_continue_double_clicked_is_sent_once_with_its_name(browser, live_server, users):  # noqa: F811
    household = HouseholdFactory(code="ONCE-2")
    login(browser, live_server, "admin")
    page = f"{live_server.url}/admin/households/household/{household.pk}/change/"
    browser.get(page)
    wait_for_new_page(browser, lambda: browser.execute_script(DOUBLE_CLICK, "input[name=_continue]"))
    # "_continue" reached the server (back on the change page, not the list), and one save, no conflict
    assert browser.current_url == page
    assert browser.find_elements(By.CSS_SELECTOR, ".messagelist .success")
    assert not browser.find_elements(By.CSS_SELECTOR, ".messagelist .error, .errornote")
