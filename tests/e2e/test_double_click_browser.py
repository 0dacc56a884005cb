"""Issue 26.2: a save or step button pressed twice fast writes once, and is disabled once pressed
(static/js/once.js in the site's and the admin's base templates; static/js/upload.js for the upload, which
sends its file itself). One test per kind of page: the admin's change form, the worksheet, a round's step, the
request form, the upload. The network is slowed down (600 ms a request) so that the second click always lands
while the first is on its way, as on a commune's connection."""
import contextlib
import datetime

import pytest
from selenium.webdriver.common.by import By

from households.models import Household
from review.models import Assessment, ReviewRequest, ReviewRound
from review.services import assessment_save
from tests.e2e.conftest import console_errors, login, wait_for, wait_for_new_page
from tests.factories import HouseholdFactory
from tests.importing.builders import workbook

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Click, and 60 ms later note whether the button is disabled (in sessionStorage: it outlives the page) and
# click again.
DOUBLE_CLICK = """
var button = document.querySelector(arguments[0]);
sessionStorage.removeItem("secondClick");
button.click();
window.setTimeout(function () {
  sessionStorage.setItem("secondClick", button.disabled ? "disabled" : "enabled");
  button.click();
}, 60);
"""


@contextlib.contextmanager
def slow_network(browser, latency_ms=600):
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Network.emulateNetworkConditions", {
        "offline": False, "latency": latency_ms, "downloadThroughput": -1, "uploadThroughput": -1})
    try:
        yield
    finally:
        browser.execute_cdp_cmd("Network.emulateNetworkConditions", {
            "offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})


def double_click(browser, selector):
    """Press the button twice, 60 ms apart, and wait for the page the first press leads to. Returns what the
    second press found: "disabled" or "enabled"."""
    with slow_network(browser):
        wait_for_new_page(browser, lambda: browser.execute_script(DOUBLE_CLICK, selector))
    return browser.execute_script("return sessionStorage.getItem('secondClick');")


def body(browser):
    return browser.find_element(By.TAG_NAME, "body").text


def test_the_admin_change_form_saves_once(browser, live_server, users):
    household = HouseholdFactory(code="TWICE-ADMIN")
    writes = household.history.count()
    login(browser, live_server, "commune")
    browser.get(f"{live_server.url}/admin/households/household/{household.pk}/change/")
    browser.find_element(By.ID, "id_phone").send_keys("0905123456")
    assert double_click(browser, "input[name=_save]") == "disabled"
    assert "0905123456" in Household.objects.get(pk=household.pk).phone
    assert household.history.count() == writes + 1
    assert browser.find_elements(By.CSS_SELECTOR, ".messagelist .success")
    assert not browser.find_elements(By.CSS_SELECTOR, ".errornote, .messagelist .error")


def test_the_worksheet_saves_once(browser, live_server, users):
    household = HouseholdFactory(code="TWICE-SHEET")
    login(browser, live_server, "commune")
    browser.get(f"{live_server.url}/review/90101/2024/")
    browser.find_element(By.CSS_SELECTOR, "input[aria-label='Thu nhập bình quân hộ TWICE-SHEET']").send_keys("2000000")
    assert double_click(browser, "#worksheet button[type=submit]") == "disabled"
    assert Assessment.history.filter(household_id=household.pk, year=2024).count() == 1
    assert "vừa được người khác rà soát" not in body(browser)  # no second save refused as a conflict
    assert not console_errors(browser)


def test_a_round_step_is_taken_once(browser, live_server, users):
    assessment = assessment_save(acting_user=users["admin"], household=HouseholdFactory(code="TWICE-ROUND"),
                                 year=2024, income_per_capita=1_200_000, deprivations=[])
    review_round = ReviewRound.objects.get(pk=assessment.review_round_id)
    writes = review_round.history.count()
    login(browser, live_server, "commune")
    browser.get(f"{live_server.url}/admin/review/reviewround/{review_round.pk}/change/")
    assert double_click(browser, "#round-steps input[name=_submit]") == "disabled"
    review_round.refresh_from_db()
    assert review_round.status == "submitted"
    assert review_round.history.count() == writes + 1
    assert "Đã báo cáo huyện." in body(browser)
    assert not browser.find_elements(By.CSS_SELECTOR, ".errornote, .messagelist .error")


def test_the_request_form_records_one_request(browser, live_server, users):
    HouseholdFactory(code="TWICE-REQ")
    login(browser, live_server, "commune")
    browser.get(f"{live_server.url}/review/90101/regular/")
    browser.find_element(By.NAME, "req-household").send_keys("TWICE-REQ")
    browser.execute_script("arguments[0].value = arguments[1];", browser.find_element(By.NAME, "req-requested_on"),
                           datetime.date.today().isoformat())
    assert double_click(browser, "#new-request button[type=submit]") == "disabled"
    assert ReviewRequest.objects.filter(household__code="TWICE-REQ").count() == 1
    assert "Đã ghi đơn" in body(browser)


def test_the_upload_sends_its_file_once(browser, live_server, users, tmp_path, monkeypatch):
    from importing import views

    launched = []
    launch = views._launch

    def counted(*args, **kwargs):
        launched.append(kwargs.get("name"))
        return launch(*args, **kwargs)

    monkeypatch.setattr(views, "_launch", counted)
    path = workbook(tmp_path / "hai-lan.xlsx", [["TWICE-UP", "Hộ bấm hai lần", "90101", "", "14", ""]], None, None)
    login(browser, live_server, "district")
    browser.get(f"{live_server.url}/import/")
    browser.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(path))
    assert double_click(browser, "#upload-form button[type=submit]") == "disabled"
    wait_for(browser, lambda d: d.find_element(By.TAG_NAME, "h1").text.startswith("Xem trước"), seconds=60)
    assert launched == ["hai-lan.xlsx"]
    assert not console_errors(browser)
