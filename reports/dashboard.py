"""What the leaders' home page shows, as plain data: key figures, and one dataset per chart."""
from core.formatting import points
from programs.models import short_name
from reports.cache import cached_report
from reports.opening import latest_final_year
from reports.poverty import COUNTS, poverty_summary, shared_queries
from reports.provisional import provisional_status
from reports.scope import report_area_exists
from reports.spending import spending_summary
from reports.targets import ethnic_minority_target, poor_rate_target, target_for
from reports.training import training_summary
from reports.why_empty import review_reason

# Chart.js's scales of a chart of counts (households, people): whole numbers on the axis, never "0,5 hộ".
# A chart without `scales` gets the page's default (from zero, decimals where the figures have them).
COUNT_SCALES = {"y": {"beginAtZero": True, "ticks": {"precision": 0}}}


def _change(current, previous):
    if current is None or previous is None:
        return None
    return current - previous


@cached_report
def dashboard_page(*, user, area_code, year, comparable=False, years):
    """The dashboard as its page shows it, cached as one result: a repeated view is one cache read instead of
    eight. Without a year asked for, the page opens where every report does (reports.opening.opening_year).
    (`comparable` is the cache's parameter: the page decides the map per year itself.)"""
    return dashboard_data(user=user, area_code=area_code, year=year, years=years)


def dashboard_data(*, user, area_code, year, years):
    series_years = [y for y in years if y <= year][-6:]
    with shared_queries():
        # An area created after a year (a province of the 2025 reform, seen for 2024) shows that year on
        # today's map, its territory then; the page says so.
        on_todays_map = not report_area_exists(area_code, year)
        this_year = poverty_summary(user=user, area_code=area_code, year=year, comparable=on_todays_map)
        # Last year on this year's territory (a merged commune with the communes merged into it), so every
        # change on the cards compares like with like.
        last_year = poverty_summary(user=user, area_code=area_code, year=year - 1, comparable=on_todays_map,
                                    map_year=None if on_todays_map else year)
        series = [(y, poverty_summary(user=user, area_code=area_code, year=y, comparable=True)["total"])
                  for y in series_years]
    now, before = this_year["total"], last_year["total"]
    if not any(before[name] for name in COUNTS):
        before = dict.fromkeys(before)  # no result last year (a first review): no change to show, not "+n"
    key_figures = [
        {"label": "Hộ nghèo", "value": now["poor"], "kind": "int", "change": _change(now["poor"], before["poor"])},
        {"label": "Tỷ lệ hộ nghèo", "value": now["poor_rate"], "kind": "rate",
         "change": points(now["poor_rate"], before["poor_rate"]) if before["poor_rate"] is not None else None},
        {"label": "Hộ cận nghèo", "value": now["near_poor"], "kind": "int",
         "change": _change(now["near_poor"], before["near_poor"])},
        {"label": "Tỷ lệ hộ cận nghèo", "value": now["near_poor_rate"], "kind": "rate",
         "change": points(now["near_poor_rate"], before["near_poor_rate"])
         if before["near_poor_rate"] is not None else None},
        {"label": "Hộ thoát nghèo", "value": now["escaped"], "kind": "int", "better": "up",
         "change": _change(now["escaped"], before["escaped"])},
        {"label": "Tỷ lệ hộ nghèo DTTS", "value": now["ethnic_minority_poor_rate"], "kind": "rate",
         "change": points(now["ethnic_minority_poor_rate"], before["ethnic_minority_poor_rate"])
         if before["ethnic_minority_poor_rate"] is not None else None},
    ]
    target = target_for(area_code, year)
    key_figures[1]["target"] = poor_rate_target(target, key_figures[1]["change"])
    key_figures[5]["target"] = ethnic_minority_target(target, key_figures[5]["change"])
    for figure in key_figures:
        change, better = figure["change"], figure.get("better", "down")
        figure["trend"] = "" if not change else ("good" if (change > 0) == (better == "up") else "bad")
    charts = [
        {
            "id": "rate-series", "category": "Năm", "title": "Tỷ lệ hộ nghèo, cận nghèo qua các năm (%)", "type": "line",
            "labels": [str(y) for y, _ in series],
            "datasets": [
                {"label": "Tỷ lệ hộ nghèo (%)", "data": [_float(t["poor_rate"]) for _, t in series]},
                {"label": "Tỷ lệ hộ cận nghèo (%)", "data": [_float(t["near_poor_rate"]) for _, t in series]},
            ],
            "note": "Theo địa giới hiện nay (các xã cũ được gộp vào xã kế thừa).",
        },
        {
            "id": "rate-by-area", "category": "Đơn vị", "title": f"Tỷ lệ hộ nghèo theo đơn vị năm {year} (%)", "type": "bar",
            "labels": [row["area"]["name"] for row in this_year["rows"]],
            "datasets": [
                {"label": "Tỷ lệ hộ nghèo (%)", "data": [_float(row["poor_rate"]) for row in this_year["rows"]]},
                {"label": "Tỷ lệ hộ cận nghèo (%)", "data": [_float(row["near_poor_rate"]) for row in this_year["rows"]]},
            ],
        },
        {
            "id": "movements", "category": "Biến động", "title": f"Biến động hộ nghèo năm {year}", "type": "bar",
            "scales": COUNT_SCALES,
            "labels": ["Thoát nghèo", "Phát sinh mới", "Tái nghèo", "Cận nghèo → nghèo"],
            "datasets": [{"label": "Số hộ", "data": [now["escaped"], now["newly_poor"], now["relapsed"],
                                                     now["near_poor_to_poor"]]}],
        },
    ]
    charts += extra_charts(user=user, area_code=area_code, year=year, comparable=on_todays_map)
    for chart in charts:  # nothing to draw: the page says so instead of showing empty axes
        chart["empty"] = not any(value for dataset in chart["datasets"] for value in dataset["data"])
    territory = "địa giới hiện nay" if on_todays_map else f"địa giới năm {year}"
    provisional = provisional_status(user=user, area_code=area_code, year=year, comparable=on_todays_map)
    final_year = latest_final_year(user=user, area_code=area_code, years=years) if provisional else year
    return {"area": this_year["area"], "year": year, "key_figures": key_figures, "charts": charts,
            "provisional": provisional, "final_year": final_year,
            # no household reviewed in the area that year: the page says so, naming both (reports.why_empty)
            "empty_reason": review_reason(user=user, area_code=area_code, year=year, comparable=on_todays_map,
                                          area_name=this_year["area"]["name"]),
            "poverty": this_year, "on_todays_map": on_todays_map,
            "comparison_note": f"Thay đổi so với năm {year - 1} trên cùng địa bàn ({territory})."}


