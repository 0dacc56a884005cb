"""Single flight: while one request computes a report, the others asking for the same key wait for its result;
every computation is counted per key and data version; a dead holder's lock expires; writes warm the cache."""
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connections
from django.test import override_settings

from poverty_tracker.settings import cache_settings
from reports import cache as report_cache
from reports.spending import spending_summary
from review.services import assessment_save
from tests.factories import HouseholdFactory
from tests.redis_available import redis_or_skip

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _counts_start_at_zero():
    report_cache.reset_computation_counts()
    yield
    report_cache.reset_computation_counts()


def slow_computation(calls, seconds=0.4):
    def compute():
        calls.append(threading.get_ident())
        time.sleep(seconds)
        return {"rows": [1, 2, 3]}
    return compute


def together(count, target):
    results, start = [None] * count, threading.Barrier(count)

    def one(index):
        start.wait()
        results[index] = target()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_requests_for_the_same_key_wait_for_one_computation():
    calls = []
    results = together(8, lambda: report_cache.single_flight("report:same", slow_computation(calls), seconds=60,
                                                             label="same key"))
    assert len(calls) == 1 and results == [{"rows": [1, 2, 3]}] * 8
    assert report_cache.computation_counts() == {"same key": 1}


def test_different_keys_do_not_wait_for_each_other():
    calls = []
    started = time.monotonic()
    together(4, lambda: report_cache.single_flight(f"report:{threading.get_ident()}", slow_computation(calls),
                                                   seconds=60, label=f"key {threading.get_ident()}"))
    assert len(calls) == 4 and time.monotonic() - started < 1.5  # in parallel, not one after the other
    assert sorted(report_cache.computation_counts().values()) == [1, 1, 1, 1]


@override_settings(REPORT_LOCK_SECONDS=1)
def test_a_lock_whose_holder_died_expires_and_a_waiter_computes():
    cache.add("report:orphan:lock", "a process that was killed", 1)  # held by nobody alive
    calls = []
    started = time.monotonic()
    result = report_cache.single_flight("report:orphan", slow_computation(calls, 0), seconds=60, label="orphan")
    waited = time.monotonic() - started
    assert result == {"rows": [1, 2, 3]} and len(calls) == 1
    assert 0.9 <= waited < 2.5  # it waited for the lock's life, not forever


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_report_asked_by_many_at_once_is_computed_once_per_data_version(users):
    admin = users["admin"]
    household = HouseholdFactory(code="SF-1", commune_id="90101")
    assessment_save(acting_user=admin, household=household, year=2024, income_per_capita=1_000_000,
                    deprivations=["1", "4", "9"])

    def ask():
        try:
            return spending_summary(user=users["district"], area_code="901", year=2024)
        finally:
            connections.close_all()

    first = together(6, ask)
    assert all(result == first[0] for result in first)
    counts = report_cache.computation_counts()
    # the report and its year's benefits aggregate (reports.year_aggregates), each once
    assert sorted(label.split()[0] for label in counts) == ["reports.spending.spending_summary",
                                                             "spending.benefits"], counts
    assert list(counts.values()) == [1, 1], counts
    # a write makes a new data version: computed once more, by one of the askers
    assessment_save(acting_user=admin, household=HouseholdFactory(code="SF-2", commune_id="90102"), year=2024,
                    income_per_capita=1_000_000, deprivations=["4"])
    together(6, ask)
    counts = report_cache.computation_counts()
    assert all(count == 1 for count in counts.values()) and len(counts) == 4, counts
    assert sum("reports.spending.spending_summary area=901 year=2024" in label for label in counts) == 2
    assert sum(label.startswith("spending.benefits year=2024") for label in counts) == 2, counts


REDIS_URL = os.environ.get("TEST_CELERY_REDIS_URL", "redis://127.0.0.1:6379/13")


