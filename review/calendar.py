"""The review calendar: when a year's annual review opens and closes, its report deadlines, and the level above
the commune for it — read from ONE source, the settings REVIEW_WINDOW_OPENS, REVIEW_WINDOW_CLOSES,
REVIEW_PRELIMINARY_DEADLINE and REVIEW_OFFICIAL_DEADLINE ("MM-DD" days of the review year; defaults: Decision
24/2021/QĐ-TTg, the periodic review 1 September – 14 December, reports before 15 November and 20 December).

The settings module refuses a malformed value from the environment at start-up; `check_calendar` (a Django
system check, registered by review.apps) refuses at start-up a value set any other way, the days out of order,
or a 2025 window spanning the abolition of the districts. Nothing here falls back silently: a bad value read
later raises ImproperlyConfigured naming the setting.
"""
import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from areas.models import Level

# The 2025 reform: from 1 July 2025 there are no districts, and communes report to the province.
DISTRICTS_ABOLISHED_ON = datetime.date(2025, 7, 1)
LEVEL_ABOVE_NAMES = {Level.DISTRICT: "huyện", Level.PROVINCE: "tỉnh"}
CALENDAR_SETTINGS = ("REVIEW_WINDOW_OPENS", "REVIEW_WINDOW_CLOSES", "REVIEW_PRELIMINARY_DEADLINE",
                     "REVIEW_OFFICIAL_DEADLINE")
DEFAULTS = {"REVIEW_WINDOW_OPENS": "09-01", "REVIEW_WINDOW_CLOSES": "12-14",
            "REVIEW_PRELIMINARY_DEADLINE": "11-15", "REVIEW_OFFICIAL_DEADLINE": "12-20"}


def month_day(name: str) -> tuple[int, int]:
    """(month, day) of the calendar setting `name`; ImproperlyConfigured naming it when it is not "MM-DD", a
    day every year has."""
    value = str(getattr(settings, name, DEFAULTS[name])).strip()
    parts = value.split("-")
    try:
        if len(parts) != 2 or not all(part.isdigit() for part in parts):
            raise ValueError
        month, day = int(parts[0]), int(parts[1])
        datetime.date(2023, month, day)  # a year without 29 February: the day must exist every year
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r}: expected MM-DD, a day of every year (e.g. 11-15).") from None
    return month, day


def _day(name, year):
    return datetime.date(int(year), *month_day(name))


def review_window() -> tuple[tuple[int, int], tuple[int, int]]:
    """((month, day) the annual review opens, (month, day) it closes)."""
    return month_day("REVIEW_WINDOW_OPENS"), month_day("REVIEW_WINDOW_CLOSES")


def review_opens(year: int) -> datetime.date:
    """The day the annual review of `year` opens (1 September by default)."""
    return _day("REVIEW_WINDOW_OPENS", year)


def review_closes(year: int) -> datetime.date:
    """The last day of the annual review of `year` (14 December by default)."""
    return _day("REVIEW_WINDOW_CLOSES", year)


def preliminary_deadline(year: int) -> datetime.date:
    """The preliminary result is reported BEFORE this day (late on the day itself)."""
    return _day("REVIEW_PRELIMINARY_DEADLINE", year)


def official_deadline(year: int) -> datetime.date:
    """The official result is reported BEFORE this day (late on the day itself)."""
    return _day("REVIEW_OFFICIAL_DEADLINE", year)


DECISION_24_BASIS = "theo Quyết định 24/2021/QĐ-TTg — hạn tỉnh báo cáo Bộ"


