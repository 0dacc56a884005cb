"""What is checked in an uploaded .xlsx before anything parses it: the sizes its zip directory declares, DTD and
entity declarations, where each sheet's used cells really end (calamine allocates the whole grid at once), and
which cells hold formulas. See importing/reading.py for why.
"""
import contextlib
import posixpath
import re
import zipfile
from xml.etree import ElementTree
from xml.parsers import expat

from django.conf import settings
from openpyxl import load_workbook

from core.formatting import vn_number


class FileRefused(Exception):
    """The whole file cannot be read: a message for the officer, nothing stored."""


# -- the sizes the zip's directory declares: checked before any part is unpacked -------------------------
# A 50,000-household workbook (four members and one review each) unpacks to about 106 MB at 12-13:1
# (tests/importing/builders.py province_workbook); a 300 KB file can hold a 300 MB comment (1,000:1) that would
# keep an import slot busy for minutes. Small parts (styles, the theme) may compress as they like.
MB = 1 << 20
RATIO_FROM_BYTES = MB


def _limits():
    return (int(getattr(settings, "IMPORT_MAX_UNCOMPRESSED_BYTES", 256 * MB)),
            int(getattr(settings, "IMPORT_MAX_COMPRESSION_RATIO", 100)))


def refuse_oversized(path):
    """FileRefused when the archive declares more than IMPORT_MAX_UNCOMPRESSED_BYTES unpacked in all, or a part
    over 1 MB unpacked more than IMPORT_MAX_COMPRESSION_RATIO times its packed size. Reads the zip's directory
    only: nothing is unpacked. (Declared sizes can lie: every scan below also stops reading at them.)"""
    most, ratio = _limits()
    with zipfile.ZipFile(path) as archive:
        entries = archive.infolist()
    total = sum(entry.file_size for entry in entries)
    if total > most:
        raise FileRefused(f"Tệp giải nén ra quá lớn ({vn_number(total // MB)} MB; tối đa {vn_number(most // MB)} MB): "
                          "hãy chia nhỏ tệp theo xã.")
    for entry in entries:
        if entry.file_size > RATIO_FROM_BYTES and entry.file_size > ratio * max(entry.compress_size, 1):
            raise FileRefused(
                f"Tệp bị từ chối: phần “{entry.filename}” nén quá mức ({vn_number(entry.file_size // MB)} MB nén "
                f"còn {vn_number(max(entry.compress_size // 1024, 1))} KB, quá {vn_number(ratio)} lần), bảng tính "
                "thật không như vậy (có thể là tệp độc hại). Hãy mở tệp gốc trong Excel và lưu lại dạng .xlsx.")


class _Capped:
    """A part's stream that refuses to read past the part's declared size (or the limit, if smaller)."""

    def __init__(self, stream, name, limit):
        self._stream, self.name, self.limit, self.read_bytes = stream, name, limit, 0

    def read(self, size=-1):
        data = self._stream.read(size if size is not None and size >= 0 else self.limit + 1)
        self.read_bytes += len(data)
        if self.read_bytes > self.limit:
            raise FileRefused(f"Tệp hỏng: phần “{self.name}” dài hơn kích thước tệp khai báo. "
                              "Hãy mở tệp gốc trong Excel và lưu lại dạng .xlsx.")
        return data


@contextlib.contextmanager
def open_part(archive, name):
    """Part `name` of the archive as a stream that stops at its declared size and IMPORT_MAX_UNCOMPRESSED_BYTES."""
    declared = archive.getinfo(name).file_size
    with archive.open(name) as stream:
        yield _Capped(stream, name, min(declared, _limits()[0]))


# -- what is checked before anything is parsed ----------------------------------------------------------
XML_PART = (".xml", ".rels", ".vml")
DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
ROOT_ELEMENT = re.compile(rb"<[A-Za-z_:]")
PROLOG_NOISE = re.compile(rb"<!--.*?-->|<\?.*?\?>", re.DOTALL)  # comments, <?xml …?>: no root element in them
PROLOG_BYTES = 1 << 20


