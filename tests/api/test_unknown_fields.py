"""Every API resource writes what it shows or refuses the field by name (no silent drop)."""
import pytest
from rest_framework.test import APIClient


@pytest.mark.parametrize("path, body", [
    ("/api/v1/households/", {"code": "NEW-X", "commune": "90101", "head_name": "A", "ethnic_group": "14",
                             "registered": "2020-01-01"}),
    ("/api/v1/household-counts/", {"commune": "90101", "year": 2024, "households": 10,
                                   "ethnic_minority_households": 5, "declared_by": "x"}),
])
def test_a_field_the_api_does_not_write_is_refused_by_name(users, path, body):
    """Regression: unknown fields were dropped silently (201), so a typo lost data without a word."""
    client = APIClient()
    client.force_authenticate(users["commune"])
    response = client.post(path, body, format="json")
    assert response.status_code == 400
    unknown = next(name for name in body if name in ("registered", "declared_by"))
    assert unknown in response.json()
