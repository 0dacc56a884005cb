"""The pure rules of the procedure: 12 months' income per person per month, social assistance excluded, and the
band above the near-poor line up to the average line; the decision day (monthly, from the 15th, a setting)."""
import datetime

import pytest

from living_standard import rules

D = datetime.date


@pytest.mark.parametrize("total, social, members, expected", [
    (120_000_000, 0, 4, 2_500_000),
    (148_800_000, 28_800_000, 4, 2_500_000),  # the social assistance is taken out before dividing
    (148_800_000, 0, 4, 3_100_000),
    (100, 0, 3, 2),  # rounded down to the đồng
])
def test_income_per_capita_excludes_social_assistance(total, social, members, expected):
    assert rules.income_per_capita(total, social, members) == expected


@pytest.mark.parametrize("per_capita, meets", [
    (2_000_000, False),  # on the near-poor line: near-poor, not average
    (2_000_001, True), (3_000_000, True),  # up to and on the average line
    (3_000_001, False),
])
def test_the_band_between_the_lines(per_capita, meets):
    outcome = rules.determine(total_income=per_capita * 12, social_assistance=0, members=1, income_line=2_000_000,
                              average_line=3_000_000)
    assert (outcome.income_per_capita, outcome.meets) == (per_capita, meets)


def test_the_income_period_is_the_twelve_months_before_the_request():
    assert rules.income_period(D(2026, 11, 2)) == (D(2025, 11, 2), D(2026, 11, 1))
    assert rules.income_period(D(2028, 2, 29)) == (D(2027, 2, 28), D(2028, 2, 28))


def test_input_errors_name_the_field():
    assert set(rules.input_errors(total_income=-1, social_assistance=0, members=0)) == {"total_income", "members"}
    assert set(rules.input_errors(total_income=10, social_assistance=11, members=1)) == {"social_assistance"}
    assert rules.input_errors(total_income=10, social_assistance=10, members=1) == {}


def test_the_decision_day_is_from_the_15th_and_a_setting(settings):
    today = D(2026, 12, 5)
    assert "từ ngày 15" in rules.decision_day_error(D(2026, 11, 14), D(2026, 11, 10), today)
    assert rules.decision_day_error(D(2026, 11, 15), D(2026, 11, 10), today) == ""
    assert "trước ngày xác định" in rules.decision_day_error(D(2026, 11, 16), D(2026, 11, 17), today)
    assert "chưa đến" in rules.decision_day_error(D(2026, 12, 16), D(2026, 11, 17), today)
    settings.LIVING_STANDARD_DECISION_FROM_DAY = None  # a province reading the text otherwise lifts the rule
    assert rules.decision_day_error(D(2026, 11, 14), D(2026, 11, 10), today) == ""
