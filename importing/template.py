"""The template workbook offered on the import page, and the error workbook given back to fix."""
import io

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill

from importing.reading import HOUSEHOLDS, MEMBERS, REVIEWS, SHEETS
from review.models import Indicator

GUIDE_SHEET = "Hướng dẫn"
RED = PatternFill("solid", fgColor="FDE8E8")


# What each column takes, shown on the template's guide sheet (the import reads only the three data sheets,
# so nothing written there is ever imported).
GUIDE = {
    HOUSEHOLDS: [
        ("Mã hộ", "Bắt buộc. Mã hộ của xã, ví dụ 23401-0001; nhập lại cùng mã thì sửa hộ đó."),
        ("Họ tên chủ hộ", "Bắt buộc. Tiếng Việt Unicode (không dùng phông .VnTime/VNI)."),
        ("Mã xã", "Bắt buộc. Mã đơn vị hành chính của xã/phường, ví dụ 23401; thiếu số 0 đầu vẫn nhận."),
        ("Thôn", "Tên thôn/tổ dân phố của xã như trong sổ: “Thôn 2”, “2” hoặc mã thôn."),
        ("Dân tộc", "Tên (Xơ Đăng) hoặc mã 121-TCTK (14)."),
        ("Địa chỉ", "Không bắt buộc."),
        ("Sinh kế chính", "Nông nghiệp, Lâm nghiệp, Ngư nghiệp, Diêm nghiệp hoặc Ngành nghề khác. Chỉ hộ nông, lâm, "
                          "ngư, diêm nghiệp được xét mức sống trung bình; hộ khác trên chuẩn là hộ không nghèo. Bỏ "
                          "trống: hộ mới theo xã (nông nghiệp ở xã, ngành nghề khác ở phường/thị trấn), hộ đã có "
                          "giữ như trong sổ."),
    ],
    MEMBERS: [
        ("Mã hộ", "Bắt buộc. Hộ trên trang “Hộ gia đình” của tệp hoặc đã có trong sổ."),
        ("Họ tên", "Bắt buộc."),
        ("Giới tính", "Nam hoặc Nữ."),
        ("Năm sinh", "Bốn chữ số, ví dụ 1980."),
        ("Dân tộc", "Bỏ trống là dân tộc của chủ hộ."),
        ("Quan hệ với chủ hộ", "Chủ hộ, Vợ/chồng, Con, Bố/mẹ, Cháu, Anh/chị/em, Khác. Mỗi hộ đúng một chủ hộ."),
        ("Số CCCD", "12 chữ số; không trùng với người khác."),
    ],
    REVIEWS: [
        ("Mã hộ", "Bắt buộc."),
        ("Năm", "Năm rà soát (đợt rà soát cuối năm đó), ví dụ 2025."),
        ("Thu nhập bình quân", "Đồng/người/tháng: 1.200.000 hoặc 1200000."),
        ("Điểm B1", "Điểm thu nhập của phiếu B (nếu có); chỉ dùng khi chuẩn của năm có ngưỡng B1."),
        ("Không có khả năng lao động", "Bỏ trống: tính từ nhân khẩu (năm sinh, giới tính; người trong độ tuổi "
                                       "lao động có khả năng lao động). Ghi x/1/có hoặc 0/không khi danh sách xác định "
                                       "khác: khác kết quả tính thì được ghi là xác định theo danh sách nhập, với lý "
                                       "do ở cột sau."),
        ("Có người có công", "x, 1 hoặc có = có; bỏ trống = không."),
        ("Lý do khả năng lao động", "Không bắt buộc: lý do khi cột “Không có khả năng lao động” khác kết quả tính từ "
                                    "nhân khẩu; bỏ trống thì ghi “Theo danh sách nhập (tệp, dòng)”."),
        ("Chỉ số 1 … Chỉ số 12", "Mỗi chỉ số thiếu hụt một cột: x, 1 hoặc có = hộ thiếu hụt chỉ số đó; "
                                 "bỏ trống = không thiếu hụt."),
    ],
}
EXAMPLE = ("Ví dụ một hộ (chỉ để tham khảo, không được nhập từ trang này): Hộ gia đình: 23401-0001 | A Blưk | "
           "23401 | Tổ dân phố 1 | Xơ Đăng. Nhân khẩu: 23401-0001 | A Blưk | Nam | 1980 | | Chủ hộ | "
           "062080001234. Rà soát: 23401-0001 | 2025 | 1.200.000 | | | | x (Chỉ số 1).")


def template_bytes():
    """Three empty data sheets with their headers, and a guide sheet explaining every column. No example
    row sits on a data sheet, so a template sent back unfilled imports nothing."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, columns in SHEETS.items():
        sheet = workbook.create_sheet(name)
        headers = [aliases[0] for aliases in columns.values()]
        if name == REVIEWS:
            headers += [f"Chỉ số {i.code}" for i in Indicator.objects.filter(standard__code="ND07-2021")]
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
    for name, columns in GUIDE.items():
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
