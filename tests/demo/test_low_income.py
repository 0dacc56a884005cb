"""The demo shows one worker with low income in xã Đăk Tô, of a household neither poor nor near-poor, at or below
the line of the area."""
import io

import pytest
from django.core.management import call_command

from low_income.models import LowIncomeConfirmation

pytestmark = pytest.mark.slow  # seeds the whole demo


@pytest.mark.django_db
def test_the_demo_lists_one_low_income_worker():
    call_command("seed_demo", stdout=io.StringIO())
    confirmation = LowIncomeConfirmation.objects.select_related("determination", "member").get()
    determination = confirmation.determination
    assert confirmation.commune_id == "23401" and confirmation.member.household_id == confirmation.household_id
    assert determination.household_class not in ("poor", "near_poor")
    assert determination.income_per_month <= determination.income_line
    call_command("seed_demo", stdout=io.StringIO())  # seeding again adds nothing
    assert LowIncomeConfirmation.objects.count() == 1
