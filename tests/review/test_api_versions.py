"""No lost updates through the API: a change of an assessment carries the version it was made on; without
one it is refused (400 naming the field), on a stale one it is refused (409); nothing is stored either way."""
import pytest
from rest_framework.test import APIClient

from review.models import Assessment
from tests.factories import HouseholdFactory


@pytest.fixture
def assessment(assess):
    return assess(HouseholdFactory(code="VER-1", commune_id="90102"), 2024, income=1_200_000,
                  deprivations=["1", "4", "9"], notes="Ghi chú ban đầu")


@pytest.fixture
def client_of(users):
    def make(name):
        client = APIClient()
        client.force_authenticate(users[name])
        return client
    return make


def unchanged(assessment):
    stored = Assessment.objects.get(pk=assessment.pk)
    return (stored.version, stored.income_per_capita, stored.notes, stored.history.count()) == (
        assessment.version, assessment.income_per_capita, assessment.notes, assessment.history.count())


@pytest.mark.django_db
@pytest.mark.parametrize("method, payload", [
    ("patch", {"income_per_capita": 5_000_000}),
    ("put", {"household": "VER-1", "year": 2024, "income_per_capita": 5_000_000}),
])
def test_change_without_version_is_refused_naming_the_field(client_of, assessment, method, payload):
    response = getattr(client_of("district"), method)(f"/api/v1/assessments/{assessment.pk}/", payload,
                                                      format="json")
    assert response.status_code == 400
    body = response.json()
    assert list(body) == ["version"]
    assert "version" in body["version"][0] and "phiên bản" in body["version"][0]
    assert unchanged(assessment)


@pytest.mark.django_db
def test_change_on_a_stale_version_is_a_conflict(client_of, assessment):
    url = f"/api/v1/assessments/{assessment.pk}/"
    first, second = client_of("district"), client_of("admin")
    loaded = second.get(url).json()["version"]  # both officers read the same version
    assert first.patch(url, {"notes": "Sửa của cán bộ huyện", "version": loaded}, format="json").status_code == 200
    after_first = Assessment.objects.get(pk=assessment.pk)
    response = second.patch(url, {"income_per_capita": 5_000_000, "version": loaded}, format="json")
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert "vừa được người khác sửa" in detail
    assert f"phiên bản hiện tại là {after_first.version}" in detail and f"phiên bản {loaded}" in detail
    assert unchanged(after_first)
    # read again, then the change goes through on top of the other officer's
    fresh = second.patch(url, {"income_per_capita": 5_000_000, "version": after_first.version}, format="json")
    assert fresh.status_code == 200
    stored = Assessment.objects.get(pk=assessment.pk)
    assert (stored.income_per_capita, stored.notes) == (5_000_000, "Sửa của cán bộ huyện")


@pytest.mark.django_db
def test_create_needs_no_version(client_of):
    HouseholdFactory(code="VER-2", commune_id="90102")
    response = client_of("district").post("/api/v1/assessments/", {"household": "VER-2", "year": 2024,
                                                                   "income_per_capita": 1_000_000}, format="json")
    assert response.status_code == 201 and response.json()["version"] == 1
