import datetime

import pytest

from households.models import EthnicGroup
from review.services import assessment_save
from tests.factories import HouseholdFactory
from tests.review.procedure import recognise_round


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


@pytest.fixture
def reviewers(users):
    """The roles of the recognition: the commune chairman of 90101 (and of 90201), the province officer of 90."""
    from accounts.services import officer_save

    specs = {"chair": ("commune_chair", ["90101"]), "other_chair": ("commune_chair", ["90201"]),
             "province": ("province_officer", ["90"])}
    return {name: officer_save(username=name, role=role, area_codes=codes, password="x", check_password=False)[0]
            for name, (role, codes) in specs.items()}


@pytest.fixture
def everyone(users, reviewers):
    return {**users, **reviewers}


@pytest.fixture
def lists_2024(assess, everyone):
    """Commune 90101's 2024 review, recognised on 15/12/2024: a poor, a near-poor and a not-poor household."""
    poor = HouseholdFactory(code="RR-POOR")
    near = HouseholdFactory(code="RR-NEAR")
    rich = HouseholdFactory(code="RR-RICH")
    first = assess(poor, 2024, income=1_000_000, deprivations=["1", "4", "9"])
    assess(near, 2024, income=1_000_000)
    assess(rich, 2024, income=9_000_000)
    review_round = recognise_round(everyone, everyone["chair"], first.review_round, datetime.date(2024, 12, 15))
    return {"poor": poor, "near": near, "rich": rich, "round": review_round}
