"""The programme's yearly targets shown beside the dashboard's figures (settings.POVERTY_TARGETS).

Decision 90/QĐ-TTg (the poverty-reduction NTP 2021–2025) aims at a poverty rate falling 1–1.5 percentage
points a year, and more than 3 points a year among ethnic-minority households. A province sets its own
per area and period in the setting; the first entry whose period holds the year and whose areas name the
area (or that names none) applies.
"""
from decimal import Decimal

from django.conf import settings


def target_for(area_code, year):
    for target in getattr(settings, "POVERTY_TARGETS", []):
        if target["first_year"] <= year <= target["last_year"] and (
                not target.get("areas") or area_code in target["areas"]):
            return target
    return None


def _points(value):
    return f"{value}".replace(".", ",")


def poor_rate_target(target, change):
    """{"text", "met"} for the poverty rate's change in points (negative = fell), or None."""
    if not target or "poor_rate_down" not in target:
        return None
    low, high = (Decimal(str(v)) for v in target["poor_rate_down"])
    return {"text": f"Mục tiêu: giảm {_points(low)}–{_points(high)} điểm %/năm",
            "met": None if change is None else -change >= low}


def ethnic_minority_target(target, change):
    if not target or "ethnic_minority_poor_rate_down_over" not in target:
        return None
    floor = Decimal(str(target["ethnic_minority_poor_rate_down_over"]))
    return {"text": f"Mục tiêu: giảm trên {_points(floor)} điểm %/năm",
            "met": None if change is None else -change > floor}
