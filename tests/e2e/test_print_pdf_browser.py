"""Printing in a real browser: Chromium prints the page to PDF as its print dialog does (A4, the page's own
@page size and margins) and the test counts the PDF's pages. The certificate (8 members, 5 review years)
fits one A4 page; a village posting list of 20 households one page; a list of 60 runs onto a second page with
the table head repeated (its print style) and no row cut in two.

The brief named Playwright; the project drives Chromium through Selenium and Debian's chromedriver (see
conftest.py), whose `Page.printToPDF` (Chrome DevTools) is the same call Playwright's `page.pdf()` makes."""
import base64
import datetime
import re

import pytest

from areas.models import AdministrativeUnit
from households.models import EthnicGroup, Gender, Member, Relation
from review.certificates import certificates_issue_for_household
from review.models import PovertyStandard
from review.services import assessment_save, village_meeting_save
from tests.e2e.conftest import OUTPUT, login
from tests.factories import HouseholdFactory, MemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

A4 = {"paperWidth": 8.27, "paperHeight": 11.69}  # inches


def print_pdf(browser, name):
    """The PDF Chromium prints of the current page (A4 paper, the page's CSS @page size and margins win)."""
    answer = browser.execute_cdp_cmd("Page.printToPDF", {**A4, "preferCSSPageSize": True, "printBackground": True})
    pdf = base64.b64decode(answer["data"])
    OUTPUT.mkdir(exist_ok=True)
    (OUTPUT / f"{name}.pdf").write_bytes(pdf)
    return pdf


def page_count(pdf):
    """Page objects ("/Type /Page"), not the page tree ("/Type /Pages")."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def page_sizes(pdf):
    return {tuple(round(float(v)) for v in box) for box in re.findall(
        rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)}


def print_style(browser, script):
    """Evaluate `script` with the print style applied."""
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        return browser.execute_script(script)
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


@pytest.fixture
def big_family(users):
    """A household of 8 with long Vietnamese names, a national ID, poor or near-poor every review year of
    Decree 07's period (2021–2025, the 5 rows of the grid) and its numbered certificate."""
    group = EthnicGroup.objects.get(code="14")
    household = HouseholdFactory(code="IN-GCN-0001", head_name="Nguyễn Thị Phương Thảo Nguyên",
                                 address="Tổ dân phố 3, Thôn Một", ethnic_group=group)
    Member.objects.filter(household=household).update(full_name="Nguyễn Thị Phương Thảo Nguyên",
                                                      gender=Gender.FEMALE, birth_year=1979,
                                                      national_id="062179001234")
    people = [("A Lăng Văn Trường Giang", Gender.MALE, 1977, Relation.SPOUSE),
              ("A Lăng Thị Hồng Nhung", Gender.FEMALE, 2001, Relation.CHILD),
              ("A Lăng Văn Minh Khôi", Gender.MALE, 2003, Relation.CHILD),
              ("A Lăng Thị Thu Hà", Gender.FEMALE, 2006, Relation.CHILD),
              ("A Lăng Văn Đức Anh", Gender.MALE, 2009, Relation.CHILD),
              ("A Lăng Thị Bảo Ngọc", Gender.FEMALE, 2012, Relation.CHILD),
              ("Nguyễn Văn Hùng Cường", Gender.MALE, 1948, Relation.PARENT)]
    for name, gender, year, relation in people:
        MemberFactory(household=household, full_name=name, gender=gender, birth_year=year, relation_to_head=relation,
                      ethnic_group=group)
    yearly = {2021: ["1", "2", "4", "7", "9", "10"], 2022: ["1", "4", "7", "9"], 2023: ["2", "7", "10", "11", "12"],
              2024: ["4"], 2025: ["1", "3", "5", "6", "8"]}
    assessments = {year: assessment_save(acting_user=users["admin"], household=household, year=year,
                                         income_per_capita=1_000_000, deprivations=codes)
                   for year, codes in yearly.items()}
    certificates_issue_for_household(household, PovertyStandard.objects.for_year(2021).get(), "90101",
                                     datetime.date(2021, 12, 20))
    return assessments


