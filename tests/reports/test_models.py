import pytest
from django.core.exceptions import ValidationError

from reports.models import HouseholdCount


@pytest.mark.django_db
def test_declared_counts_are_validated_and_scoped(areas, users, client):
    bad = HouseholdCount(commune=areas["90101"], year=2024, households=10, ethnic_minority_households=11)
    with pytest.raises(ValidationError) as error:
        bad.full_clean()
    assert "ethnic_minority_households" in error.value.message_dict
    HouseholdCount.objects.create(commune=areas["90101"], year=2024, households=10, ethnic_minority_households=8)
    HouseholdCount.objects.create(commune=areas["90201"], year=2024, households=20, ethnic_minority_households=8)
    assert HouseholdCount.objects.visible_to(users["commune"]).count() == 1
    duplicate = HouseholdCount(commune=areas["90101"], year=2024, households=1, ethnic_minority_households=0)
    with pytest.raises(ValidationError, match="đã khai báo"):
        duplicate.full_clean()
    client.force_login(users["commune"])
    page = client.get("/admin/reports/householdcount/")
    assert [c.commune_id for c in page.context["cl"].result_list] == ["90101"]


@pytest.mark.django_db
def test_a_household_registered_today_counts_in_the_years_of_its_reviews(areas, users):
    """Regression: `registered_on` defaulted to today, so a household entered in 2026 with its 2024 review
    was poor in 2024 but missing from the 2024 denominator (0 households, no rate)."""
    import datetime

    from reports.poverty import poverty_summary
    from review.services import assessment_save
    from tests.factories import HouseholdFactory

    household = HouseholdFactory(code="NEW-2026", commune_id="90101", registered_on=datetime.date(2026, 3, 1))
    assessment_save(acting_user=users["admin"], household=household, year=2024, income_per_capita=500_000,
                    deprivations=["1", "2", "3", "4"])
    total = poverty_summary(user=users["admin"], area_code="90101", year=2024)["total"]
    assert (total["households"], total["poor"]) == (1, 1)
    assert str(total["poor_rate"]) == "100.00"
    # A household that left before the year and had no review then is still not counted.
    HouseholdFactory(code="GONE", commune_id="90101", registered_on=datetime.date(2020, 1, 1),
                     status="moved", left_on=datetime.date(2023, 6, 1))
    assert poverty_summary(user=users["admin"], area_code="90101", year=2024)["total"]["households"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize("field, value", [("households", 2**63 - 1), ("ethnic_minority_households", 10**7),
                                          ("year", 99999)])
def test_declared_counts_have_sane_maximums(areas, users, field, value):
    """A count beyond any commune is a clear field error through the API, never a 500 in the reports."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(users["commune"])
    body = {"commune": "90101", "year": 2024, "households": 10, "ethnic_minority_households": 5, field: value}
    response = client.post("/api/v1/household-counts/", body, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not HouseholdCount.objects.exists()


@pytest.mark.django_db
def test_the_denominator_places_each_household_where_that_years_review_or_the_register_puts_it(areas, users):
    """The households of a year come from two parts (reviewed that year, placed by the review; not reviewed,
    placed by the register's commune and dates): a household that moved after its review counts where it was
    reviewed, one registered after the year or gone before it does not count, one that left during it does."""
    import datetime

    from households.models import Household
    from reports.poverty import poverty_summary
    from review.services import assessment_save
    from tests.factories import HouseholdFactory

    moved = HouseholdFactory(code="MOVED", commune_id="90101", registered_on=datetime.date(2020, 1, 1))
    assessment_save(acting_user=users["admin"], household=moved, year=2024, income_per_capita=500_000,
                    deprivations=["1", "2", "3", "4"])
    Household.objects.filter(pk=moved.pk).update(commune_id="90102", village_id=None)  # moved since
    HouseholdFactory(code="STAYED", commune_id="90102", registered_on=datetime.date(2020, 1, 1))
    HouseholdFactory(code="LATER", commune_id="90101", registered_on=datetime.date(2025, 2, 1))
    HouseholdFactory(code="LEFT-IN-YEAR", commune_id="90101", registered_on=datetime.date(2020, 1, 1),
                     status="moved", left_on=datetime.date(2024, 6, 1))
    HouseholdFactory(code="LEFT-BEFORE", commune_id="90101", registered_on=datetime.date(2020, 1, 1),
                     status="moved", left_on=datetime.date(2023, 6, 1))
    summary = poverty_summary(user=users["admin"], area_code="901", year=2024)
    households = {row["area"]["code"]: row["households"] for row in summary["rows"]}
    assert households == {"90101": 2, "90102": 1}
    assert (summary["total"]["households"], summary["total"]["poor"]) == (3, 1)
