import pytest

from households.models import EthnicGroup
from review.services import assessment_save
from tests.factories import HouseholdFactory


@pytest.fixture
def assess(users):
    """assess(household, year, income=..., deprivations=...) through the service, as the admin."""

    def run(household, year, income=None, deprivations=(), b1=None, user=None, **kwargs):
        return assessment_save(acting_user=user or users["admin"], household=household, year=year,
                               income_per_capita=income, b1_score=b1, deprivations=deprivations, **kwargs)

    return run


@pytest.fixture
def household(users):
    return HouseholdFactory(code="HH-REVIEW", ethnic_group=EthnicGroup.objects.get(code="14"))
