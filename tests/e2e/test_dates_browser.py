"""Dates day first in a real browser (issue 26.1): a date typed in an admin date field comes back as typed,
the admin's "Hôm nay" shortcut writes dd/mm/yyyy, and a time reads "05/12/2026 09:30"."""
import datetime
import re

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from review.models import ReviewCalendar
from tests.e2e.conftest import click_and_wait, console_errors, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TYPED = {"year": "2026", "survey_starts": "15/09/2026", "meetings_by": "25/10/2026", "preliminary_by": "10/11/2026",
         "official_by": "30/11/2026"}


def test_a_date_typed_day_first_comes_back_day_first(browser, live_server, users, screenshot):
    login(browser, live_server, "admin")
    browser.get(f"{live_server.url}/admin/review/reviewcalendar/add/")
    Select(browser.find_element(By.ID, "id_province")).select_by_value("90")
    for name, value in TYPED.items():
        browser.find_element(By.ID, f"id_{name}").send_keys(value)
    browser.find_element(By.CSS_SELECTOR, "#id_window_closes ~ .datetimeshortcuts a").click()  # "Hôm nay"
    today = timezone.localdate()
    assert browser.find_element(By.ID, "id_window_closes").get_attribute("value") == f"{today:%d/%m/%Y}"
    browser.find_element(By.ID, "id_window_closes").clear()
    browser.find_element(By.ID, "id_window_closes").send_keys("20/12/2026")  # a day past 12: not a month
    click_and_wait(browser, browser.find_element(By.NAME, "_continue"))

    calendar = ReviewCalendar.objects.get()
    assert (calendar.preliminary_by, calendar.window_closes) == (datetime.date(2026, 11, 10),
                                                                  datetime.date(2026, 12, 20))
    shown = {name: browser.find_element(By.ID, f"id_{name}").get_attribute("value") for name in TYPED}
    assert shown == TYPED and browser.find_element(By.ID, "id_window_closes").get_attribute("value") == "20/12/2026"
    screenshot("admin-date-day-first")

    browser.get(f"{live_server.url}/admin/review/reviewcalendar/{calendar.pk}/history/")
    row = [cell.text.strip() for cell in browser.find_elements(By.CSS_SELECTOR, "#change-history tbody tr:first-child td")]
    assert any(re.fullmatch(rf"{today:%d/%m/%Y} \d\d:\d\d", text) for text in row), row  # when it was saved
    assert console_errors(browser) == []
