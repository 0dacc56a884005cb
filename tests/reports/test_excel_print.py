"""The workbooks print as the province expects (issue 26.3), checked in a spreadsheet application: LibreOffice
prints them to PDF and the pages are read back (tests/reports/printing.py). On the demo's data: the annual
package, the poverty workbook and a commune's posting lists; each sheet prints one A4 page wide, its title on
the first page, its headings whole and repeated on every page, its signatures on the page of the table's last
rows, in as many pages as the sheet's own page breaks make (the application added none of its own)."""
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from openpyxl import load_workbook

from reports.excel import Column, Table, workbook_bytes
from reports.registry import REPORTS
from tests.reports.printing import by_sheet, pages, require_libreoffice, to_pdf

pytestmark = pytest.mark.slow  # the demo seeded, LibreOffice started
A4 = (595.3, 841.9)


def compact(text):
    return re.sub(r"\s+", "", str(text))


def headings(sheet):
    """Every column's heading labels, top level first (a merged label read from its first cell)."""
    first, last = (int(n) for n in re.findall(r"\d+", sheet.print_title_rows))
    merged_at = {}
    for merged in sheet.merged_cells.ranges:
        for row in range(merged.min_row, merged.max_row + 1):
            for col in range(merged.min_col, merged.max_col + 1):
                merged_at[row, col] = (merged.min_row, merged.min_col)
    columns = []
    for col in range(1, sheet.max_column + 1):
        labels = []
        for row in range(first, last + 1):
            value = sheet.cell(*merged_at.get((row, col), (row, col))).value
            if value and not re.fullmatch(r"\(\d+\)", str(value)) and value not in labels:
                labels.append(value)
        columns.append(labels)
    return columns


def last_table_row(sheet):
    """The first cell of the table's last row: the last row above the first empty one after the headings."""
    first_data = int(re.findall(r"\d+", sheet.print_title_rows)[-1]) + 1
    last = None
    for row in sheet.iter_rows(min_row=first_data, max_col=2, values_only=True):
        if not any(row):
            break
        last = row[0] if row[0] is not None else row[1]
    return last


def assert_prints_as_expected(sheet, printed, signature):
    title = next(cell.value for row in sheet.iter_rows(min_row=3, max_row=6) for cell in row if cell.value)
    columns = [labels for labels in headings(sheet) if labels]
    numbers = [f"({n})" for n in range(1, sheet.max_column + 1)]
    assert printed, f"{sheet.title}: not printed"
    assert [page.number for page in printed] == list(range(1, len(printed) + 1)), sheet.title
    assert len(printed) == len(sheet.row_breaks.brk) + 1, (
        f"{sheet.title}: LibreOffice broke the pages itself ({len(printed)} pages for "
        f"{len(sheet.row_breaks.brk)} breaks)")
    first = printed[0]
    assert compact(title) in first.compact, f"{sheet.title}: the title is not on its first page"
    for labels in columns:
        for label in labels:
            assert compact(label) in first.compact, f"{sheet.title}: heading {label!r} cut or missing"
    for page in printed:
        assert sorted(page.size) == pytest.approx(sorted(A4), abs=1), f"{sheet.title}: not A4"
        # One page wide: every page has the first and the last column (their headings and numbers), none holds
        # only the columns to the right.
        for text in (*columns[0], *columns[-1], numbers[0], numbers[-1]):
            assert compact(text) in page.compact, f"{sheet.title} page {page.number}: no {text!r}"
    signed = [page for page in printed if compact(signature) in page.compact]
    assert [page.number for page in signed] == [len(printed)], f"{sheet.title}: signatures on {signed}"
    assert compact(last_table_row(sheet)) in signed[0].compact, (
        f"{sheet.title}: the table's last row is not on the page of the signatures")
    return printed


@pytest.fixture
def printed_demo(db, client, tmp_path):
    require_libreoffice()
    call_command("seed_demo", stdout=io.StringIO())
    client.force_login(get_user_model().objects.get(username="admin"))
    files = {
        "package": "/reports/annual-package/?area=612&year=2025",
        "poverty": "/reports/poverty/?area=612&year=2025&format=xlsx",
        "posting": "/reports/posting/23401/2025/?stage=preliminary",
    }
    books = {}
    for name, url in files.items():
        response = client.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        path = tmp_path / name / f"{name}.xlsx"
        path.parent.mkdir()
        path.write_bytes(response.content)
        books[name] = (load_workbook(path), by_sheet(pages(to_pdf(path))))
    return books


def test_every_sheet_of_the_annual_package_the_poverty_workbook_and_the_posting_lists_prints_one_page_wide(
        printed_demo):
    book, printed = printed_demo["package"]
    assert len(book.sheetnames) == len(REPORTS) and set(printed) == set(book.sheetnames)
    for sheet in book.worksheets:
        assert_prints_as_expected(sheet, printed[sheet.title], "THỦ TRƯỞNG ĐƠN VỊ")
    long = max(printed.values(), key=len)
    assert len(long) >= 3, "no sheet of the package runs over several pages: the repeated headings untested"

    book, printed = printed_demo["poverty"]
    (sheet,) = book.worksheets
    (page,) = assert_prints_as_expected(sheet, printed[sheet.title], "THỦ TRƯỞNG ĐƠN VỊ")
    assert page.size[0] > page.size[1], "the poverty table prints in landscape"
    assert "Có thành viên thuộc đối tượng bảo trợ xã hội" in " ".join(page.text.split())

    book, printed = printed_demo["posting"]
    assert book.sheetnames
    for sheet in book.worksheets:
        for page in assert_prints_as_expected(sheet, printed[sheet.title], "TM. ỦY BAN NHÂN DÂN"):
            assert page.size[0] < page.size[1], "a posting list prints in portrait"


COUNTS = range(20, 46)


def test_the_last_rows_of_a_table_and_its_signatures_print_together_wherever_the_page_ends(tmp_path):
    """Tables of 20 to 45 rows (the first page holds about 45 rows of this table): one of them ends at each
    place of the first page's end; on every one the signatures are printed on the page of the table's last three
    rows."""
    require_libreoffice()
    columns = [Column("area_name", ("Hộ",), "text", 30), Column("poor", ("Hộ nghèo", "Số hộ")),
               Column("rate", ("Hộ nghèo", "Tỷ lệ (%)"), "rate")]
    tables = [Table(f"n{count}", "Danh sách thử", "Huyện Thử", 2025, columns,
                    [{"area_name": f"Hộ số {n:03d}", "poor": n, "rate": 1.5} for n in range(count)],
                    notes=["Ghi chú một dòng."])
              for count in COUNTS]
    path = tmp_path / "tables.xlsx"
    path.write_bytes(workbook_bytes(tables))
    printed = by_sheet(pages(to_pdf(path)))
    book = load_workbook(path)
    for count in COUNTS:
        sheet_pages = printed[f"n{count}"]
        assert_prints_as_expected(book[f"n{count}"], sheet_pages, "THỦ TRƯỞNG ĐƠN VỊ")
        last_page = sheet_pages[-1].compact
        assert all(f"Hộsố{n:03d}" in last_page for n in range(count - 3, count)), count
    assert {len(printed[f"n{count}"]) for count in COUNTS} == {1, 2}, "no table crossed a page's end"
