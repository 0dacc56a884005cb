"""core.bulk and core.sqlite: many rows written with their audit rows in a number of statements that does not
grow with the rows (one per 5,000 on PostgreSQL; on SQLite as many variables as the library takes)."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.bulk import update_with_history
from households.models import EthnicGroup, Household
from tests.factories import HouseholdFactory


def _write(users, count):
    households = [HouseholdFactory(code=f"BK-{count}-{n}", commune_id="90102", with_head=False) for n in range(count)]
    for household in households:
        household.head_name, household.version = f"Đinh Thị {household.pk}", household.version + 1
    with CaptureQueriesContext(connection) as queries:
        update_with_history(Household, households, ["head_name", "version", "updated_at"], user=users["district"],
                            reason="Thử ghi hàng loạt")
    return households, len(queries)


@pytest.mark.django_db
def test_an_update_writes_the_rows_and_their_history_in_statements_that_do_not_grow(users):
    _, small = _write(users, 3)
    many, large = _write(users, 120)
    assert small == large
    stored = Household.objects.get(pk=many[-1].pk)
    assert (stored.head_name, stored.version) == (f"Đinh Thị {stored.pk}", many[-1].version)
    last = stored.history.first()
    assert (last.history_type, last.history_user.username, last.head_name) == ("~", "district", stored.head_name)
    assert last.history_change_reason == "Thử ghi hàng loạt"
    assert stored.ethnic_group == EthnicGroup.objects.get(code="14")  # the other columns as they were


def test_sqlite_connections_take_the_librarys_limit_of_variables(db):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's limit only")
    connection.ensure_connection()
    assert connection.features.max_query_params > 999
    assert connection.ops.bulk_batch_size(["a"] * 30, range(100)) >= 100  # a page of 100 rows in one statement
