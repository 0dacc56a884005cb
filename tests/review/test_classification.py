"""The single rule of the domain file, against a table: both area types, all three standards, values
just below, on and just above each line, and B1 versus income."""
import pytest

from review.classification import Lines, MissingInput, classify, movement, movements_over_years

# The lines as the migration seeds them (shared/domain/poverty_standards.md).
QD59 = {"rural": Lines(1_000_000, 3, absolute_line=700_000), "urban": Lines(1_300_000, 3, absolute_line=900_000)}
ND07 = {"rural": Lines(1_500_000, 3, average_line=2_250_000, b1_line=140),
        "urban": Lines(2_000_000, 3, average_line=3_000_000, b1_line=175)}
# The 2026–2030 standard as published: no absolute line (1,900,000 / 2,500,000 were a draft).
ND351 = {"rural": Lines(2_200_000, 3), "urban": Lines(2_800_000, 3)}

CASES = [
    # standard, area, income, deprivations, expected
    (QD59, "rural", 699_999, 0, "poor"), (QD59, "rural", 700_000, 0, "poor"), (QD59, "rural", 700_001, 0, "near_poor"),
    (QD59, "rural", 1_000_000, 2, "near_poor"), (QD59, "rural", 1_000_000, 3, "poor"),
    (QD59, "rural", 1_000_001, 3, "not_poor"), (QD59, "rural", 999_999, 3, "poor"),
    (QD59, "urban", 900_000, 0, "poor"), (QD59, "urban", 900_001, 0, "near_poor"),
    (QD59, "urban", 1_300_000, 3, "poor"), (QD59, "urban", 1_300_001, 5, "not_poor"),
    # Decree 07/2021: no absolute line, so low income alone never makes a household poor.
    (ND07, "rural", 0, 2, "near_poor"), (ND07, "rural", 1_499_999, 3, "poor"), (ND07, "rural", 1_500_000, 3, "poor"),
    # Above the income line a household is not poor: the review never gives "average living standard" (its own
    # procedure, living_standard), however close to the average line its income is.
    (ND07, "rural", 1_500_000, 2, "near_poor"), (ND07, "rural", 1_500_001, 3, "not_poor"),
    (ND07, "rural", 2_250_000, 12, "not_poor"), (ND07, "rural", 2_250_001, 0, "not_poor"),
    (ND07, "urban", 2_000_000, 3, "poor"), (ND07, "urban", 2_000_000, 2, "near_poor"),
    (ND07, "urban", 2_000_001, 4, "not_poor"), (ND07, "urban", 3_000_000, 0, "not_poor"),
    (ND07, "urban", 3_000_001, 0, "not_poor"),
    # 2026–2030: no absolute line either; income at or below the line with fewer than 3 deprivations is near-poor.
    (ND351, "rural", 0, 2, "near_poor"), (ND351, "rural", 1_900_000, 0, "near_poor"),
    (ND351, "rural", 2_200_000, 3, "poor"), (ND351, "rural", 2_200_000, 2, "near_poor"),
    (ND351, "rural", 2_200_001, 3, "not_poor"),
    (ND351, "urban", 2_500_000, 0, "near_poor"), (ND351, "urban", 2_800_000, 3, "poor"),
    (ND351, "urban", 2_800_000, 2, "near_poor"), (ND351, "urban", 2_800_001, 9, "not_poor"),
]


@pytest.mark.parametrize("standard, area, income, deprivations, expected", CASES)
def test_income_table(standard, area, income, deprivations, expected):
    assert classify(standard[area], deprivations=deprivations, income=income) == expected


@pytest.mark.parametrize("area, score, deprivations, expected", [
    ("rural", 139, 3, "poor"), ("rural", 140, 3, "poor"), ("rural", 141, 3, "not_poor"), ("rural", 140, 2, "near_poor"),
    ("urban", 175, 3, "poor"), ("urban", 176, 3, "not_poor"), ("urban", 174, 0, "near_poor"),
])
def test_b1_score_decides_the_income_condition(area, score, deprivations, expected):
    assert classify(ND07[area], deprivations=deprivations, b1_score=score) == expected


def test_b1_wins_over_income():
    rural = ND07["rural"]
    # income says poor, B1 says above the line: B1 decides
    assert classify(rural, deprivations=4, income=1_000_000, b1_score=150) == "not_poor"
    # income says not poor, B1 says below the line: B1 decides
    assert classify(rural, deprivations=4, income=3_000_000, b1_score=100) == "poor"
    # above the B1 line, income within the former average band: not poor (no "average" from the review)
    assert classify(rural, deprivations=0, income=2_000_000, b1_score=160) == "not_poor"


def test_a_standard_without_b1_line_uses_income():
    assert classify(QD59["rural"], deprivations=0, income=600_000, b1_score=500) == "poor"


def test_missing_inputs():
    with pytest.raises(MissingInput):
        classify(ND07["rural"], deprivations=3)


@pytest.mark.parametrize("current, previous, earlier, expected", [
    ("poor", "poor", False, "stayed_poor"), ("poor", "near_poor", False, "near_poor_to_poor"),
    ("poor", None, True, "relapsed"), ("poor", "not_poor", True, "relapsed"), ("poor", "average", False, "newly_poor"),
    ("poor", None, False, "newly_poor"),
    ("near_poor", "poor", False, "escaped_to_near_poor"), ("near_poor", "near_poor", False, "stayed_near_poor"),
    ("near_poor", None, False, "newly_near_poor"), ("near_poor", "not_poor", True, "newly_near_poor"),
    ("average", "poor", False, "escaped"), ("not_poor", "poor", True, "escaped"),
    ("not_poor", "near_poor", False, "escaped_near_poor"), ("not_poor", None, False, "none"),
    ("average", "average", False, "none"),
])
def test_movement_rules(current, previous, earlier, expected):
    assert movement(current, previous, earlier) == expected


def test_movements_over_years_with_fall_back_after_escape_and_a_gap():
    classes = {2022: "poor", 2023: "near_poor", 2024: "not_poor", 2025: "poor", 2027: "poor"}
    assert movements_over_years(classes) == {
        2022: "newly_poor", 2023: "escaped_to_near_poor", 2024: "escaped_near_poor", 2025: "relapsed",
        2027: "relapsed",  # 2026 missing counts as not poor; poor in 2025, an earlier year
    }
