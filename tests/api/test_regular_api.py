"""/api/v1/review-requests/ (CRUD, scoped, versioned) and /api/v1/regular-reviews/ (list, read; POST
recognises: the commune chairman or an administrator, others 403; missing fields 400)."""
import datetime

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from accounts.services import officer_save
from review.models import RegularReview, ReviewRequest, ReviewRound
from review.services import assessment_save, round_recognise
from tests.factories import HouseholdFactory
from tests.review.procedure import report_up

API = "/api/v1"


@pytest.fixture
def people(users):
    chair = officer_save(username="chair", role="commune_chair", area_codes=["90101"], password="x",
                         check_password=False)[0]
    return {**users, "chair": chair}


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def lists_2024(people):
    """A poor household of 90101 on the lists of 2024 (recognised 15/12/2024), one of 90201."""
    own = HouseholdFactory(code="API-POOR")
    foreign = HouseholdFactory(code="API-FOREIGN", commune_id="90201")
    for household in (own, foreign):
        assessment_save(acting_user=people["admin"], household=household, year=2024, income_per_capita=1_000_000,
                        deprivations=["1", "4", "9"])
    review_round = ReviewRound.objects.get(commune_id="90101", year=2024)
    report_up(review_round, user=people["admin"])  # meetings, posting, report up and opinion, in order
    round_recognise(acting_user=people["chair"], review_round=ReviewRound.objects.get(pk=review_round.pk),
                    decision_number="1/QĐ-UBND", decision_date=datetime.date(2024, 12, 15), confirm_unassessed=True)
    return {"own": own, "foreign": foreign}


ESCAPE = {"household": "API-POOR", "classification": "not_poor", "effective_on": "2025-03-15",
          "decision_number": "12/QĐ-UBND", "decision_date": "2025-03-10"}


@pytest.mark.django_db
def test_the_chairman_recognises_over_the_api_and_others_are_forbidden(people, lists_2024):
    for role in ("commune", "district", "leader"):
        refused = api(people[role]).post(f"{API}/regular-reviews/", ESCAPE, format="json")
        assert refused.status_code == 403, (role, refused.content)
    assert not RegularReview.objects.exists()
    created = api(people["chair"]).post(f"{API}/regular-reviews/", ESCAPE, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["year"], body["previous_classification"], body["classification"], body["commune"]) == (
        2024, "poor", "not_poor", "90101")
    assert RegularReview.objects.get().history.get().history_user == people["chair"]
    # Read by everyone in the area, not beyond it.
    assert api(people["leader"]).get(f"{API}/regular-reviews/").json()["count"] == 1
    assert api(people["other_commune"]).get(f"{API}/regular-reviews/").json()["count"] == 0
    assert api(people["other_commune"]).get(f"{API}/regular-reviews/{body['id']}/").status_code == 404
    # A recognition is a legal record: not changed or deleted over the API.
    for method in ("patch", "put", "delete"):
        assert getattr(api(people["chair"]), method)(f"{API}/regular-reviews/{body['id']}/", {},
                                                     format="json").status_code == 405


@pytest.mark.django_db
def test_bad_recognitions_are_400s_naming_the_field(people, lists_2024):
    client = api(people["chair"])
    missing = client.post(f"{API}/regular-reviews/", {"household": "API-POOR"}, format="json")
    assert missing.status_code == 400
    assert {"classification", "effective_on", "decision_number", "decision_date"} <= set(missing.json())
    average = client.post(f"{API}/regular-reviews/", {**ESCAPE, "classification": "average"}, format="json")
    assert average.status_code == 400 and "classification" in average.json()
    same = client.post(f"{API}/regular-reviews/", {**ESCAPE, "classification": "poor"}, format="json")
    assert same.status_code == 400 and "không có gì thay đổi" in same.json()["classification"][0]
    foreign = client.post(f"{API}/regular-reviews/", {**ESCAPE, "household": "API-FOREIGN"}, format="json")
    assert foreign.status_code == 400 and "household" in foreign.json()
    unknown = client.post(f"{API}/regular-reviews/", {**ESCAPE, "year": 2020}, format="json")
    assert unknown.status_code == 400 and "year" in unknown.json()
    assert not RegularReview.objects.exists()


