"""The poverty standard a review year follows, and its lines for an area type, as review.classification.Lines."""
from django.core.exceptions import ValidationError

from review.assessment_rules import missing_line_message
from review.classification import Lines
from review.models import PovertyStandard, StandardLine


def no_standard_message(year: int) -> str:
    return f"Không có chuẩn nghèo nào áp dụng cho năm {year}."


def standard_or_none(year: int) -> PovertyStandard | None:
    """The standard review year `year` follows, or None."""
    return PovertyStandard.objects.for_year(year).first()


def standard_for_year(year: int) -> PovertyStandard:
    """The standard of review year `year`, else ValidationError on "year"."""
    standard = standard_or_none(year)
    if standard is None:
        raise ValidationError({"year": no_standard_message(year)})
    return standard


def _lines(line):
    return Lines(line.income_line, line.min_deprivations, line.absolute_line, line.average_line, line.b1_line)


def lines_of(standard: PovertyStandard, is_urban: bool) -> Lines:
    """The standard's lines for urban or rural areas, else ValidationError on "year"."""
    line = StandardLine.objects.filter(standard=standard, area_type="urban" if is_urban else "rural").first()
    if line is None:
        raise ValidationError({"year": missing_line_message(standard, is_urban)})
    return _lines(line)


def all_lines() -> dict:
    """{(standard_id, is_urban): Lines} for bulk work: one query."""
    return {(line.standard_id, line.area_type == "urban"): _lines(line) for line in StandardLine.objects.all()}
