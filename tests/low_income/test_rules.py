"""The pure rules: the household's class in force excludes poor and near-poor households; the income at or below
the line of the area."""
import pytest

from low_income import rules


@pytest.mark.parametrize("household_class, refused", [
    ("poor", True), ("near_poor", True), ("not_poor", False), ("average", False)])
def test_poor_and_near_poor_households_are_excluded(household_class, refused):
    assert bool(rules.class_error(household_class)) is refused


@pytest.mark.parametrize("income, line, refused", [
    (2_250_000, 2_250_000, False), (2_250_001, 2_250_000, True), (0, 2_250_000, False), (-1, 2_250_000, True)])
def test_at_or_below_the_line(income, line, refused):
    assert bool(rules.income_error(income, line, is_urban=False)) is refused


def test_the_refusal_names_the_area_and_the_figures():
    assert rules.income_error(3_000_001, 3_000_000, is_urban=True) == (
        "Thu nhập 3.000.001 đồng/tháng cao hơn mức 3.000.000 đồng/tháng của khu vực đô thị: không thuộc người lao "
        "động có thu nhập thấp.")
