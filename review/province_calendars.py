"""The calendar a commune works to in a review year: its province's plan (ReviewCalendar), else Decision 24's
dates (review.calendar). Apart from review.calendar because the models read that module (level_above)."""
from areas.map import UnitMap
from areas.models import Level
from review.calendar import CommuneCalendar, decision_24_calendar, review_opens
from review.models import ReviewCalendar


def commune_calendars(year: int, commune_codes) -> dict[str, CommuneCalendar]:
    """THE read of the calendar: {commune code: its dates for the review of `year`}, from the plan its province
    (its ancestor of level province on the map of the day the review opens) recorded for that year, else
    Decision 24's dates. A few queries whatever the number of communes."""
    unit_map = UnitMap(review_opens(year))
    province_of = {code: _province_code(unit_map, code) for code in commune_codes}
    rows = ReviewCalendar.objects.filter(
        year=year, province_id__in={code for code in province_of.values() if code}).select_related("province")
    plans = {row.province_id: CommuneCalendar(row.survey_starts, row.meetings_by, row.preliminary_by, row.official_by,
                                              row.window_closes, row.basis, row.province.label, True)
             for row in rows}
    default = decision_24_calendar(year)
    return {code: plans.get(province, default) for code, province in province_of.items()}


def _province_code(unit_map, code):
    seen = set()
    while code and code not in seen:
        seen.add(code)
        unit = unit_map.get(code)
        if unit is None or unit.level == Level.PROVINCE:
            return unit and unit.code
        code = unit.parent
    return None