@pytest.mark.django_db
def test_review_requests_crud_scoped_and_versioned(people, lists_2024):
    officer = api(people["commune"])
    created = officer.post(f"{API}/review-requests/", {"household": "API-POOR", "kind": "leave",
                                                       "requested_on": "2025-12-20"}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["year"], body["commune"], body["version"]) == (2026, "90101", 1)  # after 14/12: next year's
    url = f"{API}/review-requests/{body['id']}/"
    assert officer.patch(url, {"note": "x"}, format="json").status_code == 400  # without the version read
    changed = officer.patch(url, {"note": "Hộ có việc làm ổn định", "version": 1}, format="json")
    assert changed.status_code == 200 and changed.json()["version"] == 2
    assert officer.patch(url, {"note": "y", "version": 1}, format="json").status_code == 409
    wrong_year = officer.patch(url, {"year": 2025, "version": 2}, format="json")
    assert wrong_year.status_code == 400 and "year" in wrong_year.json()
    for role in ("chair", "leader"):
        assert api(people[role]).post(f"{API}/review-requests/", {"household": "API-POOR",
                                                                  "requested_on": "2025-01-05"},
                                      format="json").status_code == 403
    assert api(people["other_commune"]).get(url).status_code == 404
    foreign = officer.post(f"{API}/review-requests/", {"household": "API-FOREIGN", "requested_on": "2025-01-05"},
                           format="json")
    assert foreign.status_code == 400 and "household" in foreign.json()
    assert officer.delete(url).status_code == 204
    assert not ReviewRequest.objects.exists()


@pytest.mark.django_db
def test_a_request_cited_by_a_recognition_is_not_deleted(people, lists_2024):
    officer = api(people["commune"])
    request = officer.post(f"{API}/review-requests/", {"household": "API-POOR", "kind": "leave",
                                                       "requested_on": "2025-02-01"}, format="json").json()
    assert (request["procedure"], request["state"], request["deadline"]) == ("regular", "pending", "2025-02-16")
    steps = officer.post(f"{API}/review-requests/{request['id']}/steps/", {
        "surveyed_on": "2025-02-03", "meeting_date": "2025-02-04", "attendees": 30, "in_favour": 15,
        "posted_from": "2025-02-05", "posted_to": "2025-02-07"}, format="json")
    assert steps.status_code == 200 and steps.json()["in_favour"] == 15
    recognised = api(people["chair"]).post(f"{API}/regular-reviews/", {**ESCAPE, "request": request["id"]},
                                           format="json")
    assert recognised.status_code == 201 and recognised.json()["request"] == request["id"]
    assert officer.delete(f"{API}/review-requests/{request['id']}/").status_code == 409


@pytest.mark.django_db
def test_the_schema_describes_both_resources_without_warnings(people, capsys):
    call_command("spectacular", "--file", "/dev/null")
    output = capsys.readouterr()
    text = output.out + output.err
    for name in ("ReviewRequest", "RegularReview", "review-requests", "regular-reviews", "PovertyReport",
                 "review/api/", "reports/api.py"):
        assert name not in text, text
    schema = api(people["leader"]).get(f"{API}/schema/", HTTP_ACCEPT="application/json").json()
    assert {"/api/v1/review-requests/", "/api/v1/review-requests/{id}/", "/api/v1/regular-reviews/",
            "/api/v1/regular-reviews/{id}/"} <= set(schema["paths"])
    assert "as_of" in {p["name"] for p in schema["paths"]["/api/v1/reports/poverty/"]["get"]["parameters"]}
