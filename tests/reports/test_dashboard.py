"""The dashboard's key figures compare like with like: last year on this year's territory."""
import pytest
from django.core.management import call_command

from accounts.services import officer_save
from reports.dashboard import dashboard_data
from review.services import assessment_save
from tests.factories import HouseholdFactory

POOR = dict(income_per_capita=500_000, deprivations=["1", "2", "3", "4"])
NOT_POOR = dict(income_per_capita=9_000_000)


@pytest.fixture
def merged_commune(db):
    """xã Đăk Tô (23401) took in Tân Cảnh (23437) on 1 July 2025. 2024: one poor household in each of the
    two old communes. 2025: three poor households, all in the merged commune."""
    call_command("import_areas", "areas/data/admin_units_kontum.csv")
    admin, _ = officer_save(username="boss", role="admin", password="x", check_password=False)
    old_town = [HouseholdFactory(code=f"TT-{n}", commune_id="23401", village_id=None) for n in range(2)]
    tan_canh = [HouseholdFactory(code=f"TC-{n}", commune_id="23437", village_id=None) for n in range(2)]
    assessment_save(acting_user=admin, household=old_town[0], year=2024, **POOR)
    assessment_save(acting_user=admin, household=old_town[1], year=2024, **NOT_POOR)
    assessment_save(acting_user=admin, household=tan_canh[0], year=2024, **POOR)
    assessment_save(acting_user=admin, household=tan_canh[1], year=2024, **NOT_POOR)
    for household in tan_canh:  # after the merger the households live in xã Đăk Tô
        household.commune_id = "23401"
        household.save()
    for household in [*old_town, tan_canh[0]]:
        assessment_save(acting_user=admin, household=household, year=2025, **POOR)
    assessment_save(acting_user=admin, household=tan_canh[1], year=2025, **NOT_POOR)
    return admin


def card(data, label):
    return next(figure for figure in data["key_figures"] if figure["label"] == label)


def test_a_merged_communes_cards_compare_the_same_territory(merged_commune):
    """Regression: 2025 was compared with the old town alone (+2 poor, rate −... in green) instead of the
    four households of the same territory (+1 poor, 50 % → 75 %: +25 points, worse)."""
    data = dashboard_data(user=merged_commune, area_code="23401", year=2025, years=[2024, 2025])
    poor = card(data, "Hộ nghèo")
    assert (poor["value"], poor["change"], poor["trend"]) == (3, 1, "bad")
    rate = card(data, "Tỷ lệ hộ nghèo")
    assert str(rate["change"]) == "25.00" and rate["trend"] == "bad"
    assert data["comparison_note"] == "Thay đổi so với năm 2024 trên cùng địa bàn (địa giới năm 2025)."


def test_a_first_year_shows_no_change(merged_commune):
    data = dashboard_data(user=merged_commune, area_code="23401", year=2024, years=[2024, 2025])
    assert [figure["change"] for figure in data["key_figures"]] == [None] * len(data["key_figures"])


def test_cards_show_the_programmes_targets_and_whether_they_were_met(merged_commune, settings):
    settings.POVERTY_TARGETS = [
        {"first_year": 2021, "last_year": 2025, "areas": ["23401"], "poor_rate_down": ("1", "1.5"),
         "ethnic_minority_poor_rate_down_over": "3"},
    ]
    data = dashboard_data(user=merged_commune, area_code="23401", year=2025, years=[2024, 2025])
    rate = card(data, "Tỷ lệ hộ nghèo")
    assert rate["target"] == {"text": "Mục tiêu: giảm 1–1,5 điểm %/năm", "met": False}  # it rose 25 points
    assert card(data, "Tỷ lệ hộ nghèo DTTS")["target"]["text"] == "Mục tiêu: giảm trên 3 điểm %/năm"
    assert card(data, "Hộ nghèo").get("target") is None
    settings.POVERTY_TARGETS = [dict(settings.POVERTY_TARGETS[0], areas=["612"])]  # another area's target
    assert card(dashboard_data(user=merged_commune, area_code="23401", year=2025, years=[2025]),
                "Tỷ lệ hộ nghèo")["target"] is None


def chart_data(page):
    """The charts as the page embeds them for Chart.js (its json_script)."""
    import json
    import re

    return {chart["id"]: chart for chart in json.loads(
        re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', page, re.S).group(1))}


def test_the_charts_name_programmes_and_count_on_whole_numbers(merged_commune, client):
    """Issue 26.6: a programme's bar is labelled by its name (short), its code and full name in the tooltip; the
    charts of households and people have whole-number ticks (no "0,5 hộ")."""
    from programs.models import Benefit

    household = HouseholdFactory(code="TT-LUNCH", commune_id="23401", village_id=None)
    Benefit.objects.create(program_id="DA3", year=2025, date="2025-09-01", household=household, amount=2_000_000)
    Benefit.objects.create(program_id="CS-AN-TRUA-MG", year=2025, date="2025-09-01", household=household,
                           amount=160_000)
    client.force_login(merged_commune)
    charts = chart_data(client.get("/", {"area": "23401", "year": 2025}).content.decode())
    spending = charts["spending"]
    assert spending["labels"] == ["Hỗ trợ ăn trưa trẻ em mẫu giáo", "Hỗ trợ phát triển sản xuất…"]
    assert spending["tooltips"] == ["CS-AN-TRUA-MG – Hỗ trợ ăn trưa trẻ em mẫu giáo",
                                    "DA3 – Hỗ trợ phát triển sản xuất, cải thiện dinh dưỡng"]
    for count_chart in ("movements", "training"):
        assert charts[count_chart]["scales"]["y"]["ticks"]["precision"] == 0
    # rates and millions of đồng keep their decimals
    assert all("scales" not in charts[name] for name in ("rate-series", "rate-by-area", "spending"))
