"""Open an uploaded workbook safely and hand out its sheets as (row number, [values]).

Cells are read by calamine (a Rust reader): 300,000 rows in about a second, where openpyxl's read-only
mode needs some 45 s on the same file (docs/benchmarks.md). It holds one sheet at a time as a compact grid,
so memory follows the largest sheet, and the upload size limit bounds it (about 150 MB for 50,000
households with their members and reviews). calamine shows a formula's cached value, not the formula, so a
cheap scan of the sheets' XML looks for formulas first; only a file that has some is read again with openpyxl
to name each formula cell.
"""
import re
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from python_calamine import CalamineError, CalamineWorkbook

from core.text import search_key

HOUSEHOLDS, MEMBERS, REVIEWS = "Hộ gia đình", "Nhân khẩu", "Rà soát"
SHEETS = {
    HOUSEHOLDS: {
        "code": ["Mã hộ"], "head_name": ["Họ tên chủ hộ"], "commune": ["Mã xã"], "village": ["Thôn"],
        "ethnic_group": ["Dân tộc"], "address": ["Địa chỉ"],
    },
    MEMBERS: {
        "household": ["Mã hộ"], "full_name": ["Họ tên"], "gender": ["Giới tính"], "birth_year": ["Năm sinh"],
        "ethnic_group": ["Dân tộc"], "relation": ["Quan hệ với chủ hộ"], "national_id": ["Số CCCD", "CCCD"],
    },
    REVIEWS: {
        "household": ["Mã hộ"], "year": ["Năm"], "income": ["Thu nhập bình quân"], "b1": ["Điểm B1"],
        "no_labour": ["Không có khả năng lao động"], "meritorious": ["Có người có công"],
    },
}
REQUIRED = {HOUSEHOLDS: ["code", "head_name", "commune", "ethnic_group"],
            MEMBERS: ["household", "full_name"], REVIEWS: ["household", "year"]}


class FileRefused(Exception):
    """The whole file cannot be read: a message for the officer, nothing stored."""


@dataclass
class Issue:
    sheet: str
    row: int | None
    column: str | None
    message: str

    def as_dict(self):
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}


@dataclass
class Sheet:
    name: str
    columns: dict  # field -> column index
    extra: dict = field(default_factory=dict)  # unknown header -> index (indicator columns on the review sheet)
    headers: list = field(default_factory=list)
    rows: object = None  # iterator of (row number, [values])
    total: int = 0  # rows below the header, for progress


def check_upload(upload_name, size):
    if size > settings.IMPORT_MAX_UPLOAD_BYTES:
        limit = settings.IMPORT_MAX_UPLOAD_BYTES // (1024 * 1024)
        raise FileRefused(f"Tệp quá lớn ({size // (1024 * 1024)} MB; tối đa {limit} MB). Hãy chia nhỏ tệp theo xã.")
    lower = (upload_name or "").lower()
    if lower.endswith(".xls"):
        raise FileRefused("Tệp .xls (Excel 97-2003) không được hỗ trợ: hãy mở trong Excel và lưu lại dạng .xlsx.")
    if lower.endswith(".csv"):
        raise FileRefused("Tệp .csv không được hỗ trợ: hãy dùng mẫu Excel .xlsx (tải ở trang nhập).")


class Workbook:
    """An uploaded workbook: its sheets by title, and where (if anywhere) it holds formulas."""

    def __init__(self, path):
        self.path = path
        self.book = CalamineWorkbook.from_path(path)
        self.titles = self.book.sheet_names
        self._formulas = None

    def formula_cells(self, title):
        """{row: [column index]} of the formula cells of sheet `title` (1-based rows, 0-based columns)."""
        if self._formulas is None:
            self._formulas = _formula_cells(self.path) if _has_formulas(self.path) else {}
        return self._formulas.get(title, {})

    def close(self):
        self.book.close()


