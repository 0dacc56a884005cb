"""Pages say which year they mean: the result of the review of year N ("Kết quả rà soát … năm N"), and the
lists it recognises, in force in N+1 ("danh sách áp dụng năm N+1")."""
import importlib
import re

import pytest
from django.apps import apps as django_apps

from review.models import Assessment
from tests.factories import HouseholdFactory

migration = importlib.import_module("review.migrations.0003_standards_on_review_years")


def text(response):
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.mark.django_db
def test_worksheet_names_the_review_year_the_lists_year_and_the_standards_review_years(client, users):
    HouseholdFactory(code="W-1", commune_id="90102")
    client.force_login(users["district"])
    html = text(client.get("/review/90102/2021/"))
    assert "Rà soát hộ nghèo, hộ cận nghèo năm 2021" in html
    assert "Kết quả rà soát năm 2021 là căn cứ công nhận danh sách hộ nghèo, hộ cận nghèo áp dụng năm 2022" in html
    assert "Nghị định 07/2021/NĐ-CP" in html and "áp dụng cho các đợt rà soát năm 2021–2025" in html
    assert 'id="other-standards"' not in html


@pytest.mark.django_db
def test_worksheet_of_2026_offers_the_2026_standards_indicators(client, users):
    HouseholdFactory(code="W-2", commune_id="90102")
    client.force_login(users["district"])
    response = client.get("/review/90102/2026/")
    html = text(response)
    assert response.context["standard"].code == "ND351-2025"
    assert [i.code for i in response.context["indicators"]] == [str(n) for n in range(1, 14)]
    assert "danh sách hộ nghèo, hộ cận nghèo áp dụng năm 2027" in html
    assert "giai đoạn 2026–2030" in html and "áp dụng cho các đợt rà soát năm 2026–2029" in html


@pytest.mark.django_db
def test_worksheet_says_which_assessments_keep_another_standard(client, users, assess):
    """A 2021 assessment stored under Decision 59 (before the years were corrected) keeps it; the page says so."""
    household = HouseholdFactory(code="W-3", commune_id="90102")
    from tests.review.test_standards_review_years import put_back_the_seed

    put_back_the_seed()
    assess(household, 2021, income=650_000, deprivations=["1"])
    migration.forward(django_apps, None)
    client.force_login(users["district"])
    html = text(client.get("/review/90102/2021/"))
    assert re.search(r'id="other-standards">1 hộ có kết quả rà soát năm 2021 đã lưu theo Chuẩn nghèo tiếp cận '
                     r'đa chiều giai đoạn 2016–2020', html)
    assert Assessment.objects.get(household=household).get_classification_display() in html


@pytest.mark.django_db
def test_lists_page_is_the_result_of_the_review_year_and_names_the_year_in_force(client, users, assess):
    household = HouseholdFactory(code="L-1", commune_id="90102")
    assess(household, 2024, income=1_000_000, deprivations=["1", "4", "9"])
    client.force_login(users["district"])
    html = text(client.get("/review/90102/2024/lists/"))
    assert "<title>Kết quả rà soát năm 2024" in html
    assert "<h1>Kết quả rà soát hộ nghèo, hộ cận nghèo năm 2024 — " in html
    assert "danh sách áp dụng năm 2025" in html
    assert "Danh sách hộ nghèo (1 hộ)" in html
