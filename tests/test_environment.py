"""The suite runs on the database CI asked for: a PostgreSQL run never falls back to SQLite in silence."""
import os

import pytest
from django.db import connection


@pytest.mark.django_db
def test_runs_on_the_requested_database():
    wanted = os.environ.get("REQUIRE_DATABASE_VENDOR")
    expected = wanted or ("postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite")
    assert connection.vendor == expected
