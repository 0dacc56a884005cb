"""The commune's list of workers with low income, as an Excel workbook (printed one A4 page wide, its headings
on every page: core/xlsx_print.py)."""
from io import BytesIO

from openpyxl import Workbook

from core.xlsx_print import list_sheet

TITLE = "DANH SÁCH NGƯỜI LAO ĐỘNG CÓ THU NHẬP THẤP"
HEADERS = ("STT", "Họ và tên", "Mã hộ", "Họ tên chủ hộ", "Thôn", "Xã/phường", "Thu nhập (đồng/tháng)",
           "Số quyết định/xác nhận", "Ngày")
WIDTHS = (6, 26, 14, 26, 16, 18, 18, 20, 14)


def worker_list_workbook(confirmations) -> bytes:
    """One row per confirmation (select_related member, household, village, commune, determination), in order."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Thu nhập thấp"
    printed = list_sheet(sheet, TITLE, HEADERS, WIDTHS)
    for number, row in enumerate(confirmations, start=1):
        sheet.append([number, row.member.full_name, row.household.code, row.household.head_name,
                      row.village.name if row.village else "", row.commune.name,
                      row.determination.income_per_month, row.decision_number,
                      row.decision_date.strftime("%d/%m/%Y")])
    for (cell,) in sheet.iter_rows(min_row=3, min_col=7, max_col=7):
        cell.number_format = "#,##0"  # shown with the thousands separator of the reader's Excel (1.900.000)
    printed.finish(sheet.max_row)
    output = BytesIO()
    book.save(output)
    return output.getvalue()
