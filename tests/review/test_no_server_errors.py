"""Inputs that used to answer 500: a year out of range on the progress board, money or a B1 score beyond any
real value, a leader on an assessment's admin page, a B1 score in a year whose standard has no B1 line."""
import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from review.models import Assessment, PovertyStandard, StandardLine
from review.services import MAX_B1_SCORE, MAX_INCOME_PER_CAPITA, year_reclassify
from tests.factories import HouseholdFactory

NO_B1 = "Năm 2019 chuẩn nghèo không dùng điểm B1: hãy nhập thu nhập bình quân"


# --- the progress board ------------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("year", ["0", "-1", "-2024", "99999999999", "1999", "2101"])
def test_progress_board_year_out_of_range_is_a_clear_400(client, users, year):
    client.force_login(users["district"])
    response = client.get(f"/review/progress/?year={year}")
    assert response.status_code == 400
    assert "Năm phải từ 2000 đến 2100" in response.content.decode()


@pytest.mark.django_db
def test_progress_board_still_shows_a_year_in_range(client, users):
    client.force_login(users["district"])
    assert client.get("/review/progress/?year=2000").status_code == 200
    assert client.get("/review/progress/?year=2024").status_code == 200


# --- money and B1 scores ---------------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("field, value, message", [
    ("income", "1" * 20, "1.000.000.000"),
    ("income", "1.000.000.001", "1.000.000.000"),
    ("b1", "1" * 20, f"{MAX_B1_SCORE:,}".replace(",", ".")),
    ("b1", str(MAX_B1_SCORE + 1), f"{MAX_B1_SCORE:,}".replace(",", ".")),
])
def test_worksheet_value_beyond_any_real_one_is_a_field_error(client, users, field, value, message):
    households = [HouseholdFactory(code=f"BIG-{n}", commune_id="90102") for n in range(2)]
    client.force_login(users["district"])
    data = {f"h{households[0].pk}-version": "", f"h{households[0].pk}-income": "1.200.000",
            f"h{households[1].pk}-version": "", f"h{households[1].pk}-{field}": value}
    response = client.post("/review/90102/2024/", data)
    assert response.status_code == 200
    rows = {household.code: form for household, _, form in response.context["rows"]}
    errors = " ".join(rows["BIG-1"].errors[field])
    assert message in errors
    assert not rows["BIG-0"].errors
    assert not Assessment.objects.exists()


@pytest.mark.django_db
def test_limits_hold_on_the_service_api_and_admin(assess, household, users, client):
    with pytest.raises(ValidationError) as error:
        assess(household, 2024, income=MAX_INCOME_PER_CAPITA + 1)
    assert "1.000.000.000" in " ".join(error.value.message_dict["income_per_capita"])
    with pytest.raises(ValidationError) as error:
        assess(household, 2024, b1=MAX_B1_SCORE + 1)
    assert "b1_score" in error.value.message_dict
    assert assess(household, 2024, income=MAX_INCOME_PER_CAPITA).classification == "not_poor"

    api = APIClient()
    api.force_authenticate(users["admin"])
    other = HouseholdFactory(code="BIG-API", commune_id="90102")
    for payload, field in [({"income_per_capita": 10 ** 12}, "income_per_capita"),
                           ({"income_per_capita": 10 ** 19}, "income_per_capita"),
                           ({"b1_score": MAX_B1_SCORE + 1}, "b1_score")]:
        response = api.post("/api/v1/assessments/", {"household": "BIG-API", "year": 2024, **payload}, format="json")
        assert response.status_code == 400 and field in response.json(), response.content

    client.force_login(users["admin"])
    response = client.post("/admin/review/assessment/add/", {
        "household": other.pk, "year": "2024", "income_per_capita": str(10 ** 12), "notes": ""})
    assert response.status_code == 200
    assert "income_per_capita" in response.context["adminform"].form.errors
    assert not Assessment.objects.filter(household=other).exists()


# --- a leader on the admin page of an assessment -----------------------------------------------------

@pytest.mark.django_db
def test_leader_sees_the_admin_page_of_an_assessment_read_only(assess, household, client, users):
    assessment = assess(household, 2024, income=1_200_000, deprivations=["1", "4", "9"])
    client.force_login(users["leader"])
    response = client.get(f"/admin/review/assessment/{assessment.pk}/change/")
    assert response.status_code == 200  # the read-only page (a 403 would be acceptable; a 500 never)
    html = response.content.decode()
    assert household.code in html and "1200000" in html and "1, 4, 9" in html
    assert 'name="income_per_capita"' not in html and ">None<" not in html
    posted = client.post(f"/admin/review/assessment/{assessment.pk}/change/", {"income_per_capita": "1"})
    assert posted.status_code == 403
    assert Assessment.objects.get(pk=assessment.pk).income_per_capita == 1_200_000


# --- a B1 score in a year whose standard has no B1 line ----------------------------------------------------

@pytest.mark.django_db
def test_b1_only_where_the_standard_has_no_b1_line_names_the_income(assess, household):
    with pytest.raises(ValidationError) as error:
        assess(household, 2019, b1=100)
    assert NO_B1 in " ".join(error.value.message_dict["income_per_capita"])
    assert not Assessment.objects.exists()
    assert assess(household, 2019, b1=100, income=1_000_000).classification == "near_poor"  # income decides


@pytest.mark.django_db
def test_b1_only_where_no_b1_line_is_a_400_or_field_error_everywhere(client, users):
    household = HouseholdFactory(code="B1-ONLY", commune_id="90102")
    client.force_login(users["district"])
    response = client.post("/review/90102/2019/", {f"h{household.pk}-version": "", f"h{household.pk}-b1": "100"})
    assert response.status_code == 200
    form = {h.code: form for h, _, form in response.context["rows"]}["B1-ONLY"]
    assert NO_B1 in " ".join(form.errors["income"])

    api = APIClient()
    api.force_authenticate(users["district"])
    response = api.post("/api/v1/assessments/", {"household": "B1-ONLY", "year": 2019, "b1_score": 100},
                        format="json")
    assert response.status_code == 400 and NO_B1 in " ".join(response.json()["income_per_capita"])

    response = client.post("/admin/review/assessment/add/", {
        "household": household.pk, "year": "2019", "b1_score": "100", "notes": ""})
    assert response.status_code == 200
    assert NO_B1 in " ".join(response.context["adminform"].form.errors["income_per_capita"])
    assert not Assessment.objects.exists()


@pytest.mark.django_db
def test_reclassify_after_the_b1_line_is_removed_is_a_clear_error(assess, household, users, client):
    assessment = assess(household, 2024, b1=100)  # urban B1 line 175: near-poor
    line = StandardLine.objects.get(standard__code="ND07-2021", area_type="urban")
    line.b1_line = None
    line.save()
    with pytest.raises(ValidationError) as error:
        year_reclassify(acting_user=users["admin"], year=2024)
    assert household.code in str(error.value) and "thu nhập bình quân" in str(error.value)
    client.force_login(users["admin"])
    standard = PovertyStandard.objects.get(code="ND07-2021")
    response = client.post("/admin/review/povertystandard/",
                           {"action": "reclassify_years", "_selected_action": [standard.pk]}, follow=True)
    assert response.status_code == 200
    assert any(household.code in str(m) for m in response.context["messages"])
    assert Assessment.objects.get(pk=assessment.pk).classification == "near_poor"
