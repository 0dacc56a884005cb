"""The single rule of the domain file, as pure functions over plain values (no database).

poor      = income ≤ absolute line, OR (income condition AND deprivations ≥ minimum)
near-poor = income condition AND not poor
otherwise not poor — whatever the household's livelihood.
"Hộ có mức sống trung bình" is not a class of the review: under Decision 24/2021/QĐ-TTg (Art. 2(2), 3(2)) a
farm, forestry, fishery or salt-making household applies for it and the commune chairman recognises it by a
decision of its own (the living_standard app). AVERAGE stays in the vocabulary only for results stored as
"average" before that rule (shown for what they are: above the near-poor line, not a recognition).
The income condition is "B1 score ≤ B1 line" when a B1 score is given (and the standard has a B1 line),
else "income ≤ income line". Values exactly on a line belong to the poorer class.
"""
from dataclasses import dataclass

from review.vocabulary import Classification, Movement

POOR, NEAR_POOR, AVERAGE, NOT_POOR = (Classification.POOR, Classification.NEAR_POOR, Classification.AVERAGE,
                                     Classification.NOT_POOR)


@dataclass(frozen=True)
class Lines:
    income_line: int
    min_deprivations: int
    absolute_line: int | None = None
    average_line: int | None = None
    b1_line: int | None = None


class MissingInput(ValueError):
    pass


def classify(lines, *, deprivations, income=None, b1_score=None):
    """Classification of one household-year: POOR, NEAR_POOR or NOT_POOR (never AVERAGE: that is recognised by
    its own procedure, living_standard). `deprivations` is the number of deprived indicators."""
    if b1_score is not None and lines.b1_line is not None:
        income_condition = b1_score <= lines.b1_line
    elif income is not None:
        income_condition = income <= lines.income_line
    else:
        raise MissingInput("Cần thu nhập bình quân hoặc điểm B1 để phân loại.")
    below_absolute = income is not None and lines.absolute_line is not None and income <= lines.absolute_line
    if below_absolute or (income_condition and deprivations >= lines.min_deprivations):
        return POOR
    if income_condition:
        return NEAR_POOR
    return NOT_POOR


def movement(current, previous, poor_in_an_earlier_year=False):
    """This year's movement against last year's class (None: no assessment last year = not poor)."""
    if current == POOR:
        if previous == POOR:
            return Movement.STAYED_POOR
        if previous == NEAR_POOR:
            return Movement.NEAR_POOR_TO_POOR
        return Movement.RELAPSED if poor_in_an_earlier_year else Movement.NEWLY_POOR
    if current == NEAR_POOR:
        if previous == POOR:
            return Movement.ESCAPED_TO_NEAR_POOR
        if previous == NEAR_POOR:
            return Movement.STAYED_NEAR_POOR
        return Movement.NEWLY_NEAR_POOR
    if previous == POOR:
        return Movement.ESCAPED
    if previous == NEAR_POOR:
        return Movement.ESCAPED_NEAR_POOR
    return Movement.NONE


def movements_over_years(classes_by_year):
    """{year: class} -> {year: movement}, walking the years in order (missing years count as not poor)."""
    result = {}
    poor_years = []
    for year in sorted(classes_by_year):
        current = classes_by_year[year]
        previous = classes_by_year.get(year - 1)
        earlier = any(y < year - 1 for y in poor_years)
        result[year] = movement(current, previous, earlier)
        if current == POOR:
            poor_years.append(year)
    return result
