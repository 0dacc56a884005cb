"""Excel workbooks in the look of the official summary tables, streamed in openpyxl's write-only mode.

Every sheet: national motto header, reporting unit, title, year, merged multi-level column headers, a row
of column numbers, data rows, totals row, number formats, frozen header, the signature block, and the pages of
core/xlsx_print.py (one A4 page wide, headings repeated and tall enough, the table's end kept with the
signatures). Write-only mode keeps memory flat for household lists of 100,000+ rows, so one code path
serves small tables and big lists alike.
"""
import copy
import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange

from core.xlsx import xlsx_response
from core.xlsx_print import KEEP_LAST_ROWS, PrintedSheet, Text, font

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
NUMBER_FORMATS = {
    "int": "#,##0",
    "money": "#,##0",
    "rate": "0.00",
    "text": "@",
}
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="E8EDF2")
SIGNING_ROWS = 4  # empty rows under the signature lines: room to sign


@dataclass
class Column:
    key: str
    headers: tuple  # top level first: ("Hộ nghèo", "Cuối kỳ") spans under one merged "Hộ nghèo"
    kind: str = "int"  # int | money | rate | text
    width: float = 9  # a number of 1.234.567 and a heading wrapped on a few lines: the table prints larger
    # What a cell shows where the figure is None and its absence means something (no start-of-year count in
    # the first year of a standard: "—"); empty: the cell stays empty.
    none_text: str = ""


@dataclass
class Table:
    sheet_name: str
    title: str
    unit_name: str
    year: int | None
    columns: list
    rows: object  # any iterable of dicts (a generator for big lists)
    total: dict | None = None
    notes: list = field(default_factory=list)  # e.g. the denominators of the rates
    parent_unit_name: str = ""
    issuer: str = ""  # the body whose People's Committee issues the table (defaults to the unit)
    # A review year still under review: "Số liệu tạm thời — đang rà soát: 12/51 xã đã công nhận", said in the
    # title block under the title (reports/provisional.py); empty when the figures are final.
    provisional: str = ""


