"""core.dates: the one reading of a date outside a form, with the format module's input formats."""
import datetime

import pytest

from core.dates import DayInput, read_day

NOV_10 = datetime.date(2026, 11, 10)


@pytest.mark.parametrize("typed", ["10/11/2026", " 10/11/2026 ", "10-11-2026", "2026-11-10", NOV_10,
                                   datetime.datetime(2026, 11, 10, 7, 0)])
def test_a_day_is_read_day_first_or_iso(typed):
    assert read_day(typed) == NOV_10


@pytest.mark.parametrize("typed", ["11/20/2026", "2026/11/10", "10 tháng 11", "31/02/2026", "Nov 10 2026"])
def test_month_first_or_other_text_is_not_a_day(typed):
    with pytest.raises(ValueError):
        read_day(typed)


def test_nothing_is_no_day():
    assert read_day("") is None and read_day(None) is None


def test_the_browsers_date_picker_gets_iso_whatever_the_input_formats():
    html = DayInput().render("on", NOV_10)
    assert 'type="date"' in html and 'value="2026-11-10"' in html


def test_the_rounds_and_reports_read_dates_the_same_way():
    from reports.in_year import parse_as_of
    from review.rounds import parse_decision_date

    assert parse_decision_date("10/11/2026") == parse_as_of("10/11/2026") == NOV_10
