"""The average-living-standard rules as pure functions of values (no database).

Decision 24/2021/QĐ-TTg, Art. 2(2) and Art. 3(2), as quoted by secondary sources (docs/rules.md gives the source and
certainty of each): the household's income is its actual income of the last 12 months, social assistance
excluded, per person per month; it is of average living standard when that income is above the near-poor line
(the standard's income line) and at or under the standard's average-living-standard line.
"""
import datetime
from dataclasses import dataclass

from django.conf import settings

# Decision 24/2021 Art. 3(2) as quoted: the commune reviews these requests monthly, from the 15th. A setting, so a
# province that reads the text otherwise changes it without a release; None lifts the rule.
DEFAULT_DECISION_FROM_DAY = 15


def decision_from_day() -> int | None:
    return getattr(settings, "LIVING_STANDARD_DECISION_FROM_DAY", DEFAULT_DECISION_FROM_DAY)


def income_period(requested_on: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The last 12 months before the request: from the same day a year earlier to the day before the request."""
    end = requested_on - datetime.timedelta(days=1)
    try:
        start = requested_on.replace(year=requested_on.year - 1)
    except ValueError:  # 29 February
        start = requested_on.replace(year=requested_on.year - 1, day=28)
    return start, end


def income_per_capita(total_income: int, social_assistance: int, members: int) -> int:
    """Monthly income per person over 12 months, social assistance excluded (rounded down to the đồng)."""
    return (total_income - social_assistance) // (12 * members)


@dataclass(frozen=True)
class Outcome:
    income_per_capita: int
    meets: bool


def determine(*, total_income: int, social_assistance: int, members: int, income_line: int,
              average_line: int) -> Outcome:
    """Whether the household is of average living standard: income line < income ≤ average line."""
    per_capita = income_per_capita(total_income, social_assistance, members)
    return Outcome(per_capita, income_line < per_capita <= average_line)


def input_errors(*, total_income, social_assistance, members) -> dict:
    """{field: message} of the determination's inputs (empty when they are usable)."""
    errors = {}
    if total_income is None or total_income < 0:
        errors["total_income"] = "Hãy ghi tổng thu nhập thực tế 12 tháng của hộ (đồng, không âm)."
    if social_assistance is None or social_assistance < 0:
        errors["social_assistance"] = "Trợ cấp xã hội không âm (ghi 0 nếu không có)."
    elif "total_income" not in errors and social_assistance > total_income:
        errors["social_assistance"] = "Trợ cấp xã hội là một phần của tổng thu nhập: không lớn hơn tổng thu nhập."
    if members is None or members < 1:
        errors["members"] = "Số nhân khẩu ít nhất là 1."
    return errors


def decision_day_error(decision_date: datetime.date, determined_on: datetime.date, today: datetime.date) -> str:
    """Why a decision cannot carry this date ("" when it can)."""
    if decision_date > today:
        return f"Ngày quyết định ({decision_date:%d/%m/%Y}) chưa đến."
    if decision_date < determined_on:
        return (f"Ngày quyết định ({decision_date:%d/%m/%Y}) trước ngày xác định thu nhập "
                f"({determined_on:%d/%m/%Y}).")
    day = decision_from_day()
    if day and decision_date.day < day:
        return (f"Việc xét hộ có mức sống trung bình thực hiện hằng tháng, từ ngày {day}: quyết định ngày "
                f"{decision_date:%d/%m/%Y} trước ngày {day:02d}/{decision_date:%m/%Y}.")
    return ""
