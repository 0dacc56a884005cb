"""Issue 24.2–24.4: two writers at once queue or get a named conflict, never a server error. A database's refusal
(deadlock, serialization failure, lock wait run out; SQLite's "database is locked") is retried once where the
whole request is one transaction (the worksheet), else answered 409 in Vietnamese — pages and admin through
core.middleware, the API through core.api.errors, jobs through core.jobs.running; all from core.db_refusals."""
import sqlite3
import threading
import time
import uuid

import pytest
from django.db import IntegrityError, OperationalError, connection, transaction
from django.test import Client
from rest_framework.test import APIClient

from core.db_refusals import JOB_REFUSAL_MESSAGE, REFUSAL_MESSAGE, is_refusal
from core.jobs import kinds, running, store
from households.models import Household
from review.assessments import assessment_save
from review.models import Assessment
from tests.concurrency import ON_POSTGRESQL, WAIT, Worker, committing
from tests.factories import HouseholdFactory

URL = "/review/90102/2024/"
only_postgresql = pytest.mark.skipif(not ON_POSTGRESQL, reason="PostgreSQL's row locks and isolation levels")
only_sqlite = pytest.mark.skipif(ON_POSTGRESQL, reason="SQLite's one-writer lock and busy timeout")


def _page(households, income="2.000.000", versions=None):
    data = {}
    for household in households:
        data[f"h{household.pk}-version"] = str((versions or {}).get(household.pk, ""))
        data[f"h{household.pk}-income"] = income
    return data


def _client(user, api=False):
    client = APIClient() if api else Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _lock(pk):
    list(Household.objects.select_for_update().filter(pk=pk))


def _touch(pk):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE households_household SET address = address WHERE id = %s", [pk])


def test_what_counts_as_a_refusal():
    try:
        try:
            raise sqlite3.OperationalError("database is locked")
        except sqlite3.OperationalError as error:
            raise OperationalError(*error.args) from error
    except OperationalError as wrapped:
        assert is_refusal(wrapped)
    assert not is_refusal(OperationalError("no such table: households_household"))
    assert not is_refusal(IntegrityError("UNIQUE constraint failed"))
    assert not is_refusal(ValueError("database is locked"))


# --- 24.2 and 24.3: two writers at once, on both databases ---------------------------------------------------

@pytest.mark.slow  # two connections, waits of a second or two
@committing
def test_two_identical_saves_at_once_give_one_save_and_one_harmless_answer(users, monkeypatch):
    """A double click sent the page twice: one save, one named conflict; never 500 ("database is locked")."""
    rows = [HouseholdFactory(code=f"DS-{n}", commune_id="90102") for n in range(2)]
    clients = [_client(users["district"]) for _ in range(2)]
    barrier = threading.Barrier(2)
    import review.worksheet_save

    original = review.worksheet_save.lock_households

    def both_inside(ids, **kwargs):  # both posts read the page before either writes (the old code let them)
        locked = original(ids, **kwargs)
        try:
            barrier.wait(timeout=2)
        except threading.BrokenBarrierError:
            pass  # the other one waits for this one's lock: as it should
        return locked

    monkeypatch.setattr(review.worksheet_save, "lock_households", both_inside)
    answers = []

    def post(client):
        try:
            answers.append(client.post(URL, _page(rows)))
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT * 3)
    assert sorted(answer.status_code for answer in answers) == [200, 302]
    refused = next(answer for answer in answers if answer.status_code == 200).content.decode()
    assert "vừa được người khác rà soát" in refused and "Chưa lưu gì" in refused
    for household in rows:
        stored = Assessment.objects.get(household=household, year=2024)
        assert (stored.income_per_capita, stored.version) == (2_000_000, 1)
        assert Assessment.history.filter(household_id=household.pk, year=2024).count() == 1


def _hold_the_write_lock(row, seconds):
    """A thread writing on its own connection, its transaction open for `seconds`."""
    holding = threading.Event()

    def write():
        try:
            with transaction.atomic():
                _touch(row.pk)
                holding.set()
                time.sleep(seconds)
        finally:
            holding.set()
            connection.close()

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    assert holding.wait(WAIT)
    return thread


@only_sqlite
@pytest.mark.slow  # two connections, waits of a second or two
@committing
def test_sqlite_save_waits_for_another_writer_then_succeeds(users):
    row = HouseholdFactory(code="WAIT-1", commune_id="90102")
    client = _client(users["district"])
    writer = _hold_the_write_lock(row, 1.5)
    started = time.monotonic()
    response = client.post(URL, _page([row]))
    waited = time.monotonic() - started
    writer.join(WAIT)
    assert response.status_code == 302, response.content.decode()[:500]
    assert waited >= 1.0  # it queued behind the other writer instead of failing
    assert Assessment.objects.get(household=row, year=2024).income_per_capita == 2_000_000


@only_sqlite
@pytest.mark.slow  # two connections, waits of a second or two
@committing
def test_sqlite_wait_that_runs_out_is_a_409_in_vietnamese(users, monkeypatch):
    row = HouseholdFactory(code="WAIT-2", commune_id="90102")
    client, api = _client(users["district"]), _client(users["admin"], api=True)
    theirs = assessment_save(acting_user=users["admin"], household=row, year=2023, income_per_capita=3_000_000)
    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "timeout", 0.3)
    connection.close()  # the next query connects with the short wait
    try:
        writer = _hold_the_write_lock(row, 2)
        page = client.post(URL, _page([row]))
        deleted = api.delete(f"/api/v1/assessments/{theirs.pk}/")
        writer.join(WAIT)
    finally:
        connection.close()
    assert page.status_code == 409 and REFUSAL_MESSAGE in page.content.decode()
    assert deleted.status_code == 409 and deleted.json()["detail"] == REFUSAL_MESSAGE
    assert not Assessment.objects.filter(household=row, year=2024).exists()
    assert Assessment.objects.filter(pk=theirs.pk).exists()


