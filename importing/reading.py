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
past IMPORT_MAX_ROWS / IMPORT_MAX_COLUMNS is refused with a message. The declared <dimension> is not used: it
is the writer's claim (a crafted file can declare A1 and still hold XFD1048576; Excel counts formatted
empty cells in it). Files with a DTD or entity declaration (<!DOCTYPE, <!ENTITY: "billion laughs") are refused
before any part is parsed: OOXML forbids DTDs (ECMA-376 part 2), so no spreadsheet program writes one.
"""
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from xml.etree import ElementTree
from xml.parsers import expat

from django.conf import settings
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from python_calamine import CalamineError, CalamineWorkbook

from core.formatting import vn_number
from core.text import search_key

HOUSEHOLDS, MEMBERS, REVIEWS = "Hộ gia đình", "Nhân khẩu", "Rà soát"
SHEETS = {
    HOUSEHOLDS: {
        "code": ["Mã hộ"], "head_name": ["Họ tên chủ hộ"], "commune": ["Mã xã"], "village": ["Thôn"],
        "ethnic_group": ["Dân tộc"], "address": ["Địa chỉ"], "livelihood": ["Sinh kế chính", "Sinh kế"],
    },
    MEMBERS: {
        "household": ["Mã hộ"], "full_name": ["Họ tên"], "gender": ["Giới tính"], "birth_year": ["Năm sinh"],
        "ethnic_group": ["Dân tộc"], "relation": ["Quan hệ với chủ hộ"], "national_id": ["Số CCCD", "CCCD"],
    },
    REVIEWS: {
        "household": ["Mã hộ"], "year": ["Năm"], "income": ["Thu nhập bình quân"], "b1": ["Điểm B1"],
        "no_labour": ["Không có khả năng lao động"], "meritorious": ["Có người có công"],
        "labour_reason": ["Lý do khả năng lao động", "Lý do KNLĐ"],
    },
}
REQUIRED = {HOUSEHOLDS: ["code", "head_name", "commune", "ethnic_group"],
            MEMBERS: ["household", "full_name"], REVIEWS: ["household", "year"]}


class FileRefused(Exception):
    """The whole file cannot be read: a message for the officer, nothing stored."""


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
        self._has_formulas = None
        self._parts = None

    def formula_cells(self, title):
        """{row: [column index]} of the formula cells of sheet `title` (1-based rows, 0-based columns)."""
        if self._has_formulas is None:
            try:
                self._has_formulas = _has_formulas(self.path)
            except DAMAGED as error:
                raise FileRefused(f"Không đọc được tệp Excel (tệp hỏng?): {error}") from error
        return _formula_cells(self.path, title) if self._has_formulas else {}

    def check_size(self, title, name):
        """Raise FileRefused when sheet `title` has used cells past the row or column limit (never reads it)."""
        try:
            self._check_size(title, name)
        except DAMAGED as error:
            raise FileRefused(f"Không đọc được tệp Excel (tệp hỏng?): {error}") from error

    def _check_size(self, title, name):
        with zipfile.ZipFile(self.path) as archive:
            if self._parts is None:
                self._parts = _sheet_parts(archive)
            parts = self._parts.get(title) or _xml_parts(archive)  # unsure which part: every part
            rows, columns = settings.IMPORT_MAX_ROWS, settings.IMPORT_MAX_COLUMNS
            for part in sorted(parts):
                last_row, last_column = _extent(archive, part, rows, columns)
                if last_row > rows or last_column > columns:
                    letter = get_column_letter(max(1, min(last_column, 18278)))
                    raise FileRefused(
                        f"Tệp có trang “{name}” quá lớn, không đọc: có ô dùng tới dòng {vn_number(last_row)}, "
                        f"cột {letter} (cột thứ {vn_number(last_column)}), trong khi mỗi trang được tối đa "
                        f"{vn_number(rows)} dòng và {vn_number(columns)} cột. Hãy xoá các ô thừa ở xa (trong Excel, "
                        "Ctrl+End chỉ ra ô cuối) hoặc chia nhỏ tệp.")

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
        _refuse_declarations(path)
        return Workbook(path)
    except DAMAGED as error:
        raise FileRefused(f"Không đọc được tệp Excel (tệp hỏng?): {error}") from error


# -- what is checked before anything is parsed ----------------------------------------------------------
XML_PART = (".xml", ".rels", ".vml")
DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
ROOT_ELEMENT = re.compile(rb"<[A-Za-z_:]")
PROLOG_NOISE = re.compile(rb"<!--.*?-->|<\?.*?\?>", re.DOTALL)  # comments, <?xml …?>: no root element in them
PROLOG_BYTES = 1 << 20


def _xml_parts(archive):
    return {name for name in archive.namelist() if name.lower().endswith(XML_PART)}


def _refuse_declarations(path):
    """FileRefused when an XML part of the file (or a sheet, whatever its name) declares a DTD or entities. A
    declaration can only stand before the root element (the prolog), so only the start of each part is read;
    the workbook and its relationships are parsed (to find the sheets) only after they were checked."""
    with zipfile.ZipFile(path) as archive:
        parts = _xml_parts(archive)
        for name in sorted(parts):
            _check_prolog(archive, name)
        for name in sorted(set().union(*_sheet_parts(archive).values()) - parts):
            _check_prolog(archive, name)


def _check_prolog(archive, name):
    """Read part `name` up to its root element (past comments and processing instructions) and refuse it if
    what was read holds a declaration. NUL bytes are dropped, so that a UTF-16 part reads as ASCII."""
    head, size = b"", 0
    with archive.open(name) as stream:
        while size < PROLOG_BYTES:
            chunk = stream.read(1 << 16)
            if not chunk:
                break
            size += len(chunk)
            head += chunk.replace(b"\x00", b"")
            if ROOT_ELEMENT.search(PROLOG_NOISE.sub(b"", head)):
                break
    root = ROOT_ELEMENT.search(PROLOG_NOISE.sub(b"", head))
    if DECLARATION.search(head):
        raise FileRefused(f"Tệp có khai báo DTD/thực thể XML (<!DOCTYPE hoặc <!ENTITY) trong phần “{name}”: "
                          "tệp Excel thật không bao giờ có, nên tệp bị từ chối (có thể là tệp độc hại). "
                          "Hãy mở tệp gốc trong Excel và lưu lại dạng .xlsx.")
    if root is None and size >= PROLOG_BYTES:
        raise FileRefused(f"Tệp không phải bảng tính Excel bình thường (phần “{name}” không có nội dung XML).")


REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _small_xml(archive, name, limit=16 << 20):
    """The parsed part `name`, or None when it is missing, too big or not XML (DTDs were refused before)."""
    try:
        with archive.open(name) as stream:
            data = stream.read(limit + 1)
        return ElementTree.fromstring(data) if len(data) <= limit else None
    except (KeyError, ElementTree.ParseError, ValueError):
        return None


def _local(tag):
    return tag.rpartition("}")[2].rpartition(":")[2]


def _targets(folder, target):
    """The parts a relationship target may name: resolved as the standard says, and as calamine does."""
    target = target.replace("\\", "/")
    found = {target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))}
    found.add(target[1:] if target.startswith("/xl/") else target if target.startswith("xl/") else f"xl/{target}")
    return found


def _relationships(archive, book, kind=""):
    """{relationship id: {parts}} of part `book` ("" for the package), only those whose type ends in `kind`."""
    folder, base = posixpath.split(book)
    root = _small_xml(archive, posixpath.join(folder, "_rels", base + ".rels"))
    found = {}
    for element in [] if root is None else root.iter():
        if (_local(element.tag) == "Relationship" and element.get("Id") and element.get("Target")
                and (element.get("Type") or "").endswith(kind)):
            found[element.get("Id")] = _targets(folder, element.get("Target"))
    return found


def _sheet_parts(archive):
    """{sheet title: {part names}}: every part a reader could take for the sheet (calamine does not say)."""
    names = set(archive.namelist())
    books = {"xl/workbook.xml"}
    for targets in _relationships(archive, "", "/officeDocument").values():  # where _rels/.rels puts the workbook
        books |= targets
    parts = {}
    for book in sorted(books & names):
        relationships = _relationships(archive, book)
        root = _small_xml(archive, book)
        for element in [] if root is None else root.iter():
            if _local(element.tag) != "sheet" or element.get("name") is None:
                continue
            ids = [value for key, value in element.attrib.items() if key == REL_ID or _local(key) == "id"]
            found = parts.setdefault(element.get("name"), set())
            for rid in ids:
                found |= relationships.get(rid, set()) & names
    return parts


# Where a sheet's used cells end, found as calamine will place them: a <c> element that is not empty (<c/>)
# is a used cell at its r="A1" reference, or, without one, at the column after the previous cell of its row.
# The fast path covers files whose every cell starts plainly `<c r="A1" …>` (Excel, LibreOffice and openpyxl
# write them so): in each stretch of the XML, every "<c" that can start a cell element must be matched by
# PLAIN_CELL, whose attributes hold no other r=, no "<", ">" or "'" and only closed "…" quotes, so that it
# reads the same tag as calamine's XML reader does at that place. Anything else (a cell without its reference
# or with two, a prefixed <x:c>, odd quoting) is parsed instead by expat, slower, which refuses what is not XML.
# Text that merely looks like a cell (inside a comment, a CDATA section, a quoted value) is counted as a
# cell too: that can only make a sheet look bigger, never smaller.
CELL_START = re.compile(rb"<c[\s/>]")
PREFIXED_CELL_START = re.compile(rb":c[\s/>]")
PLAIN_CELL = re.compile(rb'<c r="([A-Z]{1,3}[0-9]{1,7})"(?:[^<>"\'r/]++|r(?!\s*=)|/(?!>)|"[^<>"\']*+")*+(/?)>')
LETTERS, DIGITS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"0123456789"
REFERENCE = re.compile(r"([A-Za-z]{1,3})([0-9]{1,7})")
CHUNK_BYTES = 1 << 20


class _Unusual(Exception):
    pass


def _column_number(letters):
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def _extent(archive, part, max_rows, max_columns):
    """(last used row, last used column), both 1-based, of the sheet XML `part`; it stops early past a limit."""
    try:
        with archive.open(part) as stream:
            return _extent_fast(stream, max_rows, max_columns)
    except _Unusual:
        with archive.open(part) as stream:
            return _extent_parsed(stream, max_rows, max_columns)


def _extent_fast(stream, max_rows, max_columns):
    last_row = last_column = 0
    carry = b""
    while True:
        chunk = stream.read(CHUNK_BYTES)
        text = carry + chunk
        if chunk:
            cut = text.rfind(b"<")  # a cell tag that spans the cut holds a "<": PLAIN_CELL will not match it
            if cut <= 0:
                if len(text) > 16 * CHUNK_BYTES:
                    raise _Unusual
                carry = text
                continue
            done, carry = text[:cut], text[cut:]
        else:
            done, carry = text, b""
        if b":c" in done and PREFIXED_CELL_START.search(done):
            raise _Unusual
        cells = PLAIN_CELL.findall(done)
        starts = done.count(b"<c")  # quick; "<col", "<color" … are told apart only when the counts differ
        if starts != len(cells) and len(CELL_START.findall(done)) != len(cells):
            raise _Unusual
        references = b" ".join([reference for reference, empty in cells if not empty])
        if references:
            last_row = max(last_row, max(map(int, references.translate(None, LETTERS).split())))
            columns = set(references.translate(None, DIGITS).split())  # a handful of distinct letters
            last_column = max(last_column, *(_column_number(letters.decode()) for letters in columns))
            if last_row > max_rows or last_column > max_columns:
                break
        if not chunk:
            break
    return last_row, last_column


def _extent_parsed(stream, max_rows, max_columns):
    """The slow path: expat walks the XML as calamine does (a <row> without r follows the previous row)."""
    state = {"row": 0, "column": 0, "cell": None, "used": False, "last_row": 0, "last_column": 0}

    def position(reference):
        match = REFERENCE.fullmatch(reference or "")
        if match is None:
            raise FileRefused(f"Tệp hỏng: địa chỉ ô không hợp lệ “{reference}”.")
        return int(match.group(2)) - 1, _column_number(match.group(1)) - 1

    def start(name, attributes):
        name = name.rpartition(":")[2]
        if state["cell"] is not None:
            state["used"] = True  # anything inside a cell may be a value
        if name == "row":
            if "r" in attributes:
                if not attributes["r"].isdigit():
                    raise FileRefused(f"Tệp hỏng: số dòng không hợp lệ “{attributes['r']}”.")
                state["row"] = int(attributes["r"]) - 1
        elif name == "c":
            if "r" in attributes:
                state["cell"] = position(attributes["r"])
                state["column"] = state["cell"][1]
            else:
                state["cell"] = (state["row"], state["column"])
            state["used"] = False

    def end(name):
        name = name.rpartition(":")[2]
        if name == "row":
            state["row"] += 1
            state["column"] = 0
        elif name == "c" and state["cell"] is not None:
            if state["used"]:
                state["last_row"] = max(state["last_row"], state["cell"][0] + 1)
                state["last_column"] = max(state["last_column"], state["cell"][1] + 1)
                if state["last_row"] > max_rows or state["last_column"] > max_columns:
                    raise _Unusual
            state["cell"] = None
            state["column"] += 1

    parser = expat.ParserCreate()
    parser.StartElementHandler, parser.EndElementHandler = start, end
    try:
        while chunk := stream.read(CHUNK_BYTES):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _Unusual:
        pass  # past a limit: no need to read further
    except expat.ExpatError as error:
        raise FileRefused(f"Tệp hỏng: một trang tính không phải XML hợp lệ ({error}). "
                          "Hãy mở tệp trong Excel và lưu lại dạng .xlsx.") from error
    return state["last_row"], state["last_column"]


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


def _formula_cells(path, title):
    """The rare path: openpyxl names every formula cell of sheet `title` (already checked by its size:
    the bounds keep openpyxl from padding rows out to a sheet's declared dimension)."""
    try:
        workbook = load_workbook(path, read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        raise FileRefused(f"Tệp hỏng, không đọc được công thức: {error}") from error
    try:
        cells = {}
        if title in workbook.sheetnames:
            for row in workbook[title].iter_rows(max_row=settings.IMPORT_MAX_ROWS,
                                                 max_col=settings.IMPORT_MAX_COLUMNS):
                for cell in row:
                    if getattr(cell, "data_type", None) == "f":
                        cells.setdefault(cell.row, []).append(cell.column - 1)
        return cells
    except Exception as error:
        raise FileRefused(f"Tệp hỏng, không đọc được công thức ở trang “{title}”: {error}") from error
    finally:
        workbook.close()


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
