"""The lock of a recognised round is checked under a row lock, inside the writing transaction.

A save (worksheet, API, admin: assessment_save / assessment_delete) locks its round row and reads the status
there; round_recognise (the chairman's decision, the only step that locks a round) locks the same row. So a
recognition and a save serialise: a save that began before the recognition commits first and the recognition
waits for it; a save that comes while a recognition is in flight waits, then sees the recognised round and is
refused. `lock_open_rounds` gives the import the same check for
a set of (commune, year) rounds.
"""
import threading
import time

import pytest
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError

from review.models import Assessment, ReviewRound, RoundLockedError
from review.services import assessment_delete, assessment_save, lock_open_rounds, round_recognise
from tests.concurrency import ON_POSTGRESQL, WAIT, Worker, committing
from tests.factories import HouseholdFactory
from tests.review.procedure import procedure_days, recognise_in_order, report_up


def recognising(users, review_round_id):
    """The chairman's recognition (here by the administrator) of a round reported up in order."""
    return lambda: round_recognise(acting_user=users["admin"], review_round=ReviewRound.objects.get(pk=review_round_id),
                                   decision_number="1/QĐ-UBND", decision_date=procedure_days(2024)["decision"],
                                   confirm_unassessed=True)

postgresql_only = pytest.mark.skipif(
    not ON_POSTGRESQL,
    reason="row locks (SELECT … FOR UPDATE) exist on PostgreSQL only; SQLite serialises every write anyway",
)


# --- lock_open_rounds (any database) -------------------------------------------------------------------

@pytest.mark.django_db
def test_lock_open_rounds_returns_the_rounds_and_opens_missing_ones(assess, household, users):
    existing = assess(household, 2024, income=1_200_000).review_round
    with transaction.atomic():
        rounds = lock_open_rounds([("90101", 2024), ("90102", 2024), ("90101", 2024)])
    assert set(rounds) == {("90101", 2024), ("90102", 2024)}
    assert rounds[("90101", 2024)] == existing
    assert rounds[("90102", 2024)].status == "open" and ReviewRound.objects.count() == 2
    with transaction.atomic():
        assert lock_open_rounds([("90201", 2024)], create_missing=False) == {}
    assert not ReviewRound.objects.filter(commune_id="90201").exists()
    with transaction.atomic():
        assert lock_open_rounds([]) == {}


@pytest.mark.django_db
def test_lock_open_rounds_refuses_approved_rounds_naming_them(assess, household, users):
    review_round = assess(household, 2024, income=1_200_000).review_round
    recognise_in_order(review_round)
    with pytest.raises(RoundLockedError) as error, transaction.atomic():
        lock_open_rounds([("90102", 2024), ("90101", 2024)])
    assert "xã 90101 năm 2024" in str(error.value) and "đã được công nhận và đang khoá" in str(error.value)
    assert [(r.commune_id, r.year) for r in error.value.rounds] == [("90101", 2024)]


@committing  # a test's own transaction would hide the missing one
def test_lock_open_rounds_needs_the_callers_transaction():
    with pytest.raises(TransactionManagementError):
        lock_open_rounds([("90101", 2024)])


# --- the race, on PostgreSQL ------------------------------------------------------------------------

@pytest.fixture
def submitted(users):
    household = HouseholdFactory(code="RACE-1", commune_id="90102")
    assessment = assessment_save(acting_user=users["admin"], household=household, year=2024,
                                 income_per_capita=1_200_000, deprivations=["1", "4", "9"])
    report_up(assessment.review_round, user=users["admin"])
    return Assessment.objects.get(pk=assessment.pk)


def still_waiting(worker, seconds=1.0):
    worker.inside.wait(seconds)
    return not worker.inside.is_set()


@postgresql_only
@committing
def test_approval_waits_for_a_save_that_began_before_it(users, submitted):
    saving = Worker(lambda: assessment_save(acting_user=users["district"], household=submitted.household,
                                            year=2024, income_per_capita=5_000_000, expected_version=submitted.version),
                    hold=True)
    saving.start()
    assert saving.inside.wait(WAIT) and saving.error is None
    approving = Worker(recognising(users, submitted.review_round_id))
    approving.start()
    try:
        assert still_waiting(approving), "the approval did not wait for the save in flight"
    finally:
        saving.finish()
        approving.finish()
    assert approving.error is None
    stored = Assessment.objects.get(pk=submitted.pk)
    assert stored.income_per_capita == 5_000_000 and stored.review_round.status == "approved"


@postgresql_only
@committing
@pytest.mark.parametrize("write", ["save", "create", "delete"])
def test_a_write_during_an_approval_waits_and_is_refused(users, submitted, write):
    approving = Worker(recognising(users, submitted.review_round_id), hold=True)
    approving.start()
    assert approving.inside.wait(WAIT) and approving.error is None
    newcomer = HouseholdFactory(code="RACE-2", commune_id="90102")
    bodies = {
        "save": lambda: assessment_save(acting_user=users["district"], household=submitted.household, year=2024,
                                        income_per_capita=5_000_000, expected_version=submitted.version),
        "create": lambda: assessment_save(acting_user=users["district"], household=newcomer, year=2024,
                                          income_per_capita=5_000_000),
        "delete": lambda: assessment_delete(acting_user=users["district"],
                                            assessment=Assessment.objects.get(pk=submitted.pk)),
    }
    saving = Worker(bodies[write])
    saving.start()
    try:
        assert still_waiting(saving), "the save did not wait for the approval in flight"
    finally:
        approving.finish()
        saving.finish()
    assert isinstance(saving.error, RoundLockedError), saving.error
    stored = Assessment.objects.get(pk=submitted.pk)
    assert stored.income_per_capita == 1_200_000 and stored.review_round.status == "approved"
    assert not Assessment.objects.filter(household=newcomer).exists()


@postgresql_only
@committing
def test_lock_open_rounds_waits_for_an_approval_and_refuses(users, submitted):
    approving = Worker(recognising(users, submitted.review_round_id), hold=True)
    approving.start()
    assert approving.inside.wait(WAIT) and approving.error is None
    importing = Worker(lambda: lock_open_rounds([("90102", 2024), ("90101", 2024)]))
    importing.start()
    try:
        assert still_waiting(importing), "lock_open_rounds did not wait for the approval in flight"
    finally:
        approving.finish()
        importing.finish()
    assert isinstance(importing.error, RoundLockedError), importing.error
    assert "xã 90102 năm 2024" in str(importing.error)


@postgresql_only
@committing
def test_worksheet_save_is_refused_after_an_approval_that_began_first(client, users, submitted):
    approving = Worker(recognising(users, submitted.review_round_id), hold=True)
    approving.start()
    assert approving.inside.wait(WAIT)
    client.force_login(users["district"])
    prefix = f"h{submitted.household_id}"
    posted = {}

    def post():
        try:
            posted["response"] = client.post("/review/90102/2024/", {
                f"{prefix}-version": str(submitted.version), f"{prefix}-income": "5.000.000"})
            posted["at"] = time.monotonic()
        finally:
            connection.close()

    page = threading.Thread(target=post, daemon=True)
    page.start()
    time.sleep(1.0)
    released = time.monotonic()
    approving.finish()
    page.join(WAIT)
    assert not page.is_alive()
    assert posted["at"] >= released, "the page saved while the approval was in flight"
    response = posted["response"]
    assert response.status_code == 200 and "đã được công nhận và đang khoá" in response.content.decode()
    assert Assessment.objects.get(pk=submitted.pk).income_per_capita == 1_200_000
