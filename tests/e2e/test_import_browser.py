"""An officer uploads a big workbook in a real browser and watches the server check and import it."""
import pytest
from selenium.webdriver.common.by import By

from households.models import Household
from tests.e2e.conftest import console_errors, login, wait_for
from tests.importing.builders import workbook

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
HOUSEHOLDS = 40_000


def watch(browser, done, seconds=180):
    """Wait for `done(browser)`, noting every progress line the job page showed on the way."""
    seen = []

    def check(driver):
        for element in driver.find_elements(By.ID, "job-phase"):
            seen.append(element.text)
        return done(driver)

    wait_for(browser, check, seconds)  # the job page reloads itself when the job ends
    return seen


def test_big_workbook_shows_server_progress_then_preview_then_imports(browser, live_server, users, tmp_path,
                                                                     screenshot):
    rows = [[f"E2E-{n:06d}", f"Hộ {n}", "90101", "", "14", ""] for n in range(HOUSEHOLDS)]
    path = workbook(tmp_path / "lon.xlsx", rows, None, None)
    login(browser, live_server, "district")
    browser.get(f"{live_server.url}/import/")
    browser.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(path))
    browser.find_element(By.CSS_SELECTOR, "#upload-form button[type=submit]").click()

    checking = watch(browser, lambda d: d.find_element(By.TAG_NAME, "h1").text.startswith("Xem trước"))
    total = f"{HOUSEHOLDS:,}".replace(",", ".")
    assert any(line.startswith("Đang kiểm tra trang “Hộ gia đình”: ") and line.endswith(f"/ {total}")
               for line in checking), checking[-5:]
    assert f"<td class=\"num\">{total}</td>" in browser.page_source and not Household.objects.exists()
    screenshot("import-preview")

    browser.find_element(By.XPATH, "//button[text()='Ghi vào sổ']").click()
    writing = watch(browser, lambda d: "Đã nhập tệp lon.xlsx" in d.page_source)
    assert any(line.startswith("Đang ghi vào sổ: ") and line.endswith(f"/ {total}") for line in writing), writing[-5:]
    assert Household.objects.filter(code__startswith="E2E-").count() == HOUSEHOLDS
    assert console_errors(browser) == []
