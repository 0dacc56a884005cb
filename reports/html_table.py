"""A report's table as the page shows it, built in Python: the province's tables are a hundred rows of thirty
columns, and the template language spent about 2 ms per hundred cells on them — most of the report page's time
(issue 27, profiled at 600,000 households: 86 ms a page, 4.9 of 5.5 s of 20 pages in template nodes; built with
`format_html` per cell, 41 ms; with plain strings, below).

Each number cell carries its raw value for sorting (static/js/tables.js): `data-value="34.49"`, never the
displayed "34,49 %" (parseFloat would read 34). Numbers are digits and separators, safe as they are; text cells
and the column's "none" text are escaped."""
from decimal import Decimal

from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from core.formatting import vn_number, vn_percent


def _cell(column, value, sortable):
    if column.kind == "text":
        return f"<td>{conditional_escape('' if value is None else value)}</td>"
    if value is None and column.none_text:
        text = conditional_escape(column.none_text)
    elif column.kind == "rate":
        text = vn_percent(value)
    else:
        text = vn_number(value)
    if not sortable:
        return f'<td class="num">{text}</td>'
    return f'<td class="num" data-value="{_raw(value)}">{text}</td>'


def _raw(value):
    """The value to sort by: a number as Python writes it (safe as it is), anything else escaped."""
    if value is None:
        return ""
    return value if isinstance(value, (int, float, Decimal)) else conditional_escape(str(value))


def _row(columns, row, sortable):
    return "".join(_cell(column, row.get(column.key), sortable) for column in columns)


def table_body(columns, rows):
    """The <tbody>'s rows: one <tr> per row, a cell per column (numbers in Vietnamese, sortable by value)."""
    return mark_safe("\n".join(f"<tr>{_row(columns, row, True)}</tr>" for row in rows))  # noqa: S308 (escaped above)


def table_total(columns, total):
    """The total row (a <tfoot>'s), or "" without one."""
    return mark_safe(f'<tr class="total">{_row(columns, total, False)}</tr>') if total else ""  # noqa: S308
