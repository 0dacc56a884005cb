"""Village meetings (review.meetings): a role that records no meeting is refused by role, 403 with its message,
before the body it sent is looked at — over the API and in the service itself."""
import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.test import APIClient

from review.meetings import village_meeting_save
from review.models import VillageMeeting
from tests.factories import HouseholdFactory

REFUSED = "Tài khoản của bạn không được ghi biên bản họp thôn."


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def review_round(assess):
    return assess(HouseholdFactory(code="MT-1"), 2025, income=1_200_000).review_round


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["chair", "province"])
@pytest.mark.parametrize("body", [{}, {"village": "90101-01", "meeting_date": "2025-10-20", "attendees": 40,
                                       "in_favour": 31}])
def test_a_reviewing_role_posting_a_meeting_is_refused_by_role_before_its_body(everyone, review_round, role, body):
    url = f"/api/v1/review-rounds/{review_round.pk}/village-meetings/"
    answer = api(everyone[role]).post(url, body, format="json")
    assert answer.status_code == 403 and answer.json() == {"detail": REFUSED}  # not 400 about the missing fields
    deleted = api(everyone[role]).delete(f"{url}?village=90101-01")
    assert deleted.status_code == 403 and deleted.json() == {"detail": REFUSED}
    assert not VillageMeeting.objects.exists()
    assert api(everyone[role]).get(url).status_code == 200  # reading stays open


@pytest.mark.django_db
def test_the_service_refuses_by_role_and_by_area_differently(everyone, review_round):
    fields = {"meeting_date": datetime.date(2025, 10, 20), "attendees": 3, "in_favour": 2}
    for name in ("chair", "province", "leader"):
        with pytest.raises(PermissionDenied, match=REFUSED):
            village_meeting_save(acting_user=everyone[name], review_round=review_round, village="90101-01", **fields)
    with pytest.raises(ValidationError, match="không thuộc địa bàn"):  # an editor out of the area: the field's error
        village_meeting_save(acting_user=everyone["other_commune"], review_round=review_round, village="90101-01",
                             **fields)
    assert not VillageMeeting.objects.exists()
