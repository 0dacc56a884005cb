"""A real browser: Debian's chromium driven through Debian's chromedriver (versions always match).

In CI (REQUIRE_BROWSER=1) a missing browser fails these tests; elsewhere they are skipped with a plain
message saying so. Screenshots go to test-output/.
"""
import os
import shutil
from pathlib import Path

import pytest

OUTPUT = Path(__file__).resolve().parents[2] / "test-output"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


def pytest_report_header(config):
    if CHROMIUM and CHROMEDRIVER:
        return [f"browser tests: {CHROMIUM} with {CHROMEDRIVER}"]
    return ["browser tests: NO chromium/chromedriver found — end-to-end tests will be SKIPPED "
            "(apt-get install chromium chromium-driver)"]


@pytest.fixture(scope="session")
def browser():
    if not (CHROMIUM and CHROMEDRIVER):
        message = "chromium and chromedriver are not installed: end-to-end browser tests not run"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                 "--no-first-run", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--window-size=1400,1000", "--lang=vi"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


@pytest.fixture
def screenshot(browser):
    OUTPUT.mkdir(exist_ok=True)

    def take(name):
        path = OUTPUT / f"{name}.png"
        browser.save_screenshot(str(path))
        return path

    return take


def console_errors(browser):
    return [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


def login(browser, live_server, username, password="x"):
    from selenium.webdriver.common.by import By

    browser.delete_all_cookies()
    browser.get(f"{live_server.url}/admin/login/")
    browser.find_element(By.NAME, "username").send_keys(username)
    browser.find_element(By.NAME, "password").send_keys(password)
    browser.find_element(By.CSS_SELECTOR, "input[type=submit], button[type=submit]").click()
    from selenium.webdriver.support.ui import WebDriverWait

    # wait for the login POST to land before the next page is asked for (else it races the cookie)
    WebDriverWait(browser, 15).until(lambda d: "/login/" not in d.current_url)



def wait_for(browser, check, seconds=15, poll=0.1):
    """Wait until check(browser) is true, also while a page is being replaced: an element found just before may be
    gone when read (stale, missing, or chromedriver's "node does not belong to the document", an unknown error that
    Selenium's own conditions such as staleness_of do not catch)."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    ignored = (StaleElementReferenceException, NoSuchElementException, WebDriverException)
    return WebDriverWait(browser, seconds, poll_frequency=poll, ignored_exceptions=ignored).until(check)


def wait_for_new_page(browser, act):
    """Do something that loads a new page (a click, Enter in a form) and wait until that page has loaded. The old
    page is marked with a window property, so no element handle has to cross the navigation."""
    browser.execute_script("window.__oldPage = true;")
    act()
    wait_for(browser, lambda d: d.execute_script("return !window.__oldPage && document.readyState === 'complete'"))


def click_and_wait(browser, element):
    wait_for_new_page(browser, element.click)
