"""The review worksheet in a browser: find and filter households, keep the filters across pages and after a
save, incomes in Vietnamese format; the round page offers each role only its own steps."""
import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from areas.models import AdministrativeUnit
from review.models import Assessment, ReviewRound
from tests.e2e.conftest import click_and_wait, console_errors, login, wait_for_new_page
from tests.factories import HouseholdFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PATH = "/review/90101/2024/"


def row_codes(browser):
    return [cell.text for cell in browser.find_elements(By.CSS_SELECTOR, "#worksheet tr[data-row] td:first-child")]


def params(browser):
    return {key: values[0] for key, values in parse_qs(urlsplit(browser.current_url).query).items()}


def income_input(browser, code):
    return browser.find_element(By.CSS_SELECTOR, f"input[aria-label='Thu nhập bình quân hộ {code}']")


def class_cell(browser, code):
    return income_input(browser, code).find_element(By.XPATH, "./ancestor::tr").find_element(
        By.CSS_SELECTOR, "[data-class]")


def test_search_village_paging_and_saving_keep_the_filters(browser, live_server, users, monkeypatch, screenshot):
    monkeypatch.setattr("review.views.ROWS_PER_PAGE", 2)
    AdministrativeUnit.objects.create(code="90101-02", name="2", level="village", kind="thôn", parent_id="90101")
    for n in range(5):
        HouseholdFactory(code=f"P-{n}", head_name=f"Phạm Văn Số{n}", village_id="90101-02")
    HouseholdFactory(code="P-9", head_name="Phạm Văn Khác")  # Thôn Một
    HouseholdFactory(code="T-1", head_name="Trần Thị Ba", village_id="90101-02")
    login(browser, live_server, "commune")
    browser.get(f"{live_server.url}{PATH}")
    assert "7 hộ đang cư trú trong sổ của xã" in browser.find_element(By.ID, "match-count").text

    browser.find_element(By.ID, "worksheet-q").send_keys("pham van")  # no diacritics
    Select(browser.find_element(By.ID, "worksheet-village")).select_by_visible_text("Thôn 2")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "#worksheet-filters button[type=submit]"))
    assert "Tìm thấy 5 hộ khớp điều kiện lọc (trang 1/3)" in browser.find_element(By.ID, "match-count").text
    assert row_codes(browser) == ["P-0", "P-1"]

    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, ".pager a[rel=next]"))
    assert params(browser) == {"q": "pham van", "village": "90101-02", "page": "2"}
    assert row_codes(browser) == ["P-2", "P-3"]
    assert browser.find_element(By.ID, "worksheet-q").get_attribute("value") == "pham van"
    assert Select(browser.find_element(By.ID, "worksheet-village")).first_selected_option.text == "Thôn 2"

    # Keyboard entry as before: type, Enter moves down to the same column; the row classifies as typed.
    first = income_input(browser, "P-2")
    first.send_keys("1200000", Keys.ENTER)
    assert browser.switch_to.active_element == income_input(browser, "P-3")
    browser.switch_to.active_element.send_keys("2.500.000")
    previews = {code: class_cell(browser, code).text for code in ("P-2", "P-3")}
    assert "chưa rà soát" not in previews.values() and "Số không hợp lệ" not in previews.values()

    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "#worksheet button[type=submit]"))
    assert "Đã lưu 2 hộ." in browser.find_element(By.TAG_NAME, "body").text
    assert params(browser) == {"q": "pham van", "village": "90101-02", "page": "2"}
    assert row_codes(browser) == ["P-2", "P-3"]
    assert [income_input(browser, code).get_attribute("value") for code in ("P-2", "P-3")] == [
        "1.200.000", "2.500.000"]
    assert {code: class_cell(browser, code).text for code in ("P-2", "P-3")} == previews  # server agrees
    screenshot("worksheet-filtered-after-save")

    browser.refresh()
    WebDriverWait(browser, 15).until(lambda d: d.execute_script("return document.readyState") == "complete")
    assert income_input(browser, "P-2").get_attribute("value") == "1.200.000"
    # the shown value is read back as the same number: saving the page again changes nothing
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "#worksheet button[type=submit]"))
    assert "Không có thay đổi nào." in browser.find_element(By.TAG_NAME, "body").text
    assert sorted(Assessment.objects.values_list("household__code", "income_per_capita")) == [
        ("P-2", 1_200_000), ("P-3", 2_500_000)]
    assert console_errors(browser) == []


