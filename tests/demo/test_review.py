"""The demo shows a 2024 review run the old way (recognised, with village meetings) and a 2025 review run the
post-reform way: reported to the province, waiting for the commune chairman, who can recognise it."""
import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from areas.models import Level
from review.models import ReviewRound, RoundStatus, level_above
from review.services import round_recognise

pytestmark = pytest.mark.slow  # seeds the whole demo


@pytest.mark.django_db
def test_the_demo_review_runs_before_and_after_the_reform():
    call_command("seed_demo", stdout=io.StringIO())
    old = ReviewRound.objects.get(commune_id="23401", year=2024)
    assert old.status == RoundStatus.APPROVED and old.decision_number.endswith("/QĐ-UBND")
    assert old.decision_date == datetime.date(2024, 12, 15) and level_above(2024) == Level.DISTRICT
    assert old.village_meetings.exists() and all(m.passed for m in old.village_meetings.all())
    new = ReviewRound.objects.get(commune_id="23401", year=2025)
    assert new.status == RoundStatus.SUBMITTED and level_above(2025) == Level.PROVINCE
    chair = get_user_model().objects.get(username="chair")
    round_recognise(acting_user=chair, review_round=new, decision_number="215/QĐ-UBND",
                    decision_date=datetime.date(2025, 12, 16), confirm_unassessed=True)
    new.refresh_from_db()
    assert new.is_locked and new.decision_number == "215/QĐ-UBND"
