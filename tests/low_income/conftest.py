import datetime

import pytest

from accounts.services import officer_save
from tests.factories import HouseholdFactory, MemberFactory

D = datetime.date
# Dates in the past whatever the day the tests run; the class in force in November 2026 is review year 2025's.
APPLIED, DETERMINED, DECIDED = D(2026, 11, 2), D(2026, 11, 10), D(2026, 11, 20)


@pytest.fixture
def chair(users):
    return officer_save(username="chair", role="commune_chair", area_codes=["90101"], password="x",
                        check_password=False)[0]


@pytest.fixture
def worker(users):
    """A member of a household with no result in 2025 (on no list: not poor) in the urban commune 90101."""
    household = HouseholdFactory(code="TNT-1", commune_id="90101")
    return MemberFactory(household=household, full_name="Nguyễn Văn Lao", birth_year=1990)


@pytest.fixture
def rural_worker(users):
    household = HouseholdFactory(code="TNT-2", commune_id="90201")
    return MemberFactory(household=household, full_name="Trần Thị Nông", birth_year=1992)
