"""Workbooks for the import tests and the benchmark: the official sheets, any number of households."""
from openpyxl import Workbook

HOUSEHOLD_HEADERS = ["Mã hộ", "Họ tên chủ hộ", "Mã xã", "Thôn", "Dân tộc", "Địa chỉ"]
MEMBER_HEADERS = ["Mã hộ", "Họ tên", "Giới tính", "Năm sinh", "Dân tộc", "Quan hệ với chủ hộ", "Số CCCD"]
REVIEW_HEADERS = ["Mã hộ", "Năm", "Thu nhập bình quân", "Điểm B1", "Không có khả năng lao động", "Có người có công",
                  "Chỉ số 1", "Chỉ số 4", "Chỉ số 9"]


def workbook(path, households=(), members=(), reviews=(), headers=None, write_only=True):
    book = Workbook(write_only=write_only)
    if not write_only:
        book.remove(book.active)
    headers = headers or {}
    for name, default, rows in (("Hộ gia đình", HOUSEHOLD_HEADERS, households),
                                ("Nhân khẩu", MEMBER_HEADERS, members), ("Rà soát", REVIEW_HEADERS, reviews)):
        if rows is None:
            continue
        sheet = book.create_sheet(name)
        sheet.append(headers.get(name, default))
        for row in rows:
            sheet.append(list(row))
    book.save(path)
    return path


def province_workbook(path, households, communes, villages_per_commune=2, year=2024):
    """`households` households with four members and one review result each, spread over `communes`."""
    def household_rows():
        for number in range(households):
            commune = communes[number % len(communes)]
            yield [f"IMP-{number:06d}", f"Nguyễn Văn {number}", commune, f"{commune}-{number % villages_per_commune + 1:02d}",
                   "14" if number % 3 else "Kinh", f"Thôn {number % 7}"]

    def member_rows():
        for number in range(households):
            code = f"IMP-{number:06d}"
            yield [code, f"Nguyễn Văn {number}", "Nam", 1970 + number % 30, "", "Chủ hộ", ""]
            yield [code, f"Trần Thị {number}", "Nữ", 1972 + number % 30, "", "Vợ/chồng", ""]
            yield [code, f"Nguyễn Văn Con {number}", "Nam", 2005 + number % 15, "", "Con", ""]
            yield [code, f"Nguyễn Thị Con {number}", "Nữ", 2008 + number % 15, "", "Con", ""]

    def review_rows():
        for number in range(households):
            poor = number % 6 == 0
            yield [f"IMP-{number:06d}", year, "1.200.000" if poor or number % 6 == 1 else "3000000", "", "", "",
                   "x" if poor else "", "x" if poor else "", "có" if poor else ""]

    return workbook(path, household_rows(), member_rows(), review_rows())
