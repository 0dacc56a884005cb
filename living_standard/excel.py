"""The list of households recognised as of average living standard, as an Excel workbook (printed one A4 page
wide, its headings on every page: core/xlsx_print.py)."""
from io import BytesIO

from openpyxl import Workbook

from core.xlsx_print import list_sheet

TITLE = "DANH SÁCH HỘ CÓ MỨC SỐNG TRUNG BÌNH"
HEADERS = ("STT", "Mã hộ", "Họ tên chủ hộ", "Thôn", "Xã/phường", "Thu nhập bình quân (đồng/người/tháng)",
           "Số quyết định", "Ngày quyết định")
WIDTHS = (6, 14, 28, 16, 18, 20, 18, 14)


def recognised_list_workbook(decisions) -> bytes:
    """One row per decision (select_related household, village, commune, determination), in the given order."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Mức sống trung bình"
    printed = list_sheet(sheet, TITLE, HEADERS, WIDTHS)
    for number, decision in enumerate(decisions, start=1):
        sheet.append([number, decision.household.code, decision.household.head_name,
                      decision.village.name if decision.village else "", decision.commune.name,
                      decision.determination.income_per_capita, decision.decision_number,
                      decision.decision_date.strftime("%d/%m/%Y")])
    for (cell,) in sheet.iter_rows(min_row=3, min_col=6, max_col=6):
        cell.number_format = "#,##0"  # shown with the thousands separator of the reader's Excel (1.900.000)
    printed.finish(sheet.max_row)
    output = BytesIO()
    book.save(output)
    return output.getvalue()
