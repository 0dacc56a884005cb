"""The assessment form offers the indicators of the standard its review year follows."""
import pytest

from review.services import assessment_save
from tests.factories import HouseholdFactory


@pytest.mark.django_db
@pytest.mark.parametrize("year, offered, absent", [(2024, "12. Phương tiện phục vụ tiếp cận thông tin", "13."),
                                                   (2026, "13. ", "12. Phương tiện phục vụ tiếp cận thông tin")])
def test_the_form_offers_the_years_indicators(client, users, year, offered, absent):
    """Regression: the form always offered Decree 07's twelve, so a 2026 result could not mark indicator 13."""
    household = HouseholdFactory(code="IND-1", commune_id="90101")
    assessment = assessment_save(acting_user=users["admin"], household=household, year=year,
                                 income_per_capita=1_000_000, deprivations=["1"])
    client.force_login(users["commune"])
    page = client.get(f"/admin/review/assessment/{assessment.pk}/change/").content.decode()
    assert offered in page and absent not in page
