"""Titles say the REVIEW year: the poverty report's Excel sheet is "Kết quả rà soát … năm N" for the review
carried out in the autumn of N, and the certificate names the review year and the year its list is in force
(N+1). Calendar-year reports (spending, training, cooperatives) keep their titles."""
import io
import re

import pytest
from openpyxl import load_workbook

from reports.registry import REPORTS
from review.models import Assessment
from tests.factories import HouseholdFactory


@pytest.fixture
def poor_2024(users, assess):
    household = HouseholdFactory(code="T-1", commune_id="90102")
    assess(household, 2023, income=1_000_000, deprivations=["1", "4", "9"])
    return assess(household, 2024, income=1_000_000, deprivations=["1", "4", "9"])


@pytest.fixture
def assess(users):
    from review.services import assessment_save

    def run(household, year, income, deprivations):
        return assessment_save(acting_user=users["admin"], household=household, year=year, income_per_capita=income,
                               deprivations=deprivations)
    return run


@pytest.mark.django_db
def test_poverty_excel_title_is_the_result_of_the_review_year(client, users, poor_2024):
    client.force_login(users["admin"])
    response = client.get("/reports/poverty/?area=90&year=2024&format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [row[0] for row in sheet.iter_rows(values_only=True) if row and row[0]]
    assert "KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2024" in values
    assert not any("NĂM 2025" in str(value) for value in values)


@pytest.mark.django_db
def test_annual_package_titles(client, users, poor_2024):
    client.force_login(users["admin"])
    response = client.get("/reports/annual-package/", {"area": "90", "year": 2024})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    titles = {sheet.title: sheet["A4"].value for sheet in book.worksheets}
    assert titles["Hộ nghèo"] == "KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2024"
    assert titles["Thiếu hụt"].endswith("KẾT QUẢ RÀ SOÁT NĂM 2024")
    assert titles["Danh sách hộ"].endswith("THEO KẾT QUẢ RÀ SOÁT NĂM 2024")
    assert titles["Sổ hộ"].endswith("KẾT QUẢ RÀ SOÁT NĂM 2024")
    assert titles["Chính sách"] == REPORTS["spending"].title.upper()  # a budget year, not a review


def test_registry_titles():
    assert REPORTS["poverty"].title_for(2025) == "Kết quả rà soát hộ nghèo, hộ cận nghèo năm 2025"
    assert REPORTS["poverty"].title_for(None) == REPORTS["poverty"].title
    assert REPORTS["training"].title_for(2025) == REPORTS["training"].title


@pytest.mark.django_db
def test_certificate_says_the_review_year_and_the_year_in_force(client, users, poor_2024):
    client.force_login(users["district"])
    response = client.get(f"/review/certificate/{poor_2024.pk}/")
    assert response.status_code == 200
    html = re.sub(r"\s+", " ", response.content.decode())
    assert "GIẤY CHỨNG NHẬN HỘ NGHÈO, HỘ CẬN NGHÈO</h1>" in html  # the title of Mẫu số 03
    assert "Kết quả rà soát năm 2024 — danh sách áp dụng năm 2025" in html
    # The form's own words (Mẫu số 03): the yearly cell of the review of 2024 is the cell of 2025.
    assert "Căn cứ kết quả rà soát hộ nghèo, hộ cận nghèo hằng năm trên địa bàn" in html
    assert 'id="grid-2025"><td class="year">NĂM 2025</td>' in html
    assert Assessment.objects.get(pk=poor_2024.pk).year == 2024
