"""Regular reviews (review.regular): only the commune chairman (or an administrator) recognises; any other role
is refused by role — 403 with the message, before the body is looked at — over the API and on the page."""
import pytest
from rest_framework.test import APIClient

from review.models import RegularReview

REFUSED = "Chỉ Chủ tịch (Phó Chủ tịch) UBND xã công nhận kết quả rà soát thường xuyên."


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["commune", "district", "leader", "province"])
def test_the_api_refuses_a_recognition_by_role_before_the_body(everyone, role):
    answer = api(everyone[role]).post("/api/v1/regular-reviews/", {"classification": "?"}, format="json")
    assert answer.status_code == 403 and answer.json() == {"detail": REFUSED}
    assert not RegularReview.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["commune", "leader"])
def test_the_page_refuses_a_recognition_by_role(everyone, client, role):
    client.force_login(everyone[role])
    page = client.post("/review/90101/regular/", {"action": "recognise", "rec-household": ""})
    assert page.status_code == 403
    assert "Tài khoản của bạn không được thực hiện thao tác này." in page.content.decode()
    assert not RegularReview.objects.exists()
