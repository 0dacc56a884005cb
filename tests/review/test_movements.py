"""Movements and re-classification (review.movements): re-classifying a whole year is the administrators'; any
other role is refused by role (PermissionDenied, 403 over HTTP), not as an error of a field."""
import pytest
from django.core.exceptions import PermissionDenied

from review.movements import year_reclassify


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["district", "commune", "leader"])
def test_only_administrators_reclassify_a_year(users, role):
    with pytest.raises(PermissionDenied, match="Chỉ quản trị viên được phân loại lại cả năm."):
        year_reclassify(acting_user=users[role], year=2024)


@pytest.mark.django_db
def test_a_derived_write_reads_only_the_rows_it_writes(users, assess):
    """write_derived and household_facts_refresh handed simple_history a QuerySet as the manager: its truth
    read every assessment of the province before each derived write."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from review.movements import write_derived
    from tests.factories import HouseholdFactory

    rows = [assess(HouseholdFactory(code=f"MV-{n}", commune_id="90102"), 2024, income=1_000_000) for n in range(3)]
    rows[0].movement = "newly_poor"
    with CaptureQueriesContext(connection) as queries:
        write_derived(rows[:1], "Thử", acting_user=users["admin"])
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT") and "households_assessment" in q["sql"]]
    assert all("WHERE" in sql for sql in reads), reads
