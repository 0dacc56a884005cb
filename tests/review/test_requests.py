"""Review requests (review.requests): a role that enters no records is refused by role — 403 with the message,
before its data is looked at — in the service, over the API and on the page."""
import pytest
from django.core.exceptions import PermissionDenied
from rest_framework.test import APIClient

from review.models import ReviewRequest
from review.requests import request_save
from tests.factories import HouseholdFactory


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["leader", "chair", "province"])
def test_the_service_refuses_a_role_that_enters_no_records(everyone, role):
    household = HouseholdFactory(code="RQ-1")
    with pytest.raises(PermissionDenied, match="chỉ được xem"):
        request_save(acting_user=everyone[role], household=household, data={"requested_on": "not a date"})
    assert not ReviewRequest.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["leader", "chair"])
def test_the_api_refuses_by_role_before_the_body(everyone, role):
    HouseholdFactory(code="RQ-1")
    answer = api(everyone[role]).post("/api/v1/review-requests/", {"household": "RQ-1", "requested_on": "x"},
                                      format="json")
    assert answer.status_code == 403
    assert answer.json() == {"detail": "Tài khoản của bạn không được thay đổi dữ liệu này."}
    assert not ReviewRequest.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["leader", "chair"])
def test_the_page_refuses_by_role_with_the_message(everyone, client, role):
    HouseholdFactory(code="RQ-1")
    client.force_login(everyone[role])
    page = client.post("/review/90101/regular/", {"action": "request", "req-household": "RQ-1",
                                                   "req-kind": "enter", "req-requested_on": "bad"})
    assert page.status_code == 403
    assert "Tài khoản của bạn không được thực hiện thao tác này." in page.content.decode()
    assert not ReviewRequest.objects.exists()
    client.force_login(everyone["commune"])  # the same post by an officer is read (and its date refused): not 403
    assert client.post("/review/90101/regular/", {"action": "request", "req-household": "RQ-1",
                                                  "req-kind": "enter", "req-requested_on": "bad"}).status_code == 200
