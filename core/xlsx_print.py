"""How every workbook of the project prints: one page wide on A4, headings tall enough to read, the table's
end kept with its signatures (docs/outputs.md#printing).

A spreadsheet application sizes nothing by itself: Excel keeps the height a row is given (15 pt, one line, when
none) and LibreOffice does not grow a row under a merged cell, so a wrapped heading shows its middle lines
only. Every row whose text may wrap is therefore given a height here, from the length of its text and the
width of its cells, measured with Calibri's widths (the workbooks' font; Carlito on Linux has the same).

The pages: the sheet is scaled to the paper's width (fitToWidth=1, fitToHeight=0: as many pages down as its
rows need), A4 landscape unless the table reads at 85 % or more in portrait, the table's headings repeated at
the top of every page, a page number in the footer, the print area ending with the signatures. Neither Excel
nor LibreOffice can keep rows together, so the pages are broken here, by manual breaks where the rows fill a
page (counted with the heights above, at the scale the width gives, with 3 % to spare): the last rows of the
table, its notes and the signatures are moved together onto the last page when they would be split.
"""
import math
import unicodedata
from dataclasses import dataclass

from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties

FONT = "Calibri"  # every cell's, named on each styled cell: a font without a name prints in a serif elsewhere
POINTS_PER_INCH = 72
A4 = {"portrait": (595.28, 841.89), "landscape": (841.89, 595.28)}  # width, height in points
PAPER_SIZE_A4 = 9
# Margins in millimetres: room to bind on the left, the page number in the footer.
MARGINS_MM = {"left": 15, "right": 10, "top": 15, "bottom": 15, "header": 6, "footer": 6}
FOOTER = "&A — trang &P"  # the sheet's name and its page, each sheet numbered from 1 (&N would count the workbook's)
# A column of width 1 holds one digit of Calibri 11 with its share of padding: 7 px, 5.25 pt.
POINTS_PER_WIDTH = 5.25
DEFAULT_HEIGHT = 15.0  # one line of Calibri 11
PORTRAIT_AT_LEAST = 0.85  # narrower tables print in portrait where they read at 85 % or more
SPARE = 0.97  # of a page's height, for what the applications round differently
MAX_MANUAL_BREAKS = 1000  # Excel keeps at most 1026 manual page breaks per sheet
KEEP_LAST_ROWS = 3  # data rows kept on the page of the signatures

# Glyph widths of Calibri bold (Carlito's, the same), in widths of a digit, by class; a letter's accents do not
# widen it (ơ, ư and đ are letters of their own); letters not named are about one digit (1.04).
_CLASSES = {0.5: " 'ilj,.I:;", 0.68: "`-()f[]!J{}tr", 0.9: "zscL/\\\"Fx?Svyg|Zk", 1.15: "KXBRVAđ", 1.32: "DHGUNOQ&Đơư",
            1.5: "%wƠƯ", 1.75: "mM@W"}
_GLYPH = {char: width for width, chars in _CLASSES.items() for char in chars}
MEASURE_SPARE = 1.02  # for Excel's and LibreOffice's own rounding


def font(*, bold=False, italic=False, size=11, color=None):
    """The font of a styled cell: the workbooks' font, named (LibreOffice prints a nameless one in DejaVu Serif,
    wider than the widths measured here)."""
    return Font(name=FONT, bold=bold, italic=italic, size=size, color=color)


def _glyph(char):
    if char in _GLYPH:
        return _GLYPH[char]
    letter = unicodedata.normalize("NFD", char)
    if "\u031b" in letter:  # ơ, ư with a tone mark: ờ, ữ ...
        letter = unicodedata.normalize("NFC", letter[0] + "\u031b")
    return _GLYPH.get(letter[0], 1.04)


def text_width(text):
    """The width of a text in digits of Calibri 11 (bold, to be safe for every weight)."""
    return sum(_glyph(char) for char in text) * MEASURE_SPARE


def line_count(text, width):
    """The lines a text wraps to in a cell `width` wide (Excel's unit): by words, a word too long broken."""
    room = max(width - 0.7, 1.0)  # less the cell's padding (5 px of the column's 7 px per unit)
    lines = 0
    for paragraph in str(text or "").split("\n"):
        lines += 1
        used = 0.0
        for word in paragraph.split():
            size = text_width(word)
            if used and used + _glyph(" ") + size <= room:
                used += _glyph(" ") + size
                continue
            if used:
                lines += 1
            lines += max(0, math.ceil(size / room) - 1)
            used = size - room * (math.ceil(size / room) - 1)
    return lines


def text_height(text, width, size=11):
    """The height in points a wrapped text needs in a cell `width` wide, in a font of `size` points."""
    line = DEFAULT_HEIGHT * size / 11
    return round(line_count(text, width * 11 / size) * line, 1)


@dataclass(frozen=True)
class Text:
    """A text on the sheet: its row, the rows it spans (merged down), its width and its font's size."""
    text: str
    width: float
    row: int
    rows: int = 1
    size: int = 11