def test_the_unassessed_filter_shows_a_household_just_added(browser, live_server, users, screenshot):
    old = HouseholdFactory(code="C-1", head_name="Nguyễn Văn Cũ")
    login(browser, live_server, "commune")
    browser.get(f"{live_server.url}{PATH}")
    income_input(browser, "C-1").send_keys("1.200.000")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "#worksheet button[type=submit]"))
    assert Assessment.objects.get().household == old
    HouseholdFactory(code="M-1", head_name="Y Điêng Niê")  # added meanwhile (the admin, an import)

    browser.get(f"{live_server.url}{PATH}")
    notice = browser.find_element(By.ID, "not-assessed")
    assert "Còn 1 hộ chưa rà soát năm 2024: M-1." in notice.text
    click_and_wait(browser, notice.find_element(By.LINK_TEXT, "Xem các hộ chưa rà soát"))
    assert row_codes(browser) == ["M-1"]
    assert browser.find_element(By.ID, "worksheet-unassessed").is_selected()
    assert "Tìm thấy 1 hộ khớp điều kiện lọc" in browser.find_element(By.ID, "match-count").text

    # the same household by name, typed without diacritics, with the filter unticked
    browser.find_element(By.ID, "worksheet-unassessed").click()
    wait_for_new_page(browser, lambda: browser.find_element(By.ID, "worksheet-q").send_keys("y dieng", Keys.ENTER))
    assert params(browser).get("q") == "y dieng"
    assert row_codes(browser) == ["M-1"]

    # saved under "chưa rà soát": the row leaves the list, the filter stays
    browser.get(f"{live_server.url}{PATH}?unassessed=1")
    income_input(browser, "M-1").send_keys("900000")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "#worksheet button[type=submit]"))
    assert params(browser) == {"unassessed": "1", "page": "1"}
    assert row_codes(browser) == []
    assert "Không có hộ nào khớp điều kiện lọc." in browser.find_element(By.ID, "worksheet").text
    screenshot("worksheet-unassessed-done")
    assert console_errors(browser) == []


def offered(browser):
    """The actions of the admin's list (its select is absent when none is offered)."""
    options = browser.find_elements(By.CSS_SELECTOR, "select[name=action] option")
    return [option.text for option in options if option.get_attribute("value")]


def test_the_round_page_offers_each_role_only_its_steps(browser, live_server, users, screenshot):
    HouseholdFactory(code="R-1")
    login(browser, live_server, "commune")
    browser.get(f"{live_server.url}{PATH}")
    income_input(browser, "R-1").send_keys("1.200.000")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "#worksheet button[type=submit]"))
    review_round = ReviewRound.objects.get()
    page = f"{live_server.url}/admin/review/reviewround/{review_round.pk}/change/"

    browser.get(f"{live_server.url}/admin/review/reviewround/")
    assert offered(browser) == ["Gửi huyện các đợt đã chọn"]  # no locking step for the commune officer
    browser.get(page)
    steps = browser.find_elements(By.CSS_SELECTOR, "#round-steps input[type=submit]")
    assert [step.get_attribute("value") for step in steps] == ["Gửi huyện"]
    click_and_wait(browser, steps[0])
    assert "Đã báo cáo huyện." in browser.find_element(By.TAG_NAME, "body").text
    assert browser.find_elements(By.ID, "round-steps") == []  # nothing left for the commune officer to do
    screenshot("round-commune-submitted")

    # The district is reported to: it records its opinion or returns the round; it never locks it (only the
    # commune chairman's decision does, Decision 24/2021 Art. 4).
    login(browser, live_server, "district")
    browser.get(f"{live_server.url}/admin/review/reviewround/")
    assert offered(browser) == []
    browser.get(page)
    steps = browser.find_elements(By.CSS_SELECTOR, "#round-steps input[type=submit]")
    assert [step.get_attribute("value") for step in steps] == ["Ghi ý kiến của cấp trên", "Trả lại xã"]
    browser.execute_script("arguments[0].value = arguments[1]", browser.find_element(By.ID, "id_opinion_date"),
                           datetime.date.today().isoformat())
    browser.find_element(By.ID, "id_opinion").send_keys("Nhất trí với kết quả rà soát của xã.")
    click_and_wait(browser, steps[0])
    assert "Đã ghi ý kiến của huyện." in browser.find_element(By.TAG_NAME, "body").text
    review_round.refresh_from_db()
    assert (review_round.status, review_round.opinion) == ("submitted", "Nhất trí với kết quả rà soát của xã.")

    login(browser, live_server, "leader")
    browser.get(page)
    assert browser.find_elements(By.ID, "round-steps") == []
    browser.get(f"{live_server.url}/admin/review/reviewround/")
    assert offered(browser) == []
    assert console_errors(browser) == []
