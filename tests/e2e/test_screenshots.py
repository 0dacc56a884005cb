"""The pages an officer uses most, at a laptop's and a phone's size, as screenshots for docs/screenshots, and
the annual package as a spreadsheet application prints it (the first page of each sheet, print-*.png).

`make screenshots` writes them to docs/screenshots; in `make test` they go to test-output/screenshots. The
test also holds each page to what a user would notice: it opens, shows its heading, logs no script error.
"""
import os
from pathlib import Path

import pytest
from django.utils.text import slugify
from selenium.webdriver.common.by import By

from reports.registry import REPORTS
from review.services import assessment_save
from tests.e2e.conftest import OUTPUT, console_errors, login, wait_for
from tests.factories import HouseholdFactory, MemberFactory
from tests.importing.builders import workbook
from tests.reports.printing import page_png, pages, require_libreoffice, to_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
SIZES = {"laptop": (1366, 900), "phone": (390, 844)}
FOLDER = Path(os.environ.get("SCREENSHOT_DIR") or OUTPUT / "screenshots")


@pytest.fixture
def commune_data(users):
    for number in range(8):
        household = HouseholdFactory(code=f"SS-{number}", commune_id="90101" if number % 2 else "90102")
        MemberFactory(household=household, full_name=f"Y Con {number}")
        for year, income in [(2023, 1_000_000), (2024, 1_000_000 if number < 3 else 3_000_000)]:
            assessment_save(acting_user=users["admin"], household=household, year=year, income_per_capita=income,
                            deprivations=["1", "4", "9"])
    return household


def shoot(browser, name, size):
    FOLDER.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(FOLDER / f"{name}-{size}.png"))


@pytest.mark.parametrize("size", SIZES)
def test_screenshots_of_the_main_pages(browser, live_server, users, commune_data, tmp_path, size):
    browser.set_window_size(*SIZES[size])
    try:
        login(browser, live_server, "district")
        pages = [
            ("dashboard", "/?area=901&year=2024", "Tổng quan giảm nghèo"),
            ("worksheet", "/review/90101/2024/", "rà soát"),
            ("admin-household", f"/admin/households/household/{commune_data.pk}/change/", "hộ gia đình"),
        ]
        for name, path, heading in pages:
            browser.get(f"{live_server.url}{path}")
            text = browser.find_element(By.TAG_NAME, "h1").text
            assert heading.lower() in text.lower(), (name, text)
            shoot(browser, name, size)
        rows = [[f"IMP-{n}", f"Hộ {n}", "90101", "", "14", ""] for n in range(5)]
        upload = workbook(tmp_path / "ds.xlsx", rows, None, None)
        browser.get(f"{live_server.url}/import/")
        browser.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(upload))
        browser.find_element(By.CSS_SELECTOR, "#upload-form button[type=submit]").click()
        wait_for(browser, lambda d: d.find_element(By.TAG_NAME, "h1").text.startswith("Xem trước"), 60)
        shoot(browser, "import-preview", size)
        assert console_errors(browser) == []
    finally:
        browser.set_window_size(1400, 1000)


def test_the_printed_annual_package(client, users, commune_data, tmp_path):
    """The annual package printed by LibreOffice (tests/reports/printing.py), the first page of each of its
    sheets (one per report) as an image: what the officer's printer gives (docs/outputs.md#printing)."""
    require_libreoffice()
    client.force_login(users["district"])
    response = client.get("/reports/annual-package/", {"area": "901", "year": 2024})
    assert response.status_code == 200
    path = tmp_path / "package.xlsx"
    path.write_bytes(response.content)
    pdf = to_pdf(path)
    shot = []
    for index, page in enumerate(pages(pdf), start=1):
        if page.number == 1:
            name = slugify(page.sheet.replace("đ", "d").replace("Đ", "D"))
            shot.append(page_png(pdf, index, FOLDER / f"print-{len(shot) + 1:02d}-{name}.png"))
    assert len(shot) == len(REPORTS) and all(image.stat().st_size > 10_000 for image in shot)