def test_the_certificate_of_8_members_and_5_years_prints_on_one_a4_page(browser, live_server, users, big_family,
                                                                       screenshot):
    login(browser, live_server, "commune")
    browser.get(f"{live_server.url}/review/certificate/{big_family[2023].pk}/")
    assert "Số: 1/GCN-HN.HCN" in browser.page_source
    assert len(browser.find_elements("css selector", "#grid tbody tr")) == 5
    assert len(browser.find_elements("css selector", "#members tbody tr")) == 8
    screenshot("certificate")
    pdf = print_pdf(browser, "certificate")
    assert page_count(pdf) == 1
    assert page_sizes(pdf) == {(595, 842)}  # A4 portrait, in points


def households_in(village, count, users, prefix):
    group = EthnicGroup.objects.get(code="14")
    review_round = None
    for n in range(count):
        household = HouseholdFactory(code=f"{prefix}-{n:04d}", head_name=f"Y Niêm Yết Tên Dài Số {n}",
                                     village_id=village, ethnic_group=group)
        deprived = ["1", "4", "7", "9", "10", "12"][: 3 + n % 4] if n % 3 else ["4"]
        review_round = assessment_save(acting_user=users["admin"], household=household, year=2024,
                                       income_per_capita=1_000_000, deprivations=deprived).review_round
    return review_round


def test_a_village_posting_list_of_20_households_prints_on_one_page(browser, live_server, users, screenshot):
    review_round = households_in("90101-01", 20, users, "NY")
    village_meeting_save(acting_user=users["commune"], review_round=review_round, village="90101-01",
                         meeting_date=datetime.date(2024, 11, 5), attendees=50, in_favour=40,
                         posted_from=datetime.date(2024, 11, 6), posted_to=datetime.date(2024, 11, 10))
    login(browser, live_server, "commune")
    browser.get(f"{live_server.url}/review/90101/2024/posting/?village=90101-01&stage=preliminary")
    assert "Niêm yết từ ngày 06/11/2024 đến ngày 10/11/2024" in browser.page_source
    assert len(browser.find_elements("css selector", "table.posting tbody tr")) == 20
    screenshot("posting-list-20")
    pdf = print_pdf(browser, "posting-list-20")
    assert page_count(pdf) == 1
    assert page_sizes(pdf) == {(595, 842)}


def test_a_posting_list_of_60_households_runs_onto_a_second_page_with_its_table_head_repeated(
        browser, live_server, users):
    AdministrativeUnit.objects.create(code="90101-02", name="Hai", kind="thôn", level="village", parent_id="90101")
    households_in("90101-02", 60, users, "NZ")
    login(browser, live_server, "commune")
    browser.get(f"{live_server.url}/review/90101/2024/posting/?village=90101-02")
    assert len(browser.find_elements("css selector", "table.posting tbody tr")) == 60
    pdf = print_pdf(browser, "posting-list-60")
    assert page_count(pdf) == 2
    # In print the table head is a header group (Chromium repeats it on each page) and no row or signature
    # block is split between pages.
    styles = print_style(browser, """
        const table = document.querySelector('table.posting');
        const style = (el) => getComputedStyle(el);
        return [style(table.tHead).display, style(table.tBodies[0].rows[0]).breakInside,
                style(document.querySelector('.printout .signatures')).breakInside];""")
    assert styles == ["table-header-group", "avoid", "avoid"]


def test_every_village_of_the_commune_starts_on_its_own_page(browser, live_server, users):
    AdministrativeUnit.objects.create(code="90101-02", name="Hai", kind="thôn", level="village", parent_id="90101")
    households_in("90101-01", 5, users, "NA")
    households_in("90101-02", 5, users, "NB")
    login(browser, live_server, "commune")
    browser.get(f"{live_server.url}/review/90101/2024/posting/")
    assert len(browser.find_elements("css selector", "article.posting-village")) == 2
    assert page_count(print_pdf(browser, "posting-list-commune")) == 2
