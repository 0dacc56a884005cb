"""The household's main livelihood decides "average living standard": Decision 24/2021/QĐ-TTg defines that
class for households living from agriculture, forestry, fishery or salt-making; other households above the
line are "not poor". Edges at the 2021, 2025 and 2026 standards, the defaults by commune, and every path."""
import re

import pytest
from rest_framework.test import APIClient

from households.models import EthnicGroup, Household, Livelihood
from households.services import household_create, household_update
from review.classification import AVERAGE, NEAR_POOR, NOT_POOR, Lines, classify
from review.models import Assessment, ReviewRound, RoundStatus
from review.services import assessment_save, year_reclassify
from tests.factories import HouseholdFactory, MemberFactory
from tests.households.test_admin_entry import ADD_URL, household_post

RURAL_07 = Lines(income_line=1_500_000, min_deprivations=3, average_line=2_250_000, b1_line=140)


@pytest.mark.parametrize("income, farm, expected", [
    (1_500_000, True, NEAR_POOR), (1_500_000, False, NEAR_POOR),   # on the income line: near-poor for both
    (1_500_001, True, AVERAGE), (1_500_001, False, NOT_POOR),
    (2_250_000, True, AVERAGE), (2_250_000, False, NOT_POOR),      # exactly on the average line
    (2_250_001, True, NOT_POOR), (2_250_001, False, NOT_POOR),
])
def test_average_only_for_farm_livelihoods(income, farm, expected):
    assert classify(RURAL_07, deprivations=0, income=income, farm_livelihood=farm) == expected


def test_the_default_keeps_the_old_rule():
    assert classify(RURAL_07, deprivations=0, income=2_000_000) == AVERAGE


@pytest.fixture
def households(users):
    """A farming and a non-farming household in the rural commune 90102."""
    farm = HouseholdFactory(code="FARM-1", commune_id="90102", livelihood=Livelihood.FORESTRY)
    shop = HouseholdFactory(code="SHOP-1", commune_id="90102", livelihood=Livelihood.OTHER)
    return farm, shop


@pytest.mark.django_db
@pytest.mark.parametrize("year, income, farm_class, other_class", [
    (2021, 2_250_000, AVERAGE, NOT_POOR),    # Decree 07, first review year: on the rural average line
    (2025, 2_250_000, AVERAGE, NOT_POOR),    # Decree 07, last review year
    (2025, 2_250_001, NOT_POOR, NOT_POOR),
    (2026, 2_250_000, NOT_POOR, NOT_POOR),   # 2026–2030 standard: no average line seeded (unverified)
    (2026, 2_200_000, NEAR_POOR, NEAR_POOR),  # its income line
    (2020, 1_200_000, NOT_POOR, NOT_POOR),   # Decision 59: no average class
])
def test_the_service_classifies_by_livelihood(households, users, year, income, farm_class, other_class):
    farm, shop = households
    saved_farm = assessment_save(acting_user=users["admin"], household=farm, year=year, income_per_capita=income)
    saved_shop = assessment_save(acting_user=users["admin"], household=shop, year=year, income_per_capita=income)
    assert (saved_farm.classification, saved_shop.classification) == (farm_class, other_class)
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
def test_a_livelihood_change_follows_into_open_years_not_recognised_ones(households, users):
    farm, _ = households
    recognised = assessment_save(acting_user=users["admin"], household=farm, year=2023, income_per_capita=2_000_000)
    ReviewRound.objects.filter(pk=recognised.review_round_id).update(status=RoundStatus.APPROVED)
    open_ = assessment_save(acting_user=users["admin"], household=farm, year=2024, income_per_capita=2_000_000)
    assert recognised.classification == open_.classification == AVERAGE
    household_update(acting_user=users["admin"], household=farm, livelihood=Livelihood.OTHER)
    stored = Assessment.objects.get(pk=open_.pk)
    assert (stored.classification, stored.livelihood) == (NOT_POOR, Livelihood.OTHER)
    assert stored.movement == open_.movement  # average and not poor move alike
    kept = Assessment.objects.get(pk=recognised.pk)
    assert (kept.classification, kept.livelihood) == (AVERAGE, Livelihood.FORESTRY)


@pytest.mark.django_db
def test_year_reclassify_uses_the_snapshot(households, users):
    farm, shop = households
    for household in (farm, shop):
        assessment_save(acting_user=users["admin"], household=household, year=2024, income_per_capita=2_000_000)
    Assessment.objects.filter(year=2024).update(classification=NEAR_POOR)  # as if a line had changed
    result = year_reclassify(acting_user=users["admin"], year=2024)
    assert result.changed == 2
    assert dict(Assessment.objects.filter(year=2024).values_list("household__code", "classification")) == {
        "FARM-1": AVERAGE, "SHOP-1": NOT_POOR}


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
def test_worksheet_preview_knows_the_livelihood(households, client, users):
    client.force_login(users["district"])
    html = client.get("/review/90102/2024/").content.decode()
    rows = {code: flag for flag, code in re.findall(r'data-farm="(\d)">\s*<td>([A-Z]+-1)', html)}
    assert rows == {"FARM-1": "1", "SHOP-1": "0"}


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
