"""The review's words: a household's class in a year and its movement since the year before.

Plain enums with no database behind them, so the pure rules (classification.py), the models, the reports
and the import all speak them.
"""
from django.db import models


class Classification(models.TextChoices):
    POOR = "poor", "Hộ nghèo"
    NEAR_POOR = "near_poor", "Hộ cận nghèo"
    # Stored by reviews before issue 25 (the class was then derived from income): such a result is above the
    # near-poor line, not a recognition of average living standard (that is its own procedure: living_standard).
    AVERAGE = "average", "Trên chuẩn cận nghèo (mức sống trung bình xét theo thủ tục riêng)"
    NOT_POOR = "not_poor", "Hộ không nghèo"


class Movement(models.TextChoices):
    STAYED_POOR = "stayed_poor", "Hộ nghèo cũ"
    NEAR_POOR_TO_POOR = "near_poor_to_poor", "Hộ cận nghèo chuyển thành hộ nghèo"
    RELAPSED = "relapsed", "Hộ tái nghèo"
    NEWLY_POOR = "newly_poor", "Hộ nghèo phát sinh mới"
    ESCAPED_TO_NEAR_POOR = "escaped_to_near_poor", "Thoát nghèo thành hộ cận nghèo"
    STAYED_NEAR_POOR = "stayed_near_poor", "Hộ cận nghèo cũ"
    NEWLY_NEAR_POOR = "newly_near_poor", "Hộ cận nghèo phát sinh mới"
    ESCAPED = "escaped", "Hộ thoát nghèo"
    ESCAPED_NEAR_POOR = "escaped_near_poor", "Hộ thoát cận nghèo"
    NONE = "none", "Không thay đổi"


# Poor last year and not poor this year: the two movements that count as escaping poverty.
ESCAPE_MOVEMENTS = (Movement.ESCAPED, Movement.ESCAPED_TO_NEAR_POOR)