def xml_parts(archive):
    return {name for name in archive.namelist() if name.lower().endswith(XML_PART)}


def refuse_declarations(path):
    """FileRefused when an XML part of the file (or a sheet, whatever its name) declares a DTD or entities. A
    declaration can only stand before the root element (the prolog), so only the start of each part is read;
    the workbook and its relationships are parsed (to find the sheets) only after they were checked."""
    with zipfile.ZipFile(path) as archive:
        parts = xml_parts(archive)
        for name in sorted(parts):
            _check_prolog(archive, name)
        for name in sorted(set().union(*sheet_parts(archive).values()) - parts):
            _check_prolog(archive, name)


def _check_prolog(archive, name):
    """Read part `name` up to its root element (past comments and processing instructions) and refuse it if
    what was read holds a declaration. NUL bytes are dropped, so that a UTF-16 part reads as ASCII."""
    head, size = b"", 0
    with open_part(archive, name) as stream:
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
        with open_part(archive, name) as stream:
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


def sheet_parts(archive):
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


def extent(archive, part, max_rows, max_columns):
    """(last used row, last used column), both 1-based, of the sheet XML `part`; it stops early past a limit."""
    try:
        with open_part(archive, part) as stream:
            return _extent_fast(stream, max_rows, max_columns)
    except _Unusual:
        with open_part(archive, part) as stream:
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


class _ExtentWalker:
    """The slow path's state: expat walks the XML as calamine does (a <row> without r follows the previous row)."""

    def __init__(self, max_rows, max_columns):
        self.max_rows, self.max_columns = max_rows, max_columns
        self.row = self.column = self.last_row = self.last_column = 0
        self.cell, self.used = None, False

    @staticmethod
    def position(reference):
        match = REFERENCE.fullmatch(reference or "")
        if match is None:
            raise FileRefused(f"Tệp hỏng: địa chỉ ô không hợp lệ “{reference}”.")
        return int(match.group(2)) - 1, _column_number(match.group(1)) - 1

    def start(self, name, attributes):
        name = name.rpartition(":")[2]
        if self.cell is not None:
            self.used = True  # anything inside a cell may be a value
        if name == "row" and "r" in attributes:
            if not attributes["r"].isdigit():
                raise FileRefused(f"Tệp hỏng: số dòng không hợp lệ “{attributes['r']}”.")
            self.row = int(attributes["r"]) - 1
        elif name == "c":
            self.cell = self.position(attributes["r"]) if "r" in attributes else (self.row, self.column)
            self.column = self.cell[1]
            self.used = False

    def end(self, name):
        name = name.rpartition(":")[2]
        if name == "row":
            self.row += 1
            self.column = 0
        elif name == "c" and self.cell is not None:
            if self.used:
                self.last_row = max(self.last_row, self.cell[0] + 1)
                self.last_column = max(self.last_column, self.cell[1] + 1)
                if self.last_row > self.max_rows or self.last_column > self.max_columns:
                    raise _Unusual
            self.cell = None
            self.column += 1


def _extent_parsed(stream, max_rows, max_columns):
    """The slow path: expat walks the XML as calamine does, refusing what is not XML."""
    walker = _ExtentWalker(max_rows, max_columns)
    parser = expat.ParserCreate()
    parser.StartElementHandler, parser.EndElementHandler = walker.start, walker.end
    try:
        while chunk := stream.read(CHUNK_BYTES):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _Unusual:
        pass  # past a limit: no need to read further
    except expat.ExpatError as error:
        raise FileRefused(f"Tệp hỏng: một trang tính không phải XML hợp lệ ({error}). "
                          "Hãy mở tệp trong Excel và lưu lại dạng .xlsx.") from error
    return walker.last_row, walker.last_column


FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


def has_formulas(path):
    """True when any worksheet's XML holds an <f> element; streams, never loads a sheet whole."""
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            with open_part(archive, name) as stream:
                tail = b""
                while chunk := stream.read(1 << 20):
                    if FORMULA_TAG.search(tail + chunk):
                        return True
                    tail = chunk[-8:]
    return False


def formula_cells(path, title):
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
