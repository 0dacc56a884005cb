"""Open an uploaded workbook safely and hand out its sheets as (row number, [values]).

Cells are read by calamine (a Rust reader): 300,000 rows in about a second, where openpyxl's read-only
mode needs some 45 s on the same file (docs/benchmarks.md). It holds one sheet at a time as a compact grid,
so memory follows the largest sheet, and the upload size limit bounds it (about 150 MB for 50,000
households with their members and reviews). calamine shows a formula's cached value, not the formula, so a
cheap scan of the sheets' XML looks for formulas first; only a file that has some is read again with openpyxl
to name each formula cell.

Nothing in an uploaded file is trusted before it is read. calamine builds a sheet's grid from its first to
its last used cell (32 bytes a cell, allocated at once: a failed allocation aborts the whole process), so a
5 KB file with one value in XFD1048576 would ask for 512 GiB. Before a sheet is handed to calamine, a
streaming scan of its XML finds where its used cells really end, the way calamine will place them; a sheet
past IMPORT_MAX_ROWS / IMPORT_MAX_COLUMNS, or whose grid would pass IMPORT_MAX_CELLS, is refused with a message. The declared <dimension> is not used: it
is the writer's claim (a crafted file can declare A1 and still hold XFD1048576; Excel counts formatted
empty cells in it). An archive declaring more than IMPORT_MAX_UNCOMPRESSED_BYTES unpacked, or a part packed
more than IMPORT_MAX_COMPRESSION_RATIO to one, is refused from its zip directory before anything is unpacked,
and every scan stops at a part's declared size. Files with a DTD or entity declaration (<!DOCTYPE, <!ENTITY:
"billion laughs") are refused before any part is parsed: OOXML forbids DTDs (ECMA-376 part 2), so no spreadsheet program writes one.
"""
import zipfile
import zlib
from dataclasses import dataclass, field

from django.conf import settings
from openpyxl.utils import get_column_letter
from python_calamine import CalamineError, CalamineWorkbook

from core.formatting import vn_number
from core.text import search_key
from importing.columns import COLUMNS, HOUSEHOLDS, MEMBERS, ONE_OF, REVIEWS
from importing.xlsx_scan import (
    FileRefused,
    extent,
    formula_cells,
    has_formulas,
    refuse_declarations,
    refuse_oversized,
    sheet_parts,
    xml_parts,
)

# {sheet: {key: accepted headers}}, derived from the one column specification (importing/columns.py).
SHEETS = {sheet: {column.key: list(column.labels) for column in columns} for sheet, columns in COLUMNS.items()}

__all__ = ["SHEETS", "HOUSEHOLDS", "MEMBERS", "REVIEWS", "FileRefused", "Issue", "Sheet", "check_upload", "header_key",
           "open_workbook", "read_sheet"]


# What a damaged (or hostile) archive can raise while it is read: a message, never a failed request.
DAMAGED = (CalamineError, zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, KeyError, OSError, ValueError,
           EOFError, NotImplementedError, RuntimeError)


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
        self.has_formulas = None
        self._parts = None

    def formula_cells(self, title):
        """{row: [column index]} of the formula cells of sheet `title` (1-based rows, 0-based columns)."""
        if self.has_formulas is None:
            try:
                self.has_formulas = has_formulas(self.path)
            except DAMAGED as error:
                raise FileRefused(f"Không đọc được tệp Excel (tệp hỏng?): {error}") from error
        return formula_cells(self.path, title) if self.has_formulas else {}

    def check_size(self, title, name):
        """Raise FileRefused when sheet `title` has used cells past the row or column limit (never reads it)."""
        try:
            self._check_size(title, name)
        except DAMAGED as error:
            raise FileRefused(f"Không đọc được tệp Excel (tệp hỏng?): {error}") from error

    def _check_size(self, title, name):
        with zipfile.ZipFile(self.path) as archive:
            if self._parts is None:
                self._parts = sheet_parts(archive)
            parts = self._parts.get(title) or xml_parts(archive)  # unsure which part: every part
            rows, columns, cells = settings.IMPORT_MAX_ROWS, settings.IMPORT_MAX_COLUMNS, settings.IMPORT_MAX_CELLS
            for part in sorted(parts):
                last_row, last_column = extent(archive, part, rows, columns)
                if last_row > rows or last_column > columns:
                    limit = f"mỗi trang được tối đa {vn_number(rows)} dòng và {vn_number(columns)} cột"
                elif last_row * last_column > cells:  # the grid the reader would hold (32 bytes a cell)
                    limit = f"mỗi trang được tối đa {vn_number(cells)} ô (số dòng × số cột)"
                else:
                    continue
                letter = get_column_letter(max(1, min(last_column, 18278)))
                raise FileRefused(
                    f"Tệp có trang “{name}” quá lớn, không đọc: có ô dùng tới dòng {vn_number(last_row)}, "
                    f"cột {letter} (cột thứ {vn_number(last_column)}), trong khi {limit}. Hãy xoá các ô thừa ở "
                    "xa (trong Excel, Ctrl+End chỉ ra ô cuối) hoặc chia nhỏ tệp.")

    def sheet(self, title):
        """calamine's sheet `title` (read whole: call check_size first)."""
        try:
            return self.book.get_sheet_by_name(title)
        except CalamineError as error:
            raise FileRefused(f"Tệp hỏng, không đọc được trang “{title}”: {error}") from error

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
        refuse_oversized(path)  # from the zip's directory: a bomb is refused before any part is unpacked
        refuse_declarations(path)
        return Workbook(path)
    except DAMAGED as error:
        raise FileRefused(f"Không đọc được tệp Excel (tệp hỏng?): {error}") from error


def header_key(value):
    return " ".join(search_key(str(value or "")).split())


def read_sheet(workbook, name, issues):
    """The sheet `name` (matched ignoring case, accents and spaces) or None; header problems are issues.
    FileRefused when the sheet is too big to read or cannot be read at all."""
    wanted = header_key(name)
    title = next((title for title in workbook.titles if header_key(title) == wanted), None)
    if title is None:
        return None
    workbook.check_size(title, name)
    worksheet = workbook.sheet(title)
    # calamine starts each row at the first used column; put the empty columns on the left back.
    padding = [None] * worksheet.start[1] if worksheet.start else []
    rows = (padding + row for row in worksheet.iter_rows())
    headers = next(rows, None)
    if not headers or all(value in (None, "") for value in headers):
        issues.append(Issue(name, 1, None, "Trang tính trống: dòng 1 phải là tiêu đề cột."))
        return None
    aliases = {header_key(alias): column.key for column in COLUMNS[name] for alias in column.labels}
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
    for column in COLUMNS[name]:
        if column.required and column.key not in sheet.columns:
            issues.append(Issue(name, 1, None, f"Thiếu cột bắt buộc “{column.label}”."))
            usable = False
    one_of = ONE_OF.get(name)
    if one_of and not any(key in sheet.columns for key in one_of):
        labels = " hoặc ".join(f"“{column.label}”" for column in COLUMNS[name] if column.key in one_of)
        issues.append(Issue(name, 1, None, f"Cần cột {labels}."))
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
