"""How a sheet is set up to print (core/xlsx_print.py): what the saved workbook says. That LibreOffice prints it
so is tests/reports/test_excel_print.py."""
import io

from openpyxl import Workbook, load_workbook

from core.xlsx_print import DEFAULT_HEIGHT, PrintedSheet, Text, line_count, orientation_for, text_height


def saved(workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    return load_workbook(io.BytesIO(buffer.getvalue()))


def test_a_write_only_sheet_keeps_its_fit_to_one_page_wide():
    """Regression: the fit was set after the rows, when a write-only sheet had already written its properties
    with its first row: the workbook printed several pages wide."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Bảng")
    printed = PrintedSheet(sheet, [28] + [9] * 26)
    for number in range(60):
        sheet.append([f"Xã {number}"] + [number] * 26)
    printed.repeat(1, 1)
    printed.finish(60)
    sheet = saved(workbook)["Bảng"]
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    setup = sheet.page_setup
    assert (setup.fitToWidth, setup.fitToHeight, setup.paperSize, setup.orientation) == (1, 0, 9, "landscape")
    assert sheet.print_title_rows == "$1:$1" and sheet.print_area == "'Bảng'!$A$1:$AA$60"
    assert sheet.oddFooter.center.text == "&A — trang &P"


def test_a_narrow_table_prints_in_portrait_a_wide_one_in_landscape():
    assert orientation_for([5, 14, 24, 10, 14, 22, 9, 16]) == "portrait"  # the posting list: 87 %
    assert orientation_for([28] + [9] * 26) == "landscape"


def test_words_wrap_by_width_and_a_word_longer_than_the_cell_breaks():
    heading = "Có thành viên thuộc đối tượng bảo trợ xã hội"
    assert line_count(heading, 60) == 1
    # LibreOffice draws it on 4 lines at this width; measured with a little to spare, never fewer
    assert line_count(heading, 12) in (4, 5)
    assert line_count("Tổng số hộ", 9) == 2
    assert line_count("(đồng/người/tháng)", 9) == 3  # no space to wrap at: broken inside the word
    assert line_count("Dòng một\nDòng hai", 40) == 2


def test_a_heading_row_is_as_tall_as_its_longest_heading_and_a_merged_heading_adds_to_its_last_row():
    workbook = Workbook()
    sheet = workbook.active
    printed = PrintedSheet(sheet, [28, 12, 12])
    printed.fit([Text("Đơn vị", 28, 1, rows=2), Text("Hộ nghèo", 24, 1),
                 Text("Có thành viên thuộc đối tượng bảo trợ xã hội", 12, 2), Text("Cuối kỳ", 12, 2)])
    assert sheet.row_dimensions[1].height is None  # one line: the default height
    assert sheet.row_dimensions[2].height == text_height("Có thành viên thuộc đối tượng bảo trợ xã hội", 12)
    printed.fit([Text("Một tiêu đề rất dài được gộp qua hai dòng của bảng để xem", 12, 3, rows=2)])
    lines = line_count("Một tiêu đề rất dài được gộp qua hai dòng của bảng để xem", 12)
    assert sheet.row_dimensions[3].height is None
    assert sheet.row_dimensions[4].height >= lines * DEFAULT_HEIGHT - DEFAULT_HEIGHT
    printed.fit([Text("Ngắn", 12, 2)])  # a shorter text never makes a row shorter
    assert sheet.row_dimensions[2].height == text_height("Có thành viên thuộc đối tượng bảo trợ xã hội", 12)


def test_the_table_s_last_rows_and_its_signatures_begin_a_page_together_when_they_would_be_split():
    sheet = Workbook().active
    printed = PrintedSheet(sheet, [40, 10, 10])  # portrait at 100 %
    printed.repeat(1, 2)
    per_page = printed.page_breaks(500)[0] - 1  # rows on the first page
    last_data_row = per_page - 2  # the table ends two rows before the page does; signatures follow
    breaks = printed.page_breaks(last_data_row + 10, keep_from=last_data_row - 2)
    assert breaks == [last_data_row - 2]
    assert printed.page_breaks(per_page - 10, keep_from=per_page - 20) == []  # it fits: no break
    printed.finish(last_data_row + 10, keep_from=last_data_row - 2)
    assert [brk.id for brk in sheet.row_breaks.brk] == [last_data_row - 3]  # a break is below its row
