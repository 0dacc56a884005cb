"""The household's main livelihood is recorded (snapshot on each result) but no longer decides the class: the
annual review never gives "average living standard" — under Decision 24/2021/QĐ-TTg (Art. 2(2), 3(2)) a farm,
forestry, fishery or salt-making household applies for it and the commune chairman recognises it by a decision
(tests/living_standard). Above the near-poor line a household is "not poor" whatever its livelihood. Results stored
as "average" before keep their figures and are shown for what they are. Edges at the 2021, 2025 and 2026
standards, the defaults by commune, and every path."""
import re

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from households.models import EthnicGroup, Household, Livelihood
from households.services import household_create, household_update
from review.classification import AVERAGE, NEAR_POOR, NOT_POOR, Lines, classify
from review.models import Assessment, Classification, ReviewRound, RoundStatus
from review.services import assessment_save, year_reclassify
from tests.factories import HouseholdFactory, MemberFactory
from tests.households.test_admin_entry import ADD_URL, household_post

RURAL_07 = Lines(income_line=1_500_000, min_deprivations=3, average_line=2_250_000, b1_line=140)


@pytest.mark.parametrize("income, expected", [
    (1_500_000, NEAR_POOR),  # on the income line: near-poor
    (1_500_001, NOT_POOR),   # 2025, farm household, 1,500,001 gave "average" before: not poor now
    (2_250_000, NOT_POOR),   # exactly on the average line
    (2_250_001, NOT_POOR),
])
def test_above_the_near_poor_line_is_not_poor_never_average(income, expected):
    assert classify(RURAL_07, deprivations=0, income=income) == expected


@pytest.fixture
def households(users):
    """A farming and a non-farming household in the rural commune 90102."""
    farm = HouseholdFactory(code="FARM-1", commune_id="90102", livelihood=Livelihood.FORESTRY)
    shop = HouseholdFactory(code="SHOP-1", commune_id="90102", livelihood=Livelihood.OTHER)
    return farm, shop


@pytest.mark.django_db
@pytest.mark.parametrize("year, income, expected", [
    (2021, 2_250_000, NOT_POOR),    # Decree 07, first review year: on the rural average line
    (2025, 1_500_001, NOT_POOR),    # Decree 07, last review year: just above the line
    (2025, 2_250_001, NOT_POOR),
    (2026, 2_250_000, NOT_POOR),
    (2026, 2_200_000, NEAR_POOR),   # the 2026–2030 income line
    (2020, 1_200_000, NOT_POOR),    # Decision 59
])
def test_the_service_gives_farm_and_other_households_the_same_class(households, users, year, income, expected):
    farm, shop = households
    saved_farm = assessment_save(acting_user=users["admin"], household=farm, year=year, income_per_capita=income)
    saved_shop = assessment_save(acting_user=users["admin"], household=shop, year=year, income_per_capita=income)
    assert (saved_farm.classification, saved_shop.classification) == (expected, expected)
    assert (saved_farm.livelihood, saved_shop.livelihood) == (Livelihood.FORESTRY, Livelihood.OTHER)


@pytest.mark.django_db
def test_household_create_defaults_by_commune(users, areas):
    kinh = EthnicGroup.objects.get(code="01")
    town = household_create(acting_user=users["admin"], code="TOWN-1", commune=areas["90101"], head_name="A",
                            ethnic_group=kinh)  # 90101 is a thị trấn: urban
    village = household_create(acting_user=users["admin"], code="RUR-1", commune=areas["90102"], head_name="B",
                               ethnic_group=kinh)
    fisher = household_create(acting_user=users["admin"], code="TOWN-2", commune=areas["90101"], head_name="C",
                              ethnic_group=kinh, livelihood=Livelihood.FISHERY)
    assert (town.livelihood, village.livelihood, fisher.livelihood) == (
        Livelihood.OTHER, Livelihood.AGRICULTURE, Livelihood.FISHERY)


@pytest.mark.django_db
def test_a_livelihood_change_follows_into_open_years_and_leaves_the_class(households, users):
    farm, _ = households
    recognised = assessment_save(acting_user=users["admin"], household=farm, year=2023, income_per_capita=2_000_000)
    ReviewRound.objects.filter(pk=recognised.review_round_id).update(status=RoundStatus.APPROVED)
    open_ = assessment_save(acting_user=users["admin"], household=farm, year=2024, income_per_capita=2_000_000)
    assert recognised.classification == open_.classification == NOT_POOR
    household_update(acting_user=users["admin"], household=farm, livelihood=Livelihood.OTHER)
    stored = Assessment.objects.get(pk=open_.pk)
    assert (stored.classification, stored.livelihood, stored.movement) == (NOT_POOR, Livelihood.OTHER, open_.movement)
    kept = Assessment.objects.get(pk=recognised.pk)
    assert (kept.classification, kept.livelihood) == (NOT_POOR, Livelihood.FORESTRY)


