"""A review year still under review is labelled as such everywhere — report page, JSON, API, Excel title block,
annual package, dashboard — with the count of the year's communes whose round is recognised, and the
dashboard opens on the latest year recognised in every commune."""
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from rest_framework.test import APIClient

from accounts.services import officer_save
from reports.provisional import provisional_status
from review.models import ReviewRound, RoundStatus
from review.services import assessment_save
from tests.factories import HouseholdFactory

LABEL = "đang rà soát: 2/3 xã đã công nhận"


@pytest.fixture
def two_years(users):
    """Three communes reviewed in 2023 and 2024; 2023 recognised everywhere, 2024 in two of the three."""
    for code, commune in (("P-1", "90101"), ("P-2", "90102"), ("P-3", "90201")):
        household = HouseholdFactory(code=code, commune_id=commune)
        for year in (2023, 2024):
            assessment_save(acting_user=users["admin"], household=household, year=year, income_per_capita=1_000_000,
                            deprivations=["1", "4", "9"])
    ReviewRound.objects.filter(year=2023).update(status=RoundStatus.APPROVED)
    ReviewRound.objects.filter(year=2024, commune_id__in=["90101", "90102"]).update(status=RoundStatus.APPROVED)
    return users


@pytest.mark.django_db
def test_the_count_of_recognised_communes(two_years):
    admin = two_years["admin"]
    assert provisional_status(user=admin, area_code="90", year=2024) == {
        "recognised": 2, "communes": 3, "label": LABEL}
    assert provisional_status(user=admin, area_code="901", year=2024) is None   # both of its communes recognised
    assert provisional_status(user=admin, area_code="902", year=2024)["label"] == "đang rà soát: 0/1 xã đã công nhận"
    assert provisional_status(user=admin, area_code="90", year=2023) is None
    with CaptureQueriesContext(connection) as queries:
        provisional_status(user=admin, area_code="90", year=2024)
    rounds = [q["sql"] for q in queries.captured_queries if "households_reviewround" in q["sql"]]
    assert len(rounds) == 1  # one query for the count, whatever the number of communes


@pytest.mark.django_db
def test_report_page_json_and_excel_say_so(client, two_years):
    client.force_login(two_years["admin"])
    page = client.get("/reports/poverty/", {"area": "90", "year": 2024}).content.decode()
    assert "Số liệu tạm thời" in page and LABEL in page
    final = client.get("/reports/poverty/", {"area": "90", "year": 2023}).content.decode()
    assert "Số liệu tạm thời" not in final
    data = client.get("/reports/poverty/", {"area": "90", "year": 2024, "format": "json"}).json()
    assert data["provisional"]["label"] == LABEL
    sheet = load_workbook(io.BytesIO(client.get("/reports/poverty/", {
        "area": "90", "year": 2024, "format": "xlsx"}).content)).active
    assert sheet["A4"].value == "KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2024"  # the title stays the form's
    assert sheet["A5"].value.endswith(f"Số liệu tạm thời — {LABEL}")
    sheet = load_workbook(io.BytesIO(client.get("/reports/poverty/", {
        "area": "90", "year": 2023, "format": "xlsx"}).content)).active
    assert "tạm thời" not in sheet["A5"].value


@pytest.mark.django_db
def test_annual_package_marks_the_review_year_sheets(client, two_years, settings):
    settings.CELERY_BROKER_URL = ""  # no workers: the package is built in the request and downloaded at once
    client.force_login(two_years["admin"])
    response = client.get("/reports/annual-package/", {"area": "90", "year": 2024})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    book = load_workbook(io.BytesIO(response.content))
    subtitles = {sheet.title: sheet["A5"].value for sheet in book.worksheets}
    assert subtitles["Hộ nghèo"].endswith(LABEL) and subtitles["Danh sách hộ"].endswith(LABEL)
    assert "tạm thời" not in subtitles["Chính sách"]  # a budget year, not a review


@pytest.mark.django_db
def test_api_payloads_carry_a_provisional_object(two_years):
    api = APIClient()
    api.force_authenticate(two_years["district"])
    poverty = api.get("/api/v1/reports/poverty/", {"year": 2024, "area": "90101"})
    assert poverty.status_code == 200 and poverty.json()["provisional"] is None  # recognised
    admin = APIClient()
    admin.force_authenticate(two_years["admin"])
    assert admin.get("/api/v1/reports/poverty/", {"year": 2024, "area": "90"}).json()["provisional"] == {
        "recognised": 2, "communes": 3, "label": LABEL}
    assert admin.get("/api/v1/reports/poverty/", {"year": 2023, "area": "90"}).json()["provisional"] is None
    deprivation = admin.get("/api/v1/reports/deprivation/", {"year": 2024, "area": "90"}).json()
    assert deprivation["provisional"]["label"] == LABEL
    spending = admin.get("/api/v1/reports/spending/", {"year": 2024, "area": "90"}).json()
    assert "provisional" not in spending  # not a review year's report


@pytest.mark.django_db
def test_the_dashboard_opens_on_the_latest_recognised_year(client, two_years):
    client.force_login(two_years["admin"])
    opened = client.get("/", {"area": "90"})
    assert opened.context["year"] == 2023 and opened.context["data"]["provisional"] is None
    assert "Số liệu tạm thời" not in opened.content.decode()
    picked = client.get("/", {"area": "90", "year": 2024})  # a leader can still pick the year under review
    html = picked.content.decode()
    assert picked.context["year"] == 2024 and LABEL in html and "Xem năm 2023" in html
    # an area where 2024 is recognised everywhere opens on 2024
    assert client.get("/", {"area": "901"}).context["year"] == 2024


@pytest.mark.django_db
def test_the_year_before_and_after_the_reform_counts_its_own_communes(db):
    """2024 counts the four communes that formed xã Đăk Tô on 1 July 2025; 2025 counts the merged commune."""
    call_command("import_areas", "areas/data/admin_units_kontum.csv")
    admin, _ = officer_save(username="boss", role="admin", password="x", check_password=False)
    for commune in ("23401", "23437"):
        ReviewRound.objects.create(commune_id=commune, year=2024, status=RoundStatus.APPROVED)
    ReviewRound.objects.create(commune_id="23440", year=2024)
    status = provisional_status(user=admin, area_code="23401", year=2024, comparable=True)
    assert status["label"] == "đang rà soát: 2/4 xã đã công nhận"
    assert provisional_status(user=admin, area_code="612", year=2024)["label"] == "đang rà soát: 2/9 xã đã công nhận"
    assert provisional_status(user=admin, area_code="23401", year=2025)["label"] == "đang rà soát: 0/1 xã đã công nhận"
    ReviewRound.objects.create(commune_id="23401", year=2025, status=RoundStatus.APPROVED)
    assert provisional_status(user=admin, area_code="23401", year=2025) is None