def safe_text(value):
    """Text that Excel would run as a formula gets a leading apostrophe-equivalent: a quote prefix."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _cell(sheet, value, *, bold=False, align=None, border=False, fill=None, number_format=None, size=None,
          italic=False):
    return style_cell(WriteOnlyCell(sheet, value=value), bold=bold, align=align, border=border, fill=fill,
                      number_format=number_format, size=size, italic=italic)


def style_cell(cell, *, bold=False, italic=False, size=None, align=None, border=False, fill=None,
               number_format=None):
    """The styles every sheet of the project uses, set on a cell (write-only or not); the cell."""
    if bold or size or italic:
        cell.font = font(bold=bold, size=size or 11, italic=italic)
    if align:
        cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=True)
    if border:
        cell.border = BORDER
    if fill:
        cell.fill = fill
    if number_format:
        cell.number_format = number_format
    return cell


def _value(column, raw):
    if raw is None:
        return None
    if column.kind == "rate":
        return float(raw) if isinstance(raw, Decimal) else raw  # Excel stores doubles; shown with 2 places
    if column.kind in ("int", "money"):
        return int(raw)
    return safe_text(str(raw))


def _number_style(sheet, kind):
    if kind == "text":
        return None
    template = WriteOnlyCell(sheet, 0)
    template.number_format = NUMBER_FORMATS[kind]
    return template._style


def _data_cell(sheet, kind, style, raw, none_text=None):
    if raw is None and none_text:
        return _cell(sheet, none_text, align="center")
    value = _plain(kind, raw)
    if style is None or value is None:
        return value
    cell = WriteOnlyCell(sheet, value)
    cell._style = copy.copy(style)
    return cell


def _total_cell(sheet, column, raw):
    if raw is None and column.none_text:
        return _cell(sheet, column.none_text, border=True, bold=True, align="center")
    return _cell(sheet, _value(column, raw), border=True, bold=True, number_format=NUMBER_FORMATS[column.kind])


def _plain(kind, raw):
    if raw is None:
        return None
    if kind == "rate":
        return float(raw)
    if kind in ("int", "money"):
        return int(raw)
    return safe_text(raw if isinstance(raw, str) else str(raw))


def _header_merges(columns, depth, first_row):
    """Merged ranges for multi-level headers: equal neighbours merge across, short stacks merge down."""
    merges = []
    for level in range(depth):
        start = 0
        while start < len(columns):
            label = columns[start].headers[level] if level < len(columns[start].headers) else None
            end = start
            prefix = columns[start].headers[: level + 1]
            while (
                end + 1 < len(columns)
                and level < len(columns[end + 1].headers) - 1
                and level < len(columns[start].headers) - 1
                and columns[end + 1].headers[: level + 1] == prefix
            ):
                end += 1
            row = first_row + level
            if label is not None and level == len(columns[start].headers) - 1 and depth - 1 > level:
                merges.append(CellRange(min_col=start + 1, max_col=start + 1, min_row=row, max_row=first_row + depth - 1))
            elif end > start:
                merges.append(CellRange(min_col=start + 1, max_col=end + 1, min_row=row, max_row=row))
            start = end + 1
    return merges


class _Writer:
    """Appends rows to a write-only sheet, counting them, and collects the merged ranges to add at the end;
    rows of text that may wrap are given their height first (`printed`, core/xlsx_print.py)."""

    def __init__(self, sheet, printed):
        self.sheet, self.printed = sheet, printed
        self.width = len(printed.widths)
        self.half = max(1, self.width // 2)
        self.rows = self.body_end = 0
        self.merges = []

    def append(self, cells):
        self.sheet.append(cells)
        self.rows += 1

    def full_row(self, text, **style):
        row = self.rows + 1
        self.printed.fit([Text(text, self.printed.span(1, self.width), row, size=style.get("size") or 11)])
        self.merges.append(CellRange(min_col=1, max_col=self.width, min_row=row, max_row=row))
        self.append([_cell(self.sheet, text, **style)])

    def halves(self, left, right, **style):
        """A row of two texts, one over each half of the table's width (the motto, the signatures)."""
        row, size = self.rows + 1, style.get("size") or 11
        self.printed.fit([Text(left or "", self.printed.span(1, self.half), row, size=size),
                          Text(right or "", self.printed.span(self.half + 1, self.width), row, size=size)])
        self.append([_cell(self.sheet, left, **style)] + [None] * (self.half - 1) + [_cell(self.sheet, right, **style)])

    def merge_halves(self, rows):
        for row in rows:
            self.merges.append(CellRange(min_col=1, max_col=self.half, min_row=row, max_row=row))
            if self.width > self.half:
                self.merges.append(CellRange(min_col=self.half + 1, max_col=self.width, min_row=row, max_row=row))


def write_table(workbook, table):
    sheet = workbook.create_sheet(title=table.sheet_name[:31])
    columns = table.columns
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    printed = PrintedSheet(sheet, [column.width for column in columns])  # before the first row is written
    depth = max(len(c.headers) for c in columns)
    header_first = 7  # motto (2 rows), blank, title, year/unit, blank
    numbers_row = header_first + depth
    # Write-only sheets emit their view before the first row: freeze before appending anything.
    sheet.freeze_panes = f"B{numbers_row + 1}"
    writer = _Writer(sheet, printed)
    _write_title(writer, table)
    _write_headers(writer, columns, depth, header_first)
    printed.repeat(header_first, numbers_row)
    _write_body(writer, table)
    # The table's last rows (total included), its notes and the signatures print on one page.
    keep_from = max(numbers_row + 1, writer.body_end - KEEP_LAST_ROWS + 1)
    _write_signatures(writer)
    for merged in writer.merges:
        if merged.min_col != merged.max_col or merged.min_row != merged.max_row:
            sheet.merged_cells.add(merged)
    return printed.finish(writer.rows, keep_from=keep_from)


