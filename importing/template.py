"""The template workbook offered on the import page, and the error workbook given back to fix."""
import io

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill

from importing.reading import HOUSEHOLDS, MEMBERS, REVIEWS, SHEETS
from review.models import Indicator

RED = PatternFill("solid", fgColor="FDE8E8")


def template_bytes():
    workbook = Workbook()
    workbook.remove(workbook.active)
    examples = {
        HOUSEHOLDS: ["23401-0001", "A Blưk", "23401", "Tổ dân phố 1", "Xơ Đăng", "Tổ dân phố 1, xã Đăk Tô"],
        MEMBERS: ["23401-0001", "A Blưk", "Nam", 1980, "Xơ Đăng", "Chủ hộ", "062080001234"],
        REVIEWS: ["23401-0001", 2025, "1.200.000", "", "", ""],
    }
    for name, columns in SHEETS.items():
        sheet = workbook.create_sheet(name)
        headers = [aliases[0] for aliases in columns.values()]
        if name == REVIEWS:
            headers += [f"Chỉ số {i.code}" for i in Indicator.objects.filter(standard__code="ND07-2021")]
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.append(examples[name] + ([""] * (len(headers) - len(examples[name]))))
        sheet.freeze_panes = "A2"
        for index in range(1, len(headers) + 1):
            sheet.column_dimensions[sheet.cell(1, index).column_letter].width = 18
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