def open_workbook(path):
    with open(path, "rb") as handle:
        magic = handle.read(8)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused("Tệp Excel 97-2003 (.xls) không được hỗ trợ: hãy lưu lại dạng .xlsx.")
    if not magic.startswith(b"PK"):
        raise FileRefused("Tệp không phải bảng tính Excel .xlsx (có thể là .csv hoặc tệp khác).")
    try:
        return Workbook(path)
    except (CalamineError, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise FileRefused(f"Không đọc được tệp Excel (tệp hỏng?): {error}") from error


FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _has_formulas(path):
    """True when any worksheet's XML holds an <f> element; streams, never loads a sheet whole."""
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            with archive.open(name) as stream:
                tail = b""
                while chunk := stream.read(1 << 20):
                    if FORMULA_TAG.search(tail + chunk):
                        return True
                    tail = chunk[-8:]
    return False


def _formula_cells(path):
    """The rare path: openpyxl names every formula cell, sheet by sheet."""
    workbook = load_workbook(path, read_only=True, data_only=False)
    try:
        found = {}
        for sheet in workbook.worksheets:
            cells = found.setdefault(sheet.title, {})
            for row in sheet.iter_rows():
                for cell in row:
                    if getattr(cell, "data_type", None) == "f":
                        cells.setdefault(cell.row, []).append(cell.column - 1)
        return found
    finally:
        workbook.close()


def header_key(value):
    return " ".join(search_key(str(value or "")).split())


def read_sheet(workbook, name, issues):
    """The sheet `name` (matched ignoring case, accents and spaces) or None; header problems are issues."""
    wanted = header_key(name)
    title = next((title for title in workbook.titles if header_key(title) == wanted), None)
    if title is None:
        return None
    worksheet = workbook.book.get_sheet_by_name(title)
    # calamine starts each row at the first used column; put the empty columns on the left back.
    padding = [None] * worksheet.start[1] if worksheet.start else []
    rows = (padding + row for row in worksheet.iter_rows())
    headers = next(rows, None)
    if not headers or all(value in (None, "") for value in headers):
        issues.append(Issue(name, 1, None, "Trang tính trống: dòng 1 phải là tiêu đề cột."))
        return None
    aliases = {header_key(alias): field for field, names in SHEETS[name].items() for alias in names}
    sheet = Sheet(name=name, columns={}, headers=headers, total=worksheet.end[0] if worksheet.end else 0)
    last = max(i for i, value in enumerate(headers) if value not in (None, ""))
    for index, value in enumerate(headers[: last + 1]):
        letter = get_column_letter(index + 1)
        if value in (None, ""):
            issues.append(Issue(name, 1, letter, "Ô tiêu đề trống (tiêu đề gộp ô?): mỗi cột cần một tiêu đề riêng "
                                                 "ở dòng 1, không gộp ô."))
            continue
        key = header_key(value)
        if key in aliases:
            if aliases[key] in sheet.columns:
                issues.append(Issue(name, 1, letter, f"Cột “{value}” bị lặp lại."))
            sheet.columns[aliases[key]] = index
        else:
            sheet.extra[str(value).strip()] = index
    usable = True
    for required in REQUIRED[name]:
        if required not in sheet.columns:
            label = SHEETS[name][required][0]
            issues.append(Issue(name, 1, None, f"Thiếu cột bắt buộc “{label}”."))
            usable = False
    if name == REVIEWS and "income" not in sheet.columns and "b1" not in sheet.columns:
        issues.append(Issue(name, 1, None, "Cần cột “Thu nhập bình quân” hoặc “Điểm B1”."))
        usable = False
    sheet.rows = _values(rows, name, workbook.formula_cells(title), issues)
    return sheet if usable else None


def _values(rows, sheet_name, formulas, issues):
    for number, values in enumerate(rows, start=2):
        for index in formulas.get(number, ()):
            if index < len(values):
                issues.append(Issue(sheet_name, number, get_column_letter(index + 1),
                                    "Ô chứa công thức: hãy dán giá trị (Paste Special → Values)."))
                values[index] = None
        if any(value not in (None, "") for value in values):
            yield number, values