@dataclass(frozen=True)
class CommuneCalendar:
    """The dates a commune works to in a review year: its province's plan (a ReviewCalendar row), or Decision
    24's dates from the settings when the province has recorded none (`province_plan` False, no meeting date)."""

    survey_starts: datetime.date
    meetings_by: datetime.date | None
    preliminary_by: datetime.date
    official_by: datetime.date
    window_closes: datetime.date
    basis: str
    province_name: str = ""
    province_plan: bool = False

    def window_state(self, today: datetime.date) -> str:
        """Where `today` stands in the review window at the commune, the one wording of the progress board's card
        and the worksheet's line: "chưa mở", "đang diễn ra, còn 9 ngày" (to the window's last day), "đã kết thúc"."""
        if today < self.survey_starts:
            return "chưa mở"
        if today > self.window_closes:
            return "đã kết thúc"
        left = (self.window_closes - today).days
        return f"đang diễn ra, còn {left} ngày" if left else "đang diễn ra, hôm nay là ngày cuối"

    def window_notice(self, year: int, today: datetime.date) -> str:
        """The commune worksheet's line on its window: "Kỳ rà soát kết thúc ngày 14/12/2026 (còn 9 ngày)", with
        whose calendar it is (the province's plan, else Decision 24's dates)."""
        closes = f"{self.window_closes:%d/%m/%Y}"
        state = self.window_state(today)
        if state == "chưa mở":
            text = f"Kỳ rà soát năm {year} bắt đầu ngày {self.survey_starts:%d/%m/%Y}, kết thúc ngày {closes}"
        elif state == "đã kết thúc":
            text = f"Kỳ rà soát năm {year} đã kết thúc ngày {closes}"
        else:
            text = f"Kỳ rà soát kết thúc ngày {closes} ({state.removeprefix('đang diễn ra, ')})"
        whose = (f"lịch rà soát của {self.province_name}" if self.province_plan
                 else "theo Quyết định 24/2021/QĐ-TTg (tỉnh chưa ghi lịch rà soát riêng)")
        return f"{text} — {whose}."


def decision_24_calendar(year: int) -> CommuneCalendar:
    """Decision 24's dates (the settings): what a commune works to when its province has recorded no plan."""
    return CommuneCalendar(review_opens(year), None, preliminary_deadline(year), official_deadline(year),
                           review_closes(year), DECISION_24_BASIS)


# Decision 24/2021/QĐ-TTg Art. 4: the results are posted publicly for some working days, and the level above is
# asked its opinion. Neither number was read in the primary text (docs/rules.md): settings, defaults below.
POSTING_DAYS_SETTING, ANSWER_DAYS_SETTING = "REVIEW_POSTING_WORKING_DAYS", "REVIEW_LEVEL_ABOVE_ANSWER_DAYS"
# Art. 5: a regular review's decision (or written refusal) within 15 days of the request — calendar days, as
# "15 ngày" reads without "làm việc"; a setting like the others.
REGULAR_DAYS_SETTING = "REGULAR_REVIEW_DECISION_DAYS"
DAY_COUNT_DEFAULTS = {POSTING_DAYS_SETTING: 3, ANSWER_DAYS_SETTING: 3, REGULAR_DAYS_SETTING: 15}


def day_count(name: str) -> int:
    """A number of working days from the settings (REVIEW_POSTING_WORKING_DAYS: how long the results stay
    posted; REVIEW_LEVEL_ABOVE_ANSWER_DAYS: how long the commune waits for the level above's opinion before
    its chairman may recognise; REGULAR_REVIEW_DECISION_DAYS: calendar days from a regular review's request to its
    decision); ImproperlyConfigured naming the setting unless a whole number 1–60."""
    value = getattr(settings, name, DAY_COUNT_DEFAULTS[name])
    if isinstance(value, bool) or not str(value).strip().isdigit() or not 1 <= int(str(value).strip()) <= 60:
        raise ImproperlyConfigured(f"{name}={value!r}: expected a whole number of days, 1 to 60.")
    return int(str(value).strip())


