"""The lock of approved rounds is checked again inside the import's writing transaction, under row locks.

Before: the check read the rounds' status, and the write went ahead however long after; a round approved in
between received the file's reviews (an approved round is a legal record). Now the write locks the rounds
it writes into (SELECT … FOR UPDATE) and refuses the whole file when one of them is approved.
"""
import threading

import pytest
from django.conf import settings
from django.db import connection, transaction

from households.models import Household
from importing import service
from importing.service import households_import
from review.models import Assessment, ReviewRound
from review.services import assessment_save, round_recognise
from tests.factories import HouseholdFactory
from tests.importing.builders import workbook
from tests.review.procedure import procedure_days, report_up

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
postgresql_only = pytest.mark.skipif(
    not ON_POSTGRESQL,
    reason="the race needs two connections writing at once with row locks (SELECT … FOR UPDATE): PostgreSQL "
           "only; SQLite runs one writer at a time and ignores FOR UPDATE",
)
committing = pytest.mark.django_db(transaction=True, serialized_rollback=True)
WAIT = 10
LOCKED = "Đợt rà soát năm 2024 của xã 90102 đã được công nhận và đang khoá."


@pytest.fixture
def submitted(users):
    """The 2024 round of commune 90102, submitted to the district (open to imports until approved)."""
    household = HouseholdFactory(code="RACE-1", commune_id="90102")
    assessment = assessment_save(acting_user=users["admin"], household=household, year=2024,
                                 income_per_capita=1_200_000)
    report_up(assessment.review_round, user=users["admin"])  # meetings, posting, report up and opinion
    return assessment.review_round


@pytest.fixture
def late_file(tmp_path):
    """A new household of 90102 and an update of RACE-1, both for 2024."""
    return workbook(tmp_path / "late.xlsx", [["NEW-1", "A Blưk", "90102", "", "14", ""]], None,
                    [["NEW-1", 2024, "1.200.000", "", "", "", "", "", ""],
                     ["RACE-1", 2024, "5.000.000", "", "", "", "", "", ""]])


def in_thread(body):
    """Run `body` in a thread of its own (its own connection, committing) and wait for it."""
    outcome = {}

    def target():
        try:
            outcome["result"] = body()
        except Exception as error:  # noqa: BLE001 - handed to the test
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(WAIT)
    assert not thread.is_alive(), "the thread is stuck (waiting on a lock the test holds?)"
    assert "error" not in outcome, outcome["error"]
    return outcome.get("result")


def recognise(users, review_round):
    """The chairman's decision (here by the administrator): the only step that locks a round."""
    return round_recognise(acting_user=users["admin"], review_round=ReviewRound.objects.get(pk=review_round.pk),
                           decision_number="1/QĐ-UBND", decision_date=procedure_days(2024)["decision"],
                           confirm_unassessed=True)


def approve(users, review_round):
    return lambda: recognise(users, review_round)


def assert_nothing_written():
    assert not Household.objects.filter(code="NEW-1").exists()
    assert list(Assessment.objects.values_list("household__code", "income_per_capita")) == [("RACE-1", 1_200_000)]


@postgresql_only
@committing
def test_a_round_approved_between_the_check_and_the_write_receives_nothing(users, submitted, late_file, monkeypatch):
    checked = service.check_reviews

    def check_then_approve(plan, sheet):
        checked(plan, sheet)  # the check of the last sheet is done: the round is still open to the import
        assert plan.result.errors == []
        in_thread(approve(users, submitted))  # committed on another connection before the import writes

    monkeypatch.setattr(service, "check_reviews", check_then_approve)
    result = households_import(acting_user=users["district"], path=str(late_file), filename="late.xlsx")
    assert not result.committed
    assert [(e.sheet, e.row, e.column, e.message) for e in result.errors] == [
        ("Rà soát", 2, "Năm", LOCKED), ("Rà soát", 3, "Năm", LOCKED)]
    assert_nothing_written()
    assert ReviewRound.objects.get(pk=submitted.pk).status == "approved"


@postgresql_only
@committing
def test_an_import_that_writes_while_an_approval_is_in_flight_waits_and_is_refused(users, submitted, late_file):
    inside, release = threading.Event(), threading.Event()

    def approve_and_hold():
        with transaction.atomic():
            recognise(users, submitted)
            inside.set()
            release.wait(WAIT)  # the round row stays locked, the approval not yet committed

    approving = threading.Thread(target=lambda: (approve_and_hold(), connection.close()), daemon=True)
    approving.start()
    assert inside.wait(WAIT)
    outcome = {}

    def run_import():
        try:
            outcome["result"] = households_import(acting_user=users["district"], path=str(late_file),
                                                  filename="late.xlsx")
        finally:
            outcome["finished"] = True
            connection.close()

    importing = threading.Thread(target=run_import, daemon=True)
    importing.start()
    importing.join(1.5)
    try:
        assert "finished" not in outcome, "the import did not wait for the approval in flight"
    finally:
        release.set()
        approving.join(WAIT)
        importing.join(WAIT)
    result = outcome["result"]
    assert not result.committed and {e.message for e in result.errors} == {LOCKED}
    assert_nothing_written()
