"""The village posting lists as Excel: one sheet per village, in the layout of the printed list.

The rows are review.printouts.posting_lists' (the page prints the same ones): the People's Committee of the
commune as it was named that year, the national motto, the title with its stage ("DỰ KIẾN" before
recognition, "ĐƯỢC CÔNG NHẬN" after), the recognition decision, the posting dates (dotted blanks when not
recorded), the table with a row of column numbers, every data cell in its column's number format, and the
signature block of the village head and the commune chairman. A4 portrait, one page wide, the table head
repeated on each printed page, the last rows kept with the signatures (core/xlsx_print.py). Not an official
form (no annex of Circular 07/2021 or Decision 24/2021 prescribes it).
"""
import io

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from core.xlsx import xlsx_response
from core.xlsx_print import KEEP_LAST_ROWS, PrintedSheet, Text
from reports.excel import HEADER_FILL, NUMBER_FORMATS, SIGNING_ROWS, safe_text, style_cell
from review.printouts import PostingListError, posting_lists, stage_of

# (key, header, number kind, width)
COLUMNS = [
    ("stt", "STT", "int", 5),
    ("code", "Mã hộ", "text", 14),
    ("head", "Họ tên chủ hộ", "text", 24),
    ("ethnic_group", "Dân tộc", "text", 10),
    ("classification", "Phân loại", "text", 14),
    ("movement", "Biến động", "text", 22),
    ("deprivation_count", "Số chỉ số thiếu hụt", "int", 9),
    ("deprivations", "Chỉ số thiếu hụt", "text", 16),
]
WIDTH = len(COLUMNS)
HALF = 3  # the issuing body over columns A–C, the motto over D–H
MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
DOTS = "……/……/………"
INVALID_SHEET_CHARS = str.maketrans({c: " " for c in "[]:*?/\\"})


def _date(day):
    return day.strftime("%d/%m/%Y") if day else DOTS


def posting_dates_text(village):
    return f"Niêm yết từ ngày {_date(village.posted_from)} đến ngày {_date(village.posted_to)}"


def _sheet_title(label, used):
    base = label.translate(INVALID_SHEET_CHARS).strip()[:31] or "Thôn"
    title, n = base, 2
    while title.lower() in used:
        suffix = f" ({n})"
        title, n = base[:31 - len(suffix)] + suffix, n + 1
    used.add(title.lower())
    return title


class _Writer:
    def __init__(self, sheet, printed):
        self.sheet, self.printed = sheet, printed
        self.row = self.body_end = 0

    def put(self, column, value, *, bold=False, italic=False, size=11, align=None, border=False, fill=None,
            number_format=None):
        return style_cell(self.sheet.cell(row=self.row, column=column, value=value), bold=bold, italic=italic,
                          size=None if size == 11 else size, align=align, border=border, fill=fill,
                          number_format=number_format)

    def line(self, text="", *, first=1, last=WIDTH, **style):
        """A new row, or the same row when `first` > 1 (the right half of a two-part line)."""
        if first == 1:
            self.row += 1
        if text:
            self.printed.fit([Text(text, self.printed.span(first, last), self.row, size=style.get("size", 11))])
            self.put(first, text, **style)
            if last > first:
                self.sheet.merge_cells(start_row=self.row, start_column=first, end_row=self.row, end_column=last)

    def halves(self, left, right, *, right_style=None, **style):
        self.line(left, last=HALF, align="center", **style)
        self.line(right, first=HALF + 1, align="center", **(style if right_style is None else right_style))

    def table(self, rows):
        first_header = self.row + 1
        self.row += 1
        self.printed.fit([Text(header, width, self.row) for _, header, _, width in COLUMNS])
        for index, (_, header, _, _) in enumerate(COLUMNS, start=1):
            self.put(index, header, bold=True, align="center", border=True, fill=HEADER_FILL)
        self.row += 1
        for index in range(1, WIDTH + 1):
            self.put(index, f"({index})", italic=True, align="center", border=True)
        for row in rows:
            self.row += 1
            for index, (key, _, kind, _) in enumerate(COLUMNS, start=1):
                value = row.get(key)
                value = int(value) if kind == "int" and value is not None else safe_text(value)
                self.put(index, value, border=True, number_format=NUMBER_FORMATS[kind],
                         align="right" if kind == "int" else None)
        self.body_end = self.row
        return first_header