def _write_title(writer, table):
    """National motto (left: the reporting unit; right: the motto), as on every official table; the title."""
    writer.halves((table.parent_unit_name or "").upper(), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                  bold=True, align="center")
    writer.halves((table.issuer or table.unit_name).upper(), "Độc lập - Tự do - Hạnh phúc", bold=True, align="center")
    writer.merge_halves((1, 2))
    writer.append([])
    writer.full_row(table.title.upper(), bold=True, align="center", size=13)
    year_text = f"Năm {table.year}" if table.year else ""
    subtitle = f"{year_text} — Đơn vị báo cáo: {table.unit_name}".strip(" —")
    writer.full_row(f"{subtitle} — {table.provisional}" if table.provisional else subtitle, italic=True,
                    align="center", bold=bool(table.provisional))
    writer.append([])


def _heading_texts(printed, columns, depth, first_row, merges):
    """The headings' texts with the width and the rows each covers (a merged label counted once)."""
    spans = {(merged.min_row, merged.min_col): merged for merged in merges}
    covered = {(row, col) for merged in merges for row in range(merged.min_row, merged.max_row + 1)
               for col in range(merged.min_col, merged.max_col + 1)}
    texts = []
    for level in range(depth):
        row = first_row + level
        for col, column in enumerate(columns, start=1):
            merged = spans.get((row, col))
            if level >= len(column.headers) or (merged is None and (row, col) in covered):
                continue
            if merged is None:
                texts.append(Text(column.headers[level], column.width, row))
            else:
                texts.append(Text(column.headers[level], printed.span(merged.min_col, merged.max_col), row,
                                  rows=merged.max_row - merged.min_row + 1))
    return texts


def _write_headers(writer, columns, depth, header_first):
    sheet = writer.sheet
    merges = _header_merges(columns, depth, header_first)
    writer.printed.fit(_heading_texts(writer.printed, columns, depth, header_first, merges))
    for level in range(depth):
        writer.append([
            _cell(sheet, column.headers[level] if level < len(column.headers) else None, bold=True, align="center",
                  border=True, fill=HEADER_FILL)
            for column in columns
        ])
    writer.merges += merges
    writer.append([_cell(sheet, f"({i})", align="center", border=True, italic=True)
                   for i in range(1, writer.width + 1)])


def _write_body(writer, table):
    sheet, columns = writer.sheet, table.columns
    # Data cells carry their column's number format (10,00 not 10; 341.087.470 not 341087470) and nothing
    # else: one style array per column, copied onto each number, costs no more than a plain value (a
    # 150,000-row list wrote in the same 14.7 s either way), where a full styled cell cost 5-6 times more. Texts
    # stay plain (shrinking them to their column doubled the time of a 40,000-row list).
    keys = [(c.key, c.kind, _number_style(sheet, c.kind), c.none_text or None) for c in columns]
    for row in table.rows:
        writer.append([_data_cell(sheet, kind, style, row.get(key), none_text)
                       for key, kind, style, none_text in keys])
    if table.total is not None:
        writer.append([_total_cell(sheet, c, table.total.get(c.key)) for c in columns])
    writer.body_end = writer.rows
    writer.append([])
    for note in table.notes:  # over the table's width, wrapped: a note never runs past the printed page
        writer.full_row(note, italic=True, align="left")


def _write_signatures(writer):
    today = datetime.date.today()
    writer.append([None] * writer.half + [_cell(writer.sheet, f"…, ngày {today.day} tháng {today.month} năm "
                                                              f"{today.year}", italic=True, align="center")])
    sign_row = writer.rows + 1
    writer.halves("NGƯỜI LẬP BIỂU", "THỦ TRƯỞNG ĐƠN VỊ", bold=True, align="center")
    writer.halves("(Ký, ghi rõ họ tên)", "(Ký, ghi rõ họ tên, đóng dấu)", italic=True, align="center")
    writer.merge_halves((sign_row - 1, sign_row, sign_row + 1))
    for _ in range(SIGNING_ROWS):
        writer.append([])


def workbook_bytes(tables):
    """One workbook with a sheet per table, as bytes (tables may stream their rows)."""
    workbook = Workbook(write_only=True)
    for table in tables:
        write_table(workbook, table)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def tables_response(tables, filename):
    """The download of one workbook holding these tables (pages and API alike)."""
    return xlsx_response(workbook_bytes(tables), filename)
