import datetime

import pytest

from accounts.services import officer_save
from households.models import Livelihood
from tests.factories import HouseholdFactory, MemberFactory

D = datetime.date
# Dates in the past whatever the day the tests run: requests of November 2026 follow the lists of review year 2025
# (Decree 07/2021: urban income line 2,000,000, average line 3,000,000 đồng/person/month).
REQUESTED, DETERMINED, DECIDED = D(2026, 11, 2), D(2026, 11, 10), D(2026, 11, 20)


@pytest.fixture
def chair(users):
    return officer_save(username="chair", role="commune_chair", area_codes=["90101"], password="x",
                        check_password=False)[0]


@pytest.fixture
def farm(users):
    """A farming household of four in the urban commune 90101."""
    household = HouseholdFactory(code="MSTB-1", commune_id="90101", livelihood=Livelihood.AGRICULTURE)
    for number in range(3):
        MemberFactory(household=household, full_name=f"Con {number}", birth_year=2005 + number)
    return household


@pytest.fixture
def shop(users):
    return HouseholdFactory(code="SHOP-1", commune_id="90101", livelihood=Livelihood.OTHER)