def test_with_redis_a_second_process_waits_for_the_first_ones_result(tmp_path):
    redis_or_skip("the single-flight test across processes")
    prefix = f"sf-{os.getpid()}-{time.monotonic_ns()}:"
    script = (
        "import os, sys, django; os.environ['DJANGO_SETTINGS_MODULE']='poverty_tracker.test_settings'; django.setup()\n"
        "from reports import cache as c\n"
        "def compute():\n    print('computed', flush=True); return {'by': 'the other process'}\n"
        "print(c.single_flight('report:shared', compute, seconds=60, label='shared'), flush=True)\n"
    )
    with override_settings(CACHES=cache_settings(REDIS_URL, None, prefix)):
        from django.core.cache import caches

        shared = caches["default"]
        holding = threading.Event()

        def compute():
            holding.set()
            time.sleep(2)
            return {"by": "this process"}

        mine = threading.Thread(target=lambda: report_cache.single_flight("report:shared", compute, seconds=60,
                                                                          label="shared"))
        mine.start()
        holding.wait(10)
        env = {**os.environ, "DJANGO_REDIS_URL": REDIS_URL, "REDIS_KEY_PREFIX": prefix}
        other = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                               timeout=60)
        mine.join(10)
        try:
            assert "computed" not in other.stdout, other.stdout + other.stderr
            assert "{'by': 'this process'}" in other.stdout, other.stdout + other.stderr
            assert report_cache.computation_counts() == {"shared": 1}
        finally:
            report_cache.reset_computation_counts()
            for key in ("report:shared", "report:shared:lock"):
                shared.delete(key)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_round_saved_warms_the_dashboard_of_the_officers_over_it(users, settings):
    """After a write, the district's leader finds the dashboard and the poverty report already computed."""
    from reports import tasks

    settings.REPORT_WARMING = True
    warmed = []
    original = tasks.warm

    def recording(codes):
        warmed.append(original(codes))

    tasks.warm = recording
    try:
        admin = users["admin"]
        household = HouseholdFactory(code="W-1", commune_id="90101")
        assessment_save(acting_user=admin, household=household, year=2024, income_per_capita=1_000_000,
                        deprivations=["1", "4", "9"])  # creates the round: warming starts in a thread
        deadline = time.monotonic() + 30
        while not warmed and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        tasks.warm = original
    assert warmed and warmed[0] >= 2  # the district's officers (one scope) and the administrator
    labels = list(report_cache.computation_counts())
    assert any(label.startswith("reports.poverty.poverty_summary area=901 year=2024") for label in labels), labels
    computed = report_cache.computation_counts()
    # the leader opening the dashboard now computes nothing
    from django.test import Client

    leader = Client()
    leader.force_login(users["leader"])
    assert leader.get("/").status_code == 200
    assert report_cache.computation_counts() == computed


def _version_reads(queries):
    return [q["sql"] for q in queries if "MAX(history_id)" in q["sql"]]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_dashboard_view_reads_the_data_version_once_and_a_repeated_view_computes_nothing(users):
    """The dashboard asks for eight cached summaries; they share one read of the data version (it was read
    eight times, a fifth of a cached view), and a repeated view is one cached result: no aggregate at all."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    admin = users["admin"]
    assessment_save(acting_user=admin, household=HouseholdFactory(code="DV-1", commune_id="90101"), year=2024,
                    income_per_capita=1_000_000, deprivations=["1", "4", "9"])
    leader = Client()
    leader.force_login(users["leader"])
    with CaptureQueriesContext(connection) as first:
        assert leader.get("/").status_code == 200
    assert len(_version_reads(first.captured_queries)) == 1
    assert any("households_assessment" in q["sql"] for q in first.captured_queries)  # computed this time
    computed = report_cache.computation_counts()
    with CaptureQueriesContext(connection) as again:
        assert leader.get("/").status_code == 200
    assert len(_version_reads(again.captured_queries)) == 1
    assert not [q["sql"] for q in again.captured_queries if "households_assessment" in q["sql"]]
    assert report_cache.computation_counts() == computed
    # a write is a new data version: the next view computes again, and shows the new household
    assessment_save(acting_user=admin, household=HouseholdFactory(code="DV-2", commune_id="90102"), year=2024,
                    income_per_capita=1_000_000, deprivations=["1", "4", "9"])
    with CaptureQueriesContext(connection) as after_write:
        response = leader.get("/?year=2024")
    assert any("households_assessment" in q["sql"] for q in after_write.captured_queries)
    assert response.context["data"]["key_figures"][0]["value"] == 2
