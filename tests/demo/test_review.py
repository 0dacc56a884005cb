"""The demo shows a 2024 review run the old way (recognised by decision, with village meetings) and xã Đăk Tô's
2025 and 2026 reviews run the post-reform way: meetings, posting, report to the province, its opinion, the
chairman's decision, certificates dated by it (demo/review_2026.py)."""
import datetime
import io

import pytest
from django.core.management import call_command

from areas.models import Level
from review.models import Certificate, ReviewRound, RoundStatus, level_above
from review.round_order import recognition_blockers

pytestmark = pytest.mark.slow  # seeds the whole demo


@pytest.mark.django_db
def test_the_demo_review_runs_before_and_after_the_reform():
    call_command("seed_demo", stdout=io.StringIO())
    old = ReviewRound.objects.get(commune_id="23401", year=2024)
    assert old.status == RoundStatus.APPROVED and old.decision_number.endswith("/QĐ-UBND")
    assert old.decision_date == datetime.date(2024, 12, 15) and level_above(2024) == Level.DISTRICT
    assert old.village_meetings.exists() and all(m.passed for m in old.village_meetings.all())
    assert [d.kind for d in old.decisions.all()] == ["recognition"] and not old.decision_unrecorded
    for year, number, day, opinion in ((2025, "215/QĐ-UBND", datetime.date(2025, 12, 16), datetime.date(2025, 11, 24)),
                                       (2026, "300/QĐ-UBND", datetime.date(2026, 12, 3), datetime.date(2026, 11, 26))):
        new = ReviewRound.objects.get(commune_id="23401", year=year)
        assert level_above(year) == Level.PROVINCE
        assert (new.status, new.decision_number, new.decision_date, new.opinion_date) == (
            RoundStatus.APPROVED, number, day, opinion)
        assert [(d.number, d.kind) for d in new.decisions.all()] == [(number, "recognition")]
        assert recognition_blockers(new, day) == {}  # the order of Art. 4 was followed
        villages = set(new.assessments.exclude(village=None).values_list("village_id", flat=True))
        assert villages and villages == set(new.village_meetings.values_list("village_id", flat=True))
    issued_2026 = Certificate.objects.filter(commune_id="23401", issued_on=datetime.date(2026, 12, 3))
    assert issued_2026.exists() and not Certificate.objects.filter(issued_on__gt=datetime.date(2026, 12, 3)).exists()
