"""A household reviewed in a year existed in that year: creating its assessment of year Y moves a later
registration date back to 1 January Y, in the audit trail with the acting user."""
import datetime

import pytest

from households.models import Household
from tests.factories import HouseholdFactory


@pytest.mark.django_db
def test_creating_a_review_moves_a_later_registration_back(assess, users):
    household = HouseholdFactory(code="LATE-1", commune_id="90102", registered_on=datetime.date(2026, 3, 1))
    history_before = household.history.count()
    assess(household, 2024, income=1_200_000, user=users["district"])
    stored = Household.objects.get(pk=household.pk)
    assert stored.registered_on == datetime.date(2024, 1, 1)
    assert stored.history.count() == history_before + 1
    last = stored.history.first()
    assert last.history_user.username == "district" and last.registered_on == datetime.date(2024, 1, 1)
    assert "2024" in last.history_change_reason
    # an earlier year moves it further back; a later one leaves it
    assess(household, 2023, income=1_200_000, user=users["admin"])
    assess(household, 2025, income=1_200_000, user=users["admin"])
    assert Household.objects.get(pk=household.pk).registered_on == datetime.date(2023, 1, 1)


@pytest.mark.django_db
def test_registration_already_in_time_is_left_alone(assess, users):
    household = HouseholdFactory(code="EARLY-1", commune_id="90102", registered_on=datetime.date(2024, 1, 1))
    before = (household.version, household.history.count())
    assess(household, 2024, income=1_200_000)
    stored = Household.objects.get(pk=household.pk)
    assert stored.registered_on == datetime.date(2024, 1, 1) and (stored.version, stored.history.count()) == before


@pytest.mark.django_db
def test_worksheet_creation_moves_the_registration_back(client, users):
    household = HouseholdFactory(code="LATE-2", commune_id="90102", registered_on=datetime.date(2024, 5, 5))
    client.force_login(users["district"])
    response = client.post("/review/90102/2024/", {f"h{household.pk}-version": "", f"h{household.pk}-income": "1200000"})
    assert response.status_code == 302
    stored = Household.objects.get(pk=household.pk)
    assert stored.registered_on == datetime.date(2024, 1, 1)
    assert stored.history.first().history_user.username == "district"


@pytest.mark.django_db
def test_the_worksheet_of_a_year_takes_no_household_registered_after_its_window(client, users):
    """Issue 28.5: a household registered after the 2024 review closed (14/12/2024) is not one of that review's
    households: its worksheet neither lists nor saves it (a past result is recorded through the admin, the API
    or the import, which move the registration back)."""
    household = HouseholdFactory(code="LATE-3", commune_id="90102", registered_on=datetime.date(2026, 5, 5))
    client.force_login(users["district"])
    assert "LATE-3" not in client.get("/review/90102/2024/").content.decode()
    response = client.post("/review/90102/2024/", {f"h{household.pk}-version": "", f"h{household.pk}-income": "1200000"},
                           follow=True)
    assert "1 dòng không được lưu" in response.content.decode()
    stored = Household.objects.get(pk=household.pk)
    assert stored.registered_on == datetime.date(2026, 5, 5) and not stored.assessments.exists()