def orientation_for(widths):
    """Portrait where the table reads at PORTRAIT_AT_LEAST or more in it, else landscape."""
    return "portrait" if scale_for(widths, "portrait") >= PORTRAIT_AT_LEAST else "landscape"


def _printable(orientation):
    width, height = A4[orientation]
    inch = POINTS_PER_INCH / 25.4
    return (width - (MARGINS_MM["left"] + MARGINS_MM["right"]) * inch,
            height - (MARGINS_MM["top"] + MARGINS_MM["bottom"]) * inch)


def scale_for(widths, orientation):
    """The scale a table of these column widths prints at to fit the page's width (whole per cent, at most 1)."""
    table = sum(widths) * POINTS_PER_WIDTH
    return min(1.0, math.floor(100 * _printable(orientation)[0] / table) / 100) if table else 1.0


class PrintedSheet:
    """How one sheet prints. Made before the sheet's first row is written (a write-only sheet writes its
    properties with its first row); told the heights of the rows as they come (`fit`); `finish`ed with the
    last row: print area and page breaks."""

    def __init__(self, sheet, widths, *, orientation=None):
        self.sheet, self.widths = sheet, list(widths)
        self.orientation = orientation or orientation_for(self.widths)
        self.scale = scale_for(self.widths, self.orientation)
        self.heights = {}
        self.repeated = None
        setup = sheet.page_setup
        setup.orientation, setup.paperSize = self.orientation, PAPER_SIZE_A4
        setup.fitToWidth, setup.fitToHeight = 1, 0
        setup.firstPageNumber, setup.useFirstPageNumber = 1, True
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        sheet.print_options.horizontalCentered = True
        for side, millimetres in MARGINS_MM.items():
            setattr(sheet.page_margins, side, round(millimetres / 25.4, 3))
        sheet.oddFooter.center.text = FOOTER
        sheet.oddFooter.center.size = 9

    def span(self, first, last):
        """The width of columns first..last (1-based, inclusive)."""
        return sum(self.widths[first - 1:last])

    def height(self, row, points):
        """Give a row its height (before it is written, on a write-only sheet)."""
        self.heights[row] = points
        self.sheet.row_dimensions[row].height = points

    def fit(self, texts):
        """Make the rows of these texts tall enough for them, wrapped: a row holds its tallest text; a text
        merged down over rows has what its rows lack added to its last row. A row is never made shorter (than
        it was, or than one line)."""
        needed = {}

        def current(row):
            return needed.get(row, self.heights.get(row, DEFAULT_HEIGHT))

        for text in texts:
            if text.rows == 1:
                needed[text.row] = max(current(text.row), text_height(text.text, text.width, text.size))
        for text in texts:
            if text.rows > 1:
                rows = range(text.row, text.row + text.rows)
                lack = text_height(text.text, text.width, text.size) - sum(current(row) for row in rows)
                if lack > 0:
                    needed[rows[-1]] = current(rows[-1]) + lack
        for row, points in needed.items():
            if points > self.heights.get(row, DEFAULT_HEIGHT):
                self.height(row, points)

    def repeat(self, first, last):
        """These rows (the table's headings) are printed at the top of every page."""
        self.repeated = (first, last)
        self.sheet.print_title_rows = f"{first}:{last}"

    def finish(self, last_row, *, keep_from=None):
        """The print area (the table's columns, rows 1..last_row) and the page breaks; rows keep_from..last_row
        (the table's last rows, its notes, the signatures) are kept on one page."""
        self.sheet.print_area = f"A1:{get_column_letter(len(self.widths))}{last_row}"
        breaks = self.page_breaks(last_row, keep_from)
        for row in breaks[-MAX_MANUAL_BREAKS:]:
            self.sheet.row_breaks.append(Break(id=row - 1))  # a break above `row`
        return self.sheet

    def page_breaks(self, last_row, keep_from=None):
        """The rows that begin a new page, pages filled with the rows' heights at the printing scale."""
        room = _printable(self.orientation)[1] / self.scale * SPARE
        first, last = self.repeated or (0, -1)
        heading = sum(self.heights.get(row, DEFAULT_HEIGHT) for row in range(first, last + 1))
        breaks, used, row, page_start = [], 0.0, 1, 1
        while row <= last_row:
            height = self.heights.get(row, DEFAULT_HEIGHT)
            if row == page_start or used + height <= room:
                used += height
                row += 1
                continue
            if keep_from and page_start < keep_from < row:
                row = keep_from  # the kept rows begin the next page together
            breaks.append(row)
            page_start = row
            used = heading if row > last else 0.0
        return breaks


def list_sheet(sheet, title, headers, widths):
    """A plain list on `sheet` (a normal, not write-only, workbook): its title in row 1, its headings in row 2
    (bold, wrapped, tall enough, repeated on every page), the columns' widths and the pages. The caller appends
    the rows, then `finish`es with the last row."""
    printed = PrintedSheet(sheet, widths)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append([title])
    sheet["A1"].font = font(bold=True)
    sheet.append(list(headers))
    for cell in sheet[2]:
        cell.font = font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    printed.fit([Text(header, width, 2) for header, width in zip(headers, widths, strict=True)])
    printed.repeat(2, 2)
    return printed
