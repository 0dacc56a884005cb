"""Issue 26.5: every report opens where the dashboard opens — the latest year recognised in every commune of the
area (reports.opening.opening_year, one rule) — instead of a year still under review; an error about a report's
year or area answers with the selectors to pick again, not a URL parameter to type."""
import re

import pytest

from reports.opening import opening_year
from reports.registry import REPORTS
from review.models import ReviewRound, RoundStatus
from review.services import assessment_save
from tests.factories import HouseholdFactory


@pytest.fixture
def two_years(users):
    """Three communes reviewed in 2023 and 2024; 2023 recognised everywhere, 2024 in two of the three (90201's
    round, under district 902, is still under review)."""
    for code, commune in (("O-1", "90101"), ("O-2", "90102"), ("O-3", "90201")):
        household = HouseholdFactory(code=code, commune_id=commune)
        for year in (2023, 2024):
            assessment_save(acting_user=users["admin"], household=household, year=year, income_per_capita=1_000_000,
                            deprivations=["1", "4", "9"])
    ReviewRound.objects.filter(year=2023).update(status=RoundStatus.APPROVED)
    ReviewRound.objects.filter(year=2024, commune_id__in=["90101", "90102"]).update(status=RoundStatus.APPROVED)
    return users


@pytest.mark.django_db
def test_the_opening_year_is_the_latest_recognised_everywhere(two_years):
    admin = two_years["admin"]
    assert opening_year(user=admin, area_code="90", years=[2023, 2024]) == 2023
    assert opening_year(user=admin, area_code="901", years=[2023, 2024]) == 2024  # both its communes recognised
    ReviewRound.objects.filter(year=2023, commune_id="90201").update(status=RoundStatus.OPEN)
    assert opening_year(user=admin, area_code="902", years=[2023, 2024]) == 2024  # none recognised: the latest


@pytest.mark.django_db
@pytest.mark.parametrize("slug", sorted(REPORTS))
def test_every_report_opens_where_the_dashboard_opens(two_years, client, slug):
    client.force_login(two_years["admin"])
    dashboard = client.get("/", {"area": "90"})
    report = client.get(f"/reports/{slug}/", {"area": "90"})
    assert report.status_code == 200
    assert report.context["year"] == dashboard.context["year"] == 2023
    assert '<option value="2023" selected>' in report.content.decode()
    picked = client.get(f"/reports/{slug}/", {"area": "90", "year": 2024})  # a year under review on demand
    assert picked.context["year"] == 2024


@pytest.mark.django_db
def test_the_annual_package_opens_on_the_same_year(two_years, client):
    client.force_login(two_years["admin"])
    response = client.get("/reports/annual-package/", {"area": "90"})
    assert response.status_code == 200 and "2023" in response["Content-Disposition"]


def selectors(html):
    """The year and area choices of the page's selector form, and which ones are chosen."""
    form = re.search(r'<form method="get" class="filters no-print" id="report-filters">(.*?)</form>', html, re.S)
    assert form, "no selectors on the page"
    options = re.findall(r'<option value="([^"]*)"( selected)?>', form.group(1))
    return [value for value, _ in options], [value for value, chosen in options if chosen]


@pytest.mark.django_db
@pytest.mark.parametrize("query,message", [
    ({"year": "20x4", "area": "90"}, "Năm “20x4” không hợp lệ"),
    ({"year": "1999", "area": "90"}, "Năm 1999 nằm ngoài khoảng 2000–2100."),
    ({"year": "2024", "area": "99999"}, "Không có đơn vị hành chính mã 99999."),
    ({"year": "2024", "area": "90", "as_of": "31/02/2025"}, "Ngày “31/02/2025” không hợp lệ: hãy ghi ngày/tháng/năm"),
])
def test_an_error_about_the_parameters_offers_the_selectors(two_years, client, query, message):
    client.force_login(two_years["admin"])
    response = client.get("/reports/poverty/", query)
    html = response.content.decode()
    assert response.status_code == 400 and message in html
    values, chosen = selectors(html)
    assert {"2023", "2024", "90", "901", "90101"} <= set(values)
    if query["area"] == "90":
        assert "90" in chosen  # the area asked stays chosen
    assert 'name="as_of"' in html  # the poverty report's own date field, to correct it
    error = re.search(r'<p class="notice error" role="alert">(.*?)</p>', html, re.S).group(1)
    assert not re.search(r"year|area|comparable|as_of|\?|=", error), error  # no URL parameter to type


@pytest.mark.django_db
def test_an_area_outside_the_officers_is_refused_with_the_selectors(two_years, client):
    client.force_login(two_years["commune"])  # 90101 only
    response = client.get("/reports/lists/", {"area": "90201", "year": 2024})
    html = response.content.decode()
    assert response.status_code == 400 and "Đơn vị 90201 nằm ngoài địa bàn của bạn." in html
    values, _ = selectors(html)
    assert "90101" in values and "90201" not in values
    response = client.get("/", {"area": "90201"})  # the dashboard alike
    assert response.status_code == 400 and 'id="report-filters"' in response.content.decode()


@pytest.mark.django_db
def test_a_year_before_the_area_existed_points_to_the_checkbox_not_a_parameter(client, db):
    from django.core.management import call_command

    from accounts.services import officer_save

    call_command("import_areas", "areas/data/admin_units_kontum.csv")
    admin, _ = officer_save(username="boss", role="admin", password="x", check_password=False)
    client.force_login(admin)
    html = client.get("/reports/poverty/", {"year": 2024, "area": "51"}).content.decode()
    assert "hoặc đánh dấu “So sánh theo địa giới hiện nay”" in html
    assert 'name="comparable"' in html
