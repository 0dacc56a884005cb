"""The demo shows one household of average living standard recognised by its own procedure, and none from the
annual review."""
import io

import pytest
from django.core.management import call_command

from living_standard.models import LivingStandardDecision
from review.models import Assessment

pytestmark = pytest.mark.slow  # seeds the whole demo


@pytest.mark.django_db
def test_the_demo_recognises_one_household_by_the_procedure():
    call_command("seed_demo", stdout=io.StringIO())
    decision = LivingStandardDecision.objects.select_related("determination__request", "household").get()
    determination = decision.determination
    assert decision.commune_id == "23401" and decision.decision_date.day >= 15
    assert determination.meets and determination.social_assistance > 0
    assert determination.income_line < determination.income_per_capita <= determination.average_line
    assert determination.request.livelihood in ("agriculture", "forestry", "fishery", "salt")
    assert not Assessment.objects.filter(classification="average").exists()  # the review gives no such class
    call_command("seed_demo", stdout=io.StringIO())  # seeding again adds nothing
    assert LivingStandardDecision.objects.count() == 1