# --- 24.4 on PostgreSQL: each refusal provoked with two connections ------------------------------------------

@pytest.fixture
def pg_session():
    """Session settings of the test's connection (which serves the requests), reset afterwards."""
    commands = []

    def run(sql):
        commands.append(sql)
        with connection.cursor() as cursor:
            cursor.execute(sql)

    yield run
    connection.close()  # a fresh session: no setting outlives the test


@only_postgresql
@pytest.mark.slow  # two connections, waits of a second or two
@committing
def test_lock_wait_run_out_is_409_on_page_admin_and_api(users, pg_session):
    row = HouseholdFactory(code="LT-1", commune_id="90102")
    theirs = assessment_save(acting_user=users["admin"], household=row, year=2023, income_per_capita=3_000_000)
    holder = Worker(lambda: _lock(row.pk), hold=True)
    holder.start()
    assert holder.inside.wait(WAIT) and holder.error is None
    try:
        pg_session("SET lock_timeout = '300ms'")
        page = _client(users["district"]).post(URL, _page([row]))
        admin = _client(users["admin"]).post(f"/admin/review/assessment/{theirs.pk}/delete/", {"post": "yes"})
        api = _client(users["admin"], api=True).delete(f"/api/v1/assessments/{theirs.pk}/")
    finally:
        holder.finish()
    assert page.status_code == 409 and REFUSAL_MESSAGE in page.content.decode()
    assert admin.status_code == 409 and REFUSAL_MESSAGE in admin.content.decode()
    assert api.status_code == 409 and api.json()["detail"] == REFUSAL_MESSAGE
    assert not Assessment.objects.filter(household=row, year=2024).exists()
    assert Assessment.objects.filter(pk=theirs.pk).exists()


@only_postgresql
@pytest.mark.slow  # two connections, waits of a second or two
@committing
def test_deadlock_on_the_worksheet_is_retried_and_saved_once(users, monkeypatch):
    import review.worksheet_save

    first, second = sorted([HouseholdFactory(code=f"DL-{n}", commune_id="90102") for n in range(2)],
                           key=lambda household: household.pk)
    tries = []
    original = review.worksheet_save.lock_households
    monkeypatch.setattr(review.worksheet_save, "lock_households",
                        lambda ids, **kwargs: tries.append(1) or original(ids, **kwargs))
    second_held = threading.Event()

    def opposite_order():  # the second household, then — once the page waits for it — the first
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL deadlock_timeout = '10s'")  # the page's backend finds the deadlock first
        _lock(second.pk)
        second_held.set()
        deadline = time.monotonic() + WAIT
        with connection.cursor() as cursor:
            while time.monotonic() < deadline:
                cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
                if cursor.fetchone()[0]:
                    break
                time.sleep(0.02)
        _lock(first.pk)

    other = Worker(opposite_order)
    other.start()
    assert second_held.wait(WAIT)
    response = _client(users["district"]).post(URL, _page([first, second]))
    other.finish()
    assert other.error is None
    assert response.status_code == 302 and len(tries) == 2  # refused once (the deadlock), then saved
    for household in (first, second):
        assert Assessment.history.filter(household_id=household.pk, year=2024).count() == 1


@only_postgresql
@pytest.mark.slow  # two connections, waits of a second or two
@committing
def test_serialization_failure_is_retried_then_409(users, monkeypatch, pg_session):
    import review.worksheet_save

    row = HouseholdFactory(code="SF-1", commune_id="90102")
    tries = []
    original = review.worksheet_save.lock_households

    def changed_meanwhile(ids, **kwargs):  # another writer commits a change to the household after this one's snapshot
        tries.append(1)
        other = Worker(lambda: _touch(row.pk))
        other.start()
        other.finish()
        assert other.error is None
        return original(ids, **kwargs)

    monkeypatch.setattr(review.worksheet_save, "lock_households", changed_meanwhile)
    pg_session("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL REPEATABLE READ")
    response = _client(users["district"]).post(URL, _page([row]))
    assert response.status_code == 409 and REFUSAL_MESSAGE in response.content.decode()
    assert len(tries) == 2  # tried once more, refused again: 409, not 500
    assert not Assessment.objects.filter(household=row).exists()


@only_postgresql
@pytest.mark.slow  # two connections, waits of a second or two
@committing
def test_a_job_refused_by_the_database_fails_saying_to_run_it_again(users):
    row = HouseholdFactory(code="JOB-1", commune_id="90102")

    def runner(job):
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '200ms'")
            _lock(row.pk)
        return kinds.Outcome(wrote=True)

    kind = kinds.Kind(name="test_refused", runner=runner, task="tests.refused", group="test_refused")
    token = uuid.uuid4().hex
    store.save(token, status="running", phase="", done=0, total=0, result=None)
    holder = Worker(lambda: _lock(row.pk), hold=True)
    holder.start()
    assert holder.inside.wait(WAIT)
    try:
        job = threading.Thread(target=running.execute, args=(kind,),
                               kwargs={"token": token, "user_id": users["admin"].pk, "params": {}})
        job.start()
        job.join(WAIT)
    finally:
        holder.finish()
    state = store.state(token)
    assert (state["status"], state["phase"]) == ("failed", JOB_REFUSAL_MESSAGE)
