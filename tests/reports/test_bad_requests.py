"""Reports asked for an area in a year it did not exist answer a clear 400 (pages, JSON, Excel, API); the
dashboard shows such a year on today's map. Regressions: each of these was an HTTP 500."""
import pytest
from django.core.management import call_command

from accounts.services import officer_save


@pytest.fixture
def admin_client(db, client):
    call_command("import_areas", "areas/data/admin_units_kontum.csv")
    user, _ = officer_save(username="boss", role="admin", password="x", check_password=False)
    client.force_login(user)
    return client


@pytest.mark.parametrize("url", [
    "/reports/poverty/?year=2024&area=51",
    "/reports/poverty/?year=2024&area=51&format=json",
    "/reports/spending/?year=2024&area=51&format=xlsx",
    "/reports/annual-package/?year=2024&area=51",
])
def test_a_report_for_a_year_before_the_area_existed_is_a_clear_400(admin_client, url):
    response = admin_client.get(url)
    assert response.status_code == 400
    assert "chỉ có từ ngày 01/07/2025" in response.content.decode()


def test_the_api_names_the_area_parameter(admin_client):
    response = admin_client.get("/api/v1/reports/poverty/", {"year": 2024, "area": "51"})
    assert response.status_code == 400
    assert "01/07/2025" in response.json()["area"][0]


def test_the_same_report_on_todays_map_is_served(admin_client):
    response = admin_client.get("/reports/poverty/", {"year": 2024, "area": "51", "comparable": "1"})
    assert response.status_code == 200


@pytest.mark.parametrize("year", [2025, 2024])
def test_the_dashboard_of_a_province_formed_in_2025_opens(admin_client, year):
    """A fresh `make run`: the admin's default area is the new province 51; 2025 compares with 2024, when
    51 did not exist, and 2024 itself is shown on today's map with a note."""
    response = admin_client.get("/", {"year": year, "area": "51"})
    assert response.status_code == 200
    page = response.content.decode()
    assert ("theo địa giới hiện nay" in page) == (year == 2024)


@pytest.mark.parametrize("url", ["/reports/poverty/", "/reports/spending/?area=51", "/reports/annual-package/"])
def test_a_report_opened_without_a_year_on_a_province_formed_in_2025_opens_on_todays_map(admin_client, url):
    """The opening year is 2024 (the only reviewed one) and province 51 did not exist then: the page the product
    chose opens on today's map, as the dashboard does, instead of the error a year asked for gets."""
    from review.models import ReviewRound

    ReviewRound.objects.create(commune_id="23401", year=2024)
    response = admin_client.get(url)
    assert response.status_code == 200
    if "annual-package" not in url:
        assert 'name="comparable" value="1" checked' in response.content.decode()
