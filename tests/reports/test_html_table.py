"""The report page's table, built in Python (reports.html_table): Vietnamese numbers shown, raw values to sort
by, text escaped."""
from decimal import Decimal

from reports.excel import Column
from reports.html_table import table_body, table_total

COLUMNS = [Column("area_name", ("Đơn vị",), "text"), Column("households", ("Số hộ",)),
           Column("poor_rate", ("Tỷ lệ",), "rate"), Column("poor_start", ("Đầu kỳ",), none_text="—")]


def test_cells_show_vietnamese_numbers_sort_by_raw_values_and_escape_text():
    body = table_body(COLUMNS, [{"area_name": "<b>Xã</b> & thôn", "households": 13698,
                                 "poor_rate": Decimal("34.49"), "poor_start": None}])
    assert body == ('<tr><td>&lt;b&gt;Xã&lt;/b&gt; &amp; thôn</td><td class="num" data-value="13698">13.698</td>'
                    '<td class="num" data-value="34.49">34,49 %</td><td class="num" data-value="">—</td></tr>')


def test_the_total_row_has_no_sort_values_and_a_missing_rate_is_a_dash():
    total = table_total(COLUMNS, {"area_name": "Tổng cộng", "households": 0, "poor_rate": None, "poor_start": 5})
    assert total == ('<tr class="total"><td>Tổng cộng</td><td class="num">0</td><td class="num">–</td>'
                     '<td class="num">5</td></tr>')
    assert table_total(COLUMNS, None) == ""
