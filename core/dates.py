"""Dates read as Vietnamese write them: day first (dd/mm/yyyy) or ISO (yyyy-mm-dd), never month first.

The formats are Django's localisation, in one place (poverty_tracker/formats/vi/formats.py): admin forms,
filters and pages read them there; code that reads a date from text (a URL parameter, a posted field outside a
form) reads it through `read_day`, so it takes exactly what a form takes.
"""
import datetime

from django import forms
from django.utils import formats


def read_day(value) -> datetime.date | None:
    """A date from a date, a datetime, or text in one of the input formats; None when empty; ValueError when
    the text is not a date in any of them ("11/20/2026" is not: there is no month 20)."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    for pattern in formats.get_format("DATE_INPUT_FORMATS"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"not a date: {text[:40]!r}")


class DayInput(forms.DateInput):
    """The browser's own date picker (type=date): its value is ISO whatever the input formats say; the browser
    shows it in its language's order."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")