def working_days(first: datetime.date, last: datetime.date) -> int:
    """Working days (Monday to Friday) from `first` to `last`, both included; 0 when `last` is before
    `first`. Public holidays are not known to the product: an officer counts them in the dates recorded."""
    if last < first:
        return 0
    weeks, extra = divmod((last - first).days + 1, 7)
    return weeks * 5 + sum((first + datetime.timedelta(days=i)).weekday() < 5 for i in range(extra))


def add_working_days(day: datetime.date, count: int) -> datetime.date:
    """The `count`-th working day after `day` (Monday to Friday)."""
    while count > 0:
        day += datetime.timedelta(days=1)
        count -= day.weekday() < 5
    return day


def level_above(year: int) -> str:
    """The level above the commune for the review of `year`: the level its results are reported to, that
    may return the round or reopen it once recognised. Level.DISTRICT or Level.PROVINCE.

    The one rule: the level that exists on the day the year's review opens. Every report of a year's review
    falls between that day and the end of the year, and 1 July 2025 falls in no such span (check_calendar
    refuses a window that would hold it), so any day of the span gives the same answer: review years up to
    2024 report to the district, review years from 2025 to the province."""
    return Level.DISTRICT if review_opens(year) < DISTRICTS_ABOLISHED_ON else Level.PROVINCE


def level_above_name(year: int) -> str:
    """"huyện" or "tỉnh": where the commune reports the review of `year`."""
    return LEVEL_ABOVE_NAMES[level_above(year)]


def review_year_of(day: datetime.date) -> int:
    """The annual review a request dated `day` is considered in: that year's, or the next year's once the
    year's window has closed."""
    return day.year + 1 if day > review_closes(day.year) else day.year


def lists_year_of(day: datetime.date) -> int:
    """The review year whose lists are in force on `day`: the lists of review year N apply in N + 1."""
    return day.year - 1


def round_closed_message(commune, year) -> str:
    """Why the commune has no review of `year` ("" when it has one): a year's review belongs to the communes in
    force on the day it opens, so a commune the 2025 reform merged away has no review from 2025 on, and its
    households are reviewed in their new commune."""
    message = commune.closed_message(review_opens(year))
    return f"{message} Không có đợt rà soát năm {year} của xã này: hãy chuyển hộ sang xã mới." if message else ""


def _order_errors(days):
    opens, closes = days["REVIEW_WINDOW_OPENS"], days["REVIEW_WINDOW_CLOSES"]
    preliminary, official = days["REVIEW_PRELIMINARY_DEADLINE"], days["REVIEW_OFFICIAL_DEADLINE"]
    errors = []
    if not opens < closes:
        errors.append("REVIEW_WINDOW_OPENS must come before REVIEW_WINDOW_CLOSES.")
    if not opens < preliminary <= official:
        errors.append("Expected REVIEW_WINDOW_OPENS < REVIEW_PRELIMINARY_DEADLINE <= REVIEW_OFFICIAL_DEADLINE.")
    reform = (DISTRICTS_ABOLISHED_ON.month, DISTRICTS_ABOLISHED_ON.day)
    if opens < reform <= max(closes, official):
        errors.append("The 2025 review's window would hold 1 July 2025 (the districts abolished): the level above "
                      "would change within the review. REVIEW_WINDOW_OPENS must be on or after 07-01, or the whole "
                      "calendar before it.")
    return errors


@checks.register()
def check_calendar(app_configs=None, **kwargs):
    """Start-up check: every calendar setting is a valid "MM-DD" and the days run in the review's order."""
    days, errors = {}, []
    for name in CALENDAR_SETTINGS:
        try:
            days[name] = month_day(name)
        except ImproperlyConfigured as error:
            errors.append(checks.Error(str(error), id="review.E001"))
    if not errors:
        errors += [checks.Error(message, id="review.E002") for message in _order_errors(days)]
    for name in DAY_COUNT_DEFAULTS:
        try:
            day_count(name)
        except ImproperlyConfigured as error:
            errors.append(checks.Error(str(error), id="review.E003"))
    return errors
