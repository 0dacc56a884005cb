"""The template workbook offered on the import page, and the error workbook given back to fix.

The template prints as every workbook does (core/xlsx_print.py): one A4 page wide, its headings wrapped, tall
enough and repeated on every page; the guide's explanations wrapped in their column. No print area on the data
sheets: the officer fills them."""
import datetime
import io

from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, PatternFill

from core.xlsx_print import PrintedSheet, Text, font
from importing.columns import COLUMNS, REVIEWS, indicator_guide
from review.calendar import review_year_of
from review.standards import standard_or_none

GUIDE_SHEET = "Hướng dẫn"
RED = PatternFill("solid", fgColor="FDE8E8")
HEADING = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAPPED = Alignment(vertical="top", wrap_text=True)
DATA_WIDTH = 18
GUIDE_WIDTHS = (14, 26, 90)


# What each column takes, shown on the template's guide sheet (the import reads only the three data sheets,
# so nothing written there is ever imported): the guide texts of the column specification.
GUIDE = {sheet: [(column.label, column.guide) for column in columns] for sheet, columns in COLUMNS.items()}
EXAMPLE = ("Ví dụ một hộ (chỉ để tham khảo, không được nhập từ trang này): Hộ gia đình: 23401-0001 | A Blưk | "
           "23401 | Tổ dân phố 1 | Xơ Đăng. Nhân khẩu: 23401-0001 | A Blưk | Nam | 1980 | | Chủ hộ | "
           "062080001234. Rà soát: 23401-0001 | 2025 | 1.200.000 | | | | x (Chỉ số 1).")


def template_year(year: int | None = None, today: datetime.date | None = None) -> int:
    """The review year a template is for: the one asked, else the annual review open now (after the window
    closes on 14 December, next year's)."""
    return year or review_year_of(today or timezone.localdate())


def template_bytes(year: int | None = None) -> bytes:
    """Three empty data sheets with their headers, and a guide sheet explaining every column, for the review of
    `year` (default: the one open now): one column per indicator of that year's standard (12 under Decree
    07/2021, 13 from the 2026 review). No example row sits on a data sheet, so a template sent back unfilled
    imports nothing."""
    standard = standard_or_none(template_year(year))
    indicators = list(standard.indicators.all()) if standard else []
    explained = {**GUIDE, REVIEWS: [*GUIDE[REVIEWS], indicator_guide(standard, indicators)]}
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, columns in COLUMNS.items():
        sheet = workbook.create_sheet(name)
        headers = [column.label for column in columns]
        if name == REVIEWS:
            headers += [f"Chỉ số {indicator.code}" for indicator in indicators]
        _heading_row(sheet, headers, [DATA_WIDTH] * len(headers))
        sheet.freeze_panes = "A2"
    _guide_sheet(workbook.create_sheet(GUIDE_SHEET), explained)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _heading_row(sheet, headers, widths):
    """Row 1: the headings, bold and wrapped, tall enough, repeated on every printed page; the columns' widths."""
    printed = PrintedSheet(sheet, widths)
    sheet.append(headers)
    for index, (cell, width) in enumerate(zip(sheet[1], widths, strict=True), start=1):
        cell.font, cell.alignment = font(bold=True), HEADING
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = width
    printed.fit([Text(header, width, 1) for header, width in zip(headers, widths, strict=True)])
    printed.repeat(1, 1)
    return printed


def _guide_sheet(guide, explained):
    printed = _heading_row(guide, ["Trang", "Cột", "Cách ghi"], GUIDE_WIDTHS)
    for name, columns in explained.items():
        for column, explanation in columns:
            guide.append([name, column, explanation])
            row = guide.max_row
            for cell in guide[row]:
                cell.alignment = WRAPPED
            printed.fit([Text(text, width, row) for text, width in zip((name, column, explanation), GUIDE_WIDTHS,
                                                                         strict=True)])
    guide.append([])
    guide.append([EXAMPLE])
    row = guide.max_row
    guide.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(GUIDE_WIDTHS))
    guide.cell(row, 1).alignment = WRAPPED
    printed.fit([Text(EXAMPLE, sum(GUIDE_WIDTHS), row)])
    printed.finish(row)


def error_workbook_bytes(path, errors):
    """The officer's own file with a “Lỗi” column on each sheet naming what to fix on that row."""
    workbook = load_workbook(path)
    by_row = {}
    for issue in errors:
        if issue.row:
            by_row.setdefault((issue.sheet, issue.row), []).append(
                f"{issue.column}: {issue.message}" if issue.column else issue.message)
    for sheet in workbook.worksheets:
        column = sheet.max_column + 1
        sheet.cell(1, column, "Lỗi").font = font(bold=True, color="B42318")
        for (sheet_name, row), messages in by_row.items():
            if sheet_name == sheet.title or sheet_name.lower() == sheet.title.lower():
                cell = sheet.cell(row, column, "; ".join(messages))
                cell.fill = RED
    general = [issue.message for issue in errors if not issue.row]
    if general:
        sheet = workbook.create_sheet("Lỗi chung")
        for message in general:
            sheet.append([message])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