@pytest.mark.django_db
def test_a_result_stored_as_average_keeps_its_figures_and_says_what_it_is(households, users):
    """A result stored as "average" by the old rule is not rewritten by a livelihood change and is shown as
    "above the near-poor line", not as a recognition of average living standard."""
    farm, _ = households
    saved = assessment_save(acting_user=users["admin"], household=farm, year=2024, income_per_capita=2_000_000)
    Assessment.objects.filter(pk=saved.pk).update(classification=AVERAGE)  # as the old rule stored it
    household_update(acting_user=users["admin"], household=farm, livelihood=Livelihood.OTHER)
    stored = Assessment.objects.get(pk=saved.pk)
    assert (stored.classification, stored.income_per_capita, stored.livelihood) == (
        AVERAGE, 2_000_000, Livelihood.OTHER)
    assert stored.get_classification_display() == Classification.AVERAGE.label
    assert stored.get_classification_display().startswith("Trên chuẩn cận nghèo")
    assert "Hộ có mức sống trung bình" not in Classification.AVERAGE.label


@pytest.mark.django_db
def test_year_reclassify_gives_not_poor_above_the_line(households, users):
    farm, shop = households
    for household in (farm, shop):
        assessment_save(acting_user=users["admin"], household=household, year=2024, income_per_capita=2_000_000)
    Assessment.objects.filter(year=2024).update(classification=NEAR_POOR)  # as if a line had changed
    result = year_reclassify(acting_user=users["admin"], year=2024)
    assert result.changed == 2
    assert dict(Assessment.objects.filter(year=2024).values_list("household__code", "classification")) == {
        "FARM-1": NOT_POOR, "SHOP-1": NOT_POOR}


@pytest.mark.django_db
def test_api_and_admin_carry_the_livelihood(users, client):
    api = APIClient()
    api.force_authenticate(users["admin"])
    created = api.post("/api/v1/households/", {"code": "API-TOWN", "commune": "90101", "head_name": "Y Hoa",
                                               "ethnic_group": "14"}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["livelihood"] == "other"  # urban commune
    changed = api.patch("/api/v1/households/API-TOWN/", {"livelihood": "salt", "version": created.json()["version"]},
                        format="json")
    assert changed.status_code == 200, changed.json()
    assert Household.objects.get(code="API-TOWN").livelihood == Livelihood.SALT
    bad = api.patch("/api/v1/households/API-TOWN/", {"livelihood": "mining", "version": changed.json()["version"]},
                    format="json")
    assert bad.status_code == 400 and "livelihood" in bad.json()
    client.force_login(users["admin"])
    page = client.get(f"/admin/households/household/{Household.objects.get(code='API-TOWN').pk}/change/")
    assert page.status_code == 200 and "Sinh kế chính" in page.content.decode()


@pytest.mark.django_db
def test_the_worksheet_preview_offers_no_average_class(households, client, users):
    client.force_login(users["district"])
    html = client.get("/review/90102/2024/").content.decode()
    assert re.search(r"<td[^>]*>FARM-1", html) and "data-farm" not in html  # the preview no longer asks
    script = (settings.BASE_DIR / "static" / "js" / "worksheet.js").read_text(encoding="utf-8")
    assert 'return "average"' not in script and "trung bình" not in script  # the preview mirrors classify


@pytest.mark.django_db
def test_admin_household_form_defaults_the_livelihood_by_commune(client, users):
    client.force_login(users["admin"])
    response = client.post(ADD_URL, household_post(code="ADM-TOWN", livelihood=""))  # 90101: a thị trấn
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Household.objects.get(code="ADM-TOWN").livelihood == Livelihood.OTHER
    response = client.post(ADD_URL, household_post(code="ADM-SALT", livelihood="salt", members=[
        {"full_name": "Lê Văn C", "relation_to_head": "head", "gender": "male", "birth_year": "1970",
         "ethnic_group": "01"}]))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Household.objects.get(code="ADM-SALT").livelihood == Livelihood.SALT


@pytest.mark.django_db
def test_admin_member_changes_rederive_the_open_year(client, users):
    household = HouseholdFactory(code="ADM-OLD", commune_id="90101", with_head=False)
    head = MemberFactory(household=household, full_name="Ông Lão", gender="male", birth_year=1948,
                         relation_to_head="head")
    saved = assessment_save(acting_user=users["admin"], household=household, year=2024, income_per_capita=900_000)
    assert saved.no_labour_capacity is True
    client.force_login(users["admin"])
    data = household_post(code="ADM-OLD", version=household.version, livelihood="agriculture", members=[
        {"id": str(head.pk), "household": str(household.pk), "full_name": "Ông Lão", "relation_to_head": "head",
         "gender": "male", "birth_year": "1948", "ethnic_group": "14", "loaded_version": str(head.version)},
        {"full_name": "Con Trai", "relation_to_head": "child", "gender": "male", "birth_year": "1990",
         "ethnic_group": "14", "household": str(household.pk)},
    ])
    data["members-INITIAL_FORMS"] = "1"
    response = client.post(f"/admin/households/household/{household.pk}/change/", data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    assert Assessment.objects.get(pk=saved.pk).no_labour_capacity is False
