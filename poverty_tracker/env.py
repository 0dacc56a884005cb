"""Reading the environment for the settings: flags, lists, and the review calendar's days, each refused by name
when it cannot be read (docs/configuration.md)."""
import datetime
import os

from django.core.exceptions import ImproperlyConfigured


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def review_day_setting(name, default):
    """The setting `name` ("MM-DD", a day every year has), from the environment or `default`; a bad value
    stops the start with ImproperlyConfigured naming it."""
    value = os.environ.get(name, default).strip()
    parts = value.split("-")
    try:
        month, day = (int(part) for part in parts) if len(parts) == 2 and all(p.isdigit() for p in parts) else (0, 0)
        datetime.date(2023, month, day)  # a year without 29 February: the day must exist every year
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r}: expected MM-DD, a day of every year (e.g. 11-15).") from None
    return f"{month:02d}-{day:02d}"


def check_review_calendar(opens, closes, preliminary, official):
    """The days in the order the review runs ("MM-DD" strings compare as dates), else ImproperlyConfigured."""
    if not opens < closes:
        raise ImproperlyConfigured(f"REVIEW_WINDOW_OPENS ({opens}) must come before REVIEW_WINDOW_CLOSES ({closes}).")
    if not opens < preliminary <= official:
        raise ImproperlyConfigured(
            f"Expected REVIEW_WINDOW_OPENS ({opens}) < REVIEW_PRELIMINARY_DEADLINE ({preliminary}) <= "
            f"REVIEW_OFFICIAL_DEADLINE ({official}).")
