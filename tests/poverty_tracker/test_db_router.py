"""With a read replica configured, reports and dashboards read from it; writes, reads inside a write's
transaction, and every other page read from the primary.

The "replica" here is a second, real test database (not a mirror of the primary, which would hide where the
queries go), loaded with a copy of the primary's rows. Then a household is written to the primary only — a
replica that has not caught up yet — so the figures show which database each page read.
"""
import json

import pytest
from django.core.management import call_command
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext

from households.models import Household
from reports.cache import reading_from_replica
from review.models import Assessment
from review.services import assessment_save
from tests.factories import HouseholdFactory

# Reference rows first (the migrations seed them on the primary only), then what the fixtures wrote.
COPIED = ["households.ethnicgroup", "review.povertystandard", "review.standardline", "review.indicator",
          "review.povertyreason", "auth.user", "areas.administrativeunit", "areas.administrativeunitversion", "areas.officerscope",
          "households.household", "households.member", "review.reviewround", "review.assessment"]


@pytest.fixture
def replica(users, settings, tmp_path):
    admin = users["admin"]
    for code, income in (("R-1", 1_000_000), ("R-2", 5_000_000)):
        assessment_save(acting_user=admin, household=HouseholdFactory(code=code, commune_id="90101"), year=2024,
                        income_per_capita=income, deprivations=["1", "4", "9"])
    dump = tmp_path / "primary.json"
    call_command("dumpdata", *COPIED, output=str(dump), verbosity=0)
    rows = json.loads(dump.read_text())
    for row in rows:  # what a report needs of a user is their scope; their groups stay on the primary (an
        if row["model"] == "auth.user":  # m2m written by loaddata would go where the router sends writes)
            del row["fields"]["groups"], row["fields"]["user_permissions"]
    dump.write_text(json.dumps(rows))
    call_command("loaddata", str(dump), database="replica", verbosity=0)
    # written after the copy: on the primary only, as if the replica lagged behind
    assessment_save(acting_user=admin, household=HouseholdFactory(code="R-3", commune_id="90101"), year=2024,
                    income_per_capita=900_000, deprivations=["1", "4", "9"])
    settings.READ_REPLICA = "replica"
    settings.REPORT_CACHE_SECONDS = 0
    assert Household.objects.count() == 3 and Household.objects.using("replica").count() == 2


def captured():
    return CaptureQueriesContext(connections["default"]), CaptureQueriesContext(connections["replica"])


def tables(context):
    return " ".join(query["sql"] for query in context.captured_queries)


@pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", "replica"])
def test_report_reads_go_to_the_replica_and_the_rest_to_the_primary(client, users, replica):
    client.force_login(users["district"])
    primary, copy = captured()
    with primary, copy:
        answer = client.get("/api/v1/reports/poverty/?year=2024&area=90101")
    assert answer.status_code == 200
    assert answer.json()["total"]["households"] == 2  # the replica's figures: R-3 has not reached it
    assert "households_assessment" in tables(copy) and "households_assessment" not in tables(primary)
    assert "authtoken" in tables(primary) or "django_session" in tables(primary)  # the login: primary

    # the household list is not a report: it reads the primary, and sees the fresh household at once
    primary, copy = captured()
    with primary, copy:
        page = client.get("/admin/households/household/?q=R-")
    assert page.status_code == 200 and "R-3" in page.content.decode()
    assert len(copy) == 0

    # the dashboard reads its figures from the replica too
    primary, copy = captured()
    with primary, copy:
        assert client.get("/?area=90101&year=2024").status_code == 200
    assert "households_assessment" in tables(copy) and "households_assessment" not in tables(primary)


@pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", "replica"])
def test_writes_and_reads_inside_a_write_go_to_the_primary(users, replica):
    primary, copy = captured()
    with primary, copy, reading_from_replica():
        assert Assessment.objects.count() == 2  # outside a transaction: the replica, behind
        with transaction.atomic():
            assert Assessment.objects.count() == 3  # inside a write's transaction: the primary
            household = Household.objects.get(code="R-3")
            assessment_save(acting_user=users["admin"], household=household, year=2024, income_per_capita=800_000,
                            deprivations=["1", "4", "9"])
    assert len(copy) == 1 and "households_assessment" in tables(copy)
    assert "UPDATE" in tables(primary) and "households_assessment" in tables(primary)
    assert Assessment.objects.using("replica").get(household__code="R-1")  # nothing was written there


@pytest.mark.django_db
def test_without_a_replica_everything_reads_the_primary(settings):
    assert settings.READ_REPLICA is None
    from django.db import router

    with reading_from_replica():
        assert router.db_for_read(Assessment) == "default"