def extra_charts(*, user, area_code, year, comparable=False):
    """Spending against budget and training results, from the same report functions as their pages."""
    spending = spending_summary(user=user, area_code=area_code, year=year, comparable=comparable)
    training = training_summary(user=user, area_code=area_code, year=year, comparable=comparable)
    million = 1_000_000
    return [
        {
            "id": "spending", "category": "Chương trình", "title": f"Kinh phí hỗ trợ theo chương trình năm {year} (triệu đồng)", "type": "bar",
            # By name (programs.models.short_name), the code and full name in the bar's tooltip.
            "labels": [short_name(row["program"]["name"]) for row in spending["rows"]],
            "tooltips": [f"{row['program']['code']} – {row['program']['name']}" for row in spending["rows"]],
            "datasets": [
                {"label": "Đã hỗ trợ", "data": [round(row["amount"] / million, 1) for row in spending["rows"]]},
                {"label": "Kế hoạch vốn", "data": [round(row["budget"] / million, 1) for row in spending["rows"]]},
            ],
        },
        {
            "id": "training", "category": "Năm", "title": "Đào tạo nghề qua các năm (người)", "type": "bar",
            "scales": COUNT_SCALES,
            "labels": [str(row["year"]) for row in training["rows"]],
            "datasets": [
                {"label": "Tham gia", "data": [row["enrolled"] for row in training["rows"]]},
                {"label": "Tốt nghiệp", "data": [row["graduated"] for row in training["rows"]]},
            ],
        },
    ]


def _float(value):
    return float(value) if value is not None else None
