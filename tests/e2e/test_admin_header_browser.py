"""The admin's header at 1366 px (issue 26.9): the site's name on one line, the header two rows at most (the name
wrapped to three lines, squeezed by the user links); on a phone it wraps without widening the page."""
import pytest

from tests.e2e.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

MEASURE = """
const name = document.querySelector('#site-name a'), header = document.querySelector('#header');
const text = document.createRange();
text.selectNodeContents(name);
const nameLines = new Set([...text.getClientRects()].map(line => Math.round(line.top))).size;
const boxes = [...header.children].map(child => child.getBoundingClientRect()).filter(box => box.height > 0)
  .sort((a, b) => a.top - b.top);
let rows = 0, bottom = -1;
for (const box of boxes) {
  if (box.top >= bottom - 1) { rows += 1; bottom = box.bottom; } else { bottom = Math.max(bottom, box.bottom); }
}
return {nameLines, rows, headerHeight: header.getBoundingClientRect().height,
        pageWidth: document.documentElement.scrollWidth, windowWidth: window.innerWidth};
"""


@pytest.fixture
def window(browser):
    def size(width, height):
        browser.set_window_size(width, height)
    yield size
    browser.set_window_size(1400, 1000)  # the session's browser as the other tests expect it


def test_the_site_name_is_one_line_at_1366_px(browser, live_server, users, window, screenshot):
    login(browser, live_server, "commune")
    window(1366, 768)
    browser.get(f"{live_server.url}/admin/")
    measured = browser.execute_script(MEASURE)
    screenshot("admin-header-1366")
    assert measured["nameLines"] == 1, measured
    assert measured["rows"] <= 2 and measured["headerHeight"] <= 100, measured


def test_on_a_phone_the_header_wraps_inside_the_page(browser, live_server, users, window):
    login(browser, live_server, "commune")
    window(390, 844)
    browser.get(f"{live_server.url}/admin/")
    measured = browser.execute_script(MEASURE)
    assert measured["pageWidth"] <= measured["windowWidth"], measured
