"""The OpenAPI schema and its docs page need a login: they describe the whole data model."""
import pytest
from rest_framework.test import APIClient


@pytest.mark.parametrize("path", ["/api/v1/schema/", "/api/v1/docs/"])
def test_schema_and_docs_need_a_login(users, path):
    anonymous = APIClient()
    assert anonymous.get(path).status_code in (401, 403)
    officer = APIClient()
    officer.force_authenticate(users["leader"])
    assert officer.get(path).status_code == 200

