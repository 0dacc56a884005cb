"""The template workbook offered on the import page, and the error workbook given back to fix."""
import datetime
import io

from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill

from importing.columns import COLUMNS, REVIEWS, indicator_guide
from review.calendar import review_year_of
from review.standards import standard_or_none

GUIDE_SHEET = "Hướng dẫn"
RED = PatternFill("solid", fgColor="FDE8E8")


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
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for index in range(1, len(headers) + 1):
            sheet.column_dimensions[sheet.cell(1, index).column_letter].width = 18
    guide = workbook.create_sheet(GUIDE_SHEET)
    guide.append(["Trang", "Cột", "Cách ghi"])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for name, columns in explained.items():
        for column, explanation in columns:
            guide.append([name, column, explanation])
    guide.append([])
    guide.append([EXAMPLE])
    for letter, width in (("A", 14), ("B", 26), ("C", 90)):
        guide.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


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
        sheet.cell(1, column, "Lỗi").font = Font(bold=True, color="B42318")
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