def write_village(workbook, lists, village, used_titles):
    sheet = workbook.create_sheet(title=_sheet_title(village.label, used_titles))
    for index, (_, _, _, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    w = _Writer(sheet, PrintedSheet(sheet, [width for *_, width in COLUMNS], orientation="portrait"))
    w.halves("ỦY BAN NHÂN DÂN", MOTTO[0], bold=True)
    w.halves(lists.issuer_committee, MOTTO[1], bold=True)
    w.line(lists.stage_mark if lists.preliminary else "", bold=True, align="center", size=12)
    w.line(lists.title, bold=True, align="center", size=13)
    w.line(f"{village.label} — {lists.issuer_label}", bold=True, align="center")
    w.line(f"({lists.decision})" if lists.decision else "", italic=True, align="center")
    w.line(posting_dates_text(village), italic=True, align="center")
    w.line()
    header_row = w.table(village.rows)
    w.printed.repeat(header_row, header_row + 1)
    sheet.freeze_panes = f"A{header_row + 2}"
    if not village.rows:
        w.line("Thôn không có hộ nghèo, hộ cận nghèo.", italic=True)
    if village.left:
        w.line()
        w.line(f"HỘ THOÁT NGHÈO, THOÁT CẬN NGHÈO NĂM {lists.year}", bold=True, align="center")
        w.table(village.left)
    w.line()
    total = f"Tổng số: {len(village.rows)} hộ nghèo, hộ cận nghèo"
    if village.left:
        total += f"; {len(village.left)} hộ thoát nghèo, thoát cận nghèo"
    w.line(total + ".", italic=True)
    w.line()
    w.halves("", "……, ngày …… tháng …… năm ……", italic=True)
    w.halves(village.committee_village, "TM. ỦY BAN NHÂN DÂN", bold=True)
    w.halves("(Ký, ghi rõ họ tên)", "CHỦ TỊCH", italic=True, right_style={"bold": True})
    w.halves("", "(Ký, ghi rõ họ tên, đóng dấu)", italic=True)
    w.row += SIGNING_ROWS
    # The last rows of the last table, the total and the signatures print on one page.
    return w.printed.finish(w.row, keep_from=max(header_row + 2, w.body_end - KEEP_LAST_ROWS + 1))


def posting_workbook(lists):
    """The workbook of these posting lists (review.printouts.PostingLists), as bytes."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    used = set()
    for village in lists.villages:
        write_village(workbook, lists, village, used)
    if not lists.villages:
        sheet = workbook.create_sheet("Danh sách")
        sheet["A1"] = f"{lists.issuer_label} không có thôn nào trong năm {lists.year}."
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@login_required
def posting_list_xlsx(request, commune, year):
    """/reports/posting/<commune>/<year>/?village=<code>&stage=preliminary|recognised: the Excel file of the
    posting lists the page /review/<commune>/<year>/posting/ prints."""
    village = (request.GET.get("village") or "").strip()[:20] or None
    stage = stage_of(request)
    try:
        lists = posting_lists(user=request.user, commune_code=commune, year=year, stage=stage, village_code=village)
    except PostingListError as error:
        return render(request, "review/posting_list.html", {"error": str(error), "year": year,
                                                            "commune_code": commune}, status=400)
    name = f"danh-sach-niem-yet-{slugify(stage)}-{slugify(commune)}-{year}"
    if village:
        name += f"-{slugify(village)}"
    return xlsx_response(posting_workbook(lists), name)
