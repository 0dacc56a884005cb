"""A property-based run over the OpenAPI schema (schemathesis): no input makes the API answer 5xx."""
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from rest_framework.test import APIClient

from review.services import assessment_save
from tests.factories import HouseholdFactory

pytestmark = pytest.mark.slow  # schemathesis generates and sends hundreds of requests

EXAMPLES_PER_OPERATION = 12  # bounded: the whole run stays within a couple of minutes on two cores


@pytest.mark.django_db
def test_no_server_error_for_any_generated_request(users):
    household = HouseholdFactory(code="FUZZ-1")
    assessment_save(acting_user=users["admin"], household=household, year=2024, income_per_capita=1_000_000)
    client = APIClient()
    client.force_authenticate(users["district"])
    document = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    schema = schemathesis.openapi.from_dict(document)
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            body = case.body if case.body.__class__.__name__ != "NotSet" else None
            method = case.method.lower()
            if method == "get":
                response = client.get(case.formatted_path, data=case.query)
            else:
                path = f"{case.formatted_path}?{_query(case.query)}" if case.query else case.formatted_path
                response = getattr(client, method)(path, data=body, format="json")
            if response.status_code >= 500:
                failures.append((case.method, case.formatted_path, case.query, body, response.status_code))

        run()
    assert failures == []


def _query(query):
    from urllib.parse import urlencode

    return urlencode(query or {}, doseq=True)
