"""Issue 26.4: pages fit a laptop (1366×768) and a phone (390×844). Tables scroll inside their card; the page
itself never scrolls sideways. The household form's members table keeps every column reachable ("Người có công",
"Đối tượng bảo trợ xã hội", the delete box), and the worksheet's code and head columns stay in view while its
table scrolls to the indicators."""
import pytest
from selenium.webdriver.common.by import By

from review.services import assessment_save
from tests.e2e.conftest import console_errors, login
from tests.factories import HouseholdFactory, MemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SIZES = [(1366, 768), (390, 844)]
PAGE_FITS = "return document.documentElement.scrollWidth <= window.innerWidth + 1"


@pytest.fixture
def sized(browser):
    def resize(width, height):
        browser.set_window_size(width, height)
    yield resize
    browser.set_window_size(1400, 1000)


@pytest.fixture
def reviewed(users):
    """Households of 90101 with long names, poor and near-poor in 2024: every list, table and posting has rows."""
    households = []
    for n in range(4):
        household = HouseholdFactory(code=f"WIDE-90101-{n:04d}", head_name=f"Nguyễn Thị Hoàng Phương Thảo {n}")
        assessment_save(acting_user=users["admin"], household=household, year=2024,
                        income_per_capita=1_000_000 + n * 400_000, deprivations=["1", "5", "9"])
        households.append(household)
    return households


def test_no_page_scrolls_sideways_on_a_laptop_or_a_phone(browser, live_server, users, reviewed, sized, screenshot):
    pages = {
        "worksheet": "/review/90101/2024/",
        "progress": "/review/progress/?year=2024",
        "regular": "/review/90101/regular/",
        "lists": "/review/90101/2024/lists/",
        "posting": "/review/90101/2024/posting/",
    }
    login(browser, live_server, "admin")
    for width, height in SIZES:
        sized(width, height)
        for name, page in pages.items():
            browser.get(f"{live_server.url}{page}")
            assert browser.find_elements(By.CSS_SELECTOR, "main table.data tbody tr"), page
            fits = browser.execute_script(PAGE_FITS)
            if not fits:
                screenshot(f"too-wide-{name}-{width}")
            assert fits, f"{page} scrolls sideways at {width}×{height}: " + str(browser.execute_script(
                "return [document.documentElement.scrollWidth, window.innerWidth]"))
    assert not console_errors(browser)


# Scrolls the members table to its right end and says where its last columns are against the table's box.
MEMBERS_REACH = """
var box = document.querySelector("#members-group .tabular");
box.scrollLeft = box.scrollWidth;
var edge = box.getBoundingClientRect();
function seen(selector) {
  var cell = document.querySelector("#members-group " + selector).getBoundingClientRect();
  return cell.left >= edge.left - 1 && cell.right <= edge.right + 1 && cell.right <= window.innerWidth + 1;
}
return {meritorious: seen("th.column-is_meritorious"), social: seen("th.column-is_social_protection"),
        delete_box: seen("tr.has_original td.delete input[type=checkbox]"),
        scrolls_inside: getComputedStyle(box).overflowX, inside: box.scrollWidth - box.clientWidth};
"""


def test_the_household_members_table_is_reachable_and_the_form_never_scrolls_sideways(
        browser, live_server, users, sized, screenshot):
    household = HouseholdFactory(code="WIDE-MEMBERS", head_name="Nguyễn Thị Hoàng Phương Thảo")
    for n in range(3):
        MemberFactory(household=household, full_name=f"Nguyễn Thị Hoàng Phương Thảo Con {n}", birth_year=2010,
                      national_id=f"0641900000{n:02d}", ethnic_group=household.ethnic_group)
    login(browser, live_server, "admin")
    for width, height in SIZES:
        sized(width, height)
        browser.get(f"{live_server.url}/admin/households/household/{household.pk}/change/")
        assert browser.execute_script(PAGE_FITS), f"the household form scrolls sideways at {width}×{height}"
        reach = browser.execute_script(MEMBERS_REACH)
        screenshot(f"household-members-{width}")
        assert reach["meritorious"] and reach["social"] and reach["delete_box"], (width, reach)
        assert reach["scrolls_inside"] == "auto"
        if width == 1366:  # beside the admin's menu, every column in sight without scrolling the table
            assert reach["inside"] <= 1, reach
        else:  # a phone: the table scrolls inside its box
            assert reach["inside"] > 0, reach
    assert not console_errors(browser)


# The left edge of the first row's code and head cells, and of its first indicator, before and after the
# worksheet's table is scrolled sideways by 300 px.
STICKY = """
var box = document.querySelector("#worksheet .table-wrap");
var row = document.querySelector("#worksheet tr[data-row]");
function lefts() {
  return [row.cells[0].getBoundingClientRect().left, row.cells[1].getBoundingClientRect().left,
          row.querySelector("input[data-deprivation]").getBoundingClientRect().left];
}
box.scrollLeft = 0;
var before = lefts();
box.scrollLeft = 300;
return {before: before, after: lefts(), scrolled: box.scrollLeft};
"""


@pytest.mark.parametrize("width,height", SIZES)
def test_the_worksheet_keeps_code_and_head_in_view_while_its_table_scrolls(
        browser, live_server, users, reviewed, sized, width, height, screenshot):
    sized(width, height)
    login(browser, live_server, "commune")
    browser.get(f"{live_server.url}/review/90101/2024/")
    if width == 1366:  # the table fits a laptop: narrow its box so that it scrolls there too
        browser.execute_script("document.querySelector('#worksheet .table-wrap').style.width = '700px';")
    position = browser.execute_script(STICKY)
    screenshot(f"worksheet-sticky-{width}")
    assert position["scrolled"] > 100, position  # the table did scroll sideways
    code_before, head_before, indicator_before = position["before"]
    code_after, head_after, indicator_after = position["after"]
    assert abs(code_after - code_before) <= 1 and abs(head_after - head_before) <= 1, position
    assert indicator_after < indicator_before - 100, position  # the rest of the row moved
    assert browser.execute_script(PAGE_FITS)
