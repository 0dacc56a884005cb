"""An officer logs in with a real browser and finds households without typing diacritics."""
import pytest
from selenium.webdriver.common.by import By

from tests.e2e.conftest import console_errors, login
from tests.factories import HouseholdFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_officer_logs_in_and_searches(browser, live_server, users, screenshot):
    HouseholdFactory(head_name="Nguyễn Văn Ánh", code="HH-BROWSER")
    HouseholdFactory(head_name="A Blưk", code="HH-OTHER", commune_id="90201")
    login(browser, live_server, "commune")
    browser.get(f"{live_server.url}/admin/households/household/?q=nguyen+van+anh")
    rows = browser.find_elements(By.CSS_SELECTOR, "#result_list tbody tr")
    assert [row.find_element(By.CSS_SELECTOR, "th").text for row in rows] == ["HH-BROWSER"]
    assert "HH-OTHER" not in browser.page_source
    screenshot("admin-household-search")
    assert console_errors(browser) == []
