"""With CELERY_BROKER_URL set, imports and report jobs run on a real Celery worker process against the real
Redis and the test database: the page flow and the API flow to the end, the queue's limits and places.

Each run has its own Redis key prefix and Celery queue (runs side by side on one machine never meet), in
Redis database 13 (TEST_CELERY_REDIS_URL). Without Redis the tests are skipped, unless REQUIRE_REDIS=1 (CI).
"""
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings
from rest_framework.test import APIClient

from core import jobs
from core.jobs import queue
from households.models import Household
from poverty_tracker.settings import cache_settings
from tests.importing.builders import workbook
from tests.importing.test_import import GOOD_HOUSEHOLDS, GOOD_MEMBERS, GOOD_REVIEWS
from tests.importing.test_pages import finished
from tests.redis_available import redis_or_skip

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_CELERY_REDIS_URL", "redis://127.0.0.1:6379/13")
# Transactional: the worker is another process, it sees only committed rows. serialized_rollback puts back
# the rows the migrations seeded (ethnic groups, standards) that the flush after each test removes.
committed = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def database_url_of_the_test_db():
    """The test database as a DATABASE_URL, for the worker and web processes."""
    config = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{config['NAME']}"
    auth = config["USER"] + (f":{config['PASSWORD']}" if config["PASSWORD"] else "")
    return f"postgres://{auth}@{config['HOST'] or '127.0.0.1'}:{config['PORT'] or 5432}/{config['NAME']}"


class Installation:
    """The settings every process of one test run shares: Redis, its key prefix, the Celery queue, the DB."""

    def __init__(self):
        self.prefix = f"pt-test-{uuid.uuid4().hex[:10]}"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "poverty_tracker.test_settings",
            "DATABASE_URL": database_url_of_the_test_db(),
            "CELERY_BROKER_URL": REDIS_URL,
            "CELERY_QUEUE": self.prefix,
            "REDIS_KEY_PREFIX": self.prefix + ":",
            "DJANGO_REDIS_URL": REDIS_URL,
            "REPORT_WARMING": "0",
        }
        self.settings = {
            "CELERY_BROKER_URL": REDIS_URL,
            "CELERY_TASK_DEFAULT_QUEUE": self.prefix,
            "CELERY_BROKER_TRANSPORT_OPTIONS": {"visibility_timeout": 3600, "global_keyprefix": self.prefix + ":"},
            "CACHES": cache_settings(REDIS_URL, None, self.prefix + ":"),
        }
        self.processes = []

    def lease(self, seconds):
        """A short job lease (JOB_LEASE_SECONDS) for the processes started from now on; the seconds."""
        self.env["JOB_LEASE_SECONDS"] = str(seconds)
        return seconds

    def start_worker(self):
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "poverty_tracker", "worker", "--pool=solo", "-Q", self.prefix,
             "--without-heartbeat", "--without-mingle", "--without-gossip", "--loglevel=WARNING",
             "--hostname", f"{self.prefix}@%h"],
            cwd=ROOT, env=self.env, stdin=subprocess.DEVNULL)
        self.processes.append(worker)
        return worker

    def start_web(self):
        """A web server of its own (runserver, one process) on a free port; (process, port)."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        web = subprocess.Popen([sys.executable, "manage.py", "runserver", "--noreload", "--nothreading",
                                f"127.0.0.1:{port}"], cwd=ROOT, env=self.env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.processes.append(web)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return web, port
            except OSError:
                assert web.poll() is None, "the web server did not start"
                time.sleep(0.2)
        raise AssertionError("the web server did not start listening")

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(f"*{self.prefix}*", count=1000))
        if keys:
            client.delete(*keys)


@pytest.fixture
def installation():
    redis_or_skip("the Celery tests")
    setup = Installation()
    with override_settings(**setup.settings):
        try:
            yield setup
        finally:
            setup.stop()


@pytest.fixture
def worker(installation):
    installation.start_worker()
    return installation


def wait_for(predicate, seconds=90, step=0.1):
    deadline = time.monotonic() + seconds
    while True:
        value = predicate()
        if value:
            return value
        assert time.monotonic() < deadline, "timed out"
        time.sleep(step)


@committed
def test_the_import_page_runs_the_check_and_the_commit_on_the_worker(worker, client, users, tmp_path, settings):
    settings.IMPORT_UPLOAD_DIR = str(tmp_path / "uploads")
    good = workbook(tmp_path / "good.xlsx", GOOD_HOUSEHOLDS, GOOD_MEMBERS, GOOD_REVIEWS)
    client.force_login(users["district"])
    with good.open("rb") as handle:
        job_url = client.post("/import/", {"file": handle}).url
    token = job_url.strip("/").split("/")[-1]
    # the file went to Redis for the worker, not to this machine's disk
    assert jobs.upload_exists(token) and not list((tmp_path / "uploads").glob("*.xlsx"))
    preview = finished(client, job_url, seconds=90)
    html = preview.content.decode()
    assert preview.status_code == 200 and "Ghi vào sổ" in html and not Household.objects.exists()
    assert client.post(f"/import/{token}/commit/").url == job_url
    done = finished(client, job_url, seconds=90)
    assert done.status_code == 302 and done.url == "/import/"
    assert sorted(Household.objects.values_list("code", flat=True)) == ["H-1", "H-2"]
    assert not jobs.upload_exists(token)  # imported: the stored file is gone


@committed
def test_the_import_api_queues_the_job_and_answers_its_state(worker, users, tmp_path):
    good = workbook(tmp_path / "good.xlsx", GOOD_HOUSEHOLDS, GOOD_MEMBERS, GOOD_REVIEWS)
    api = APIClient()
    api.force_authenticate(users["district"])

    def sent(**fields):
        with good.open("rb") as handle:
            answer = api.post("/api/v1/imports/", {"file": handle, **fields}, format="multipart")
        assert answer.status_code == 202, answer.content
        assert answer["Location"] == answer.json()["url"] == f"/api/v1/imports/{answer.json()['token']}/"
        return answer.json()["url"]

    def outcome(url):
        return wait_for(lambda: (lambda r: r if r.status_code != 202 else None)(api.get(url)))

    checked = outcome(sent(dry_run="true"))
    assert checked.status_code == 200 and checked.json()["status"] == "done"
    assert checked.json()["would_create"] == {"households": 2, "members": 3, "assessments": 2}
    assert checked.json()["created"] == {"households": 0, "members": 0, "assessments": 0}
    assert not Household.objects.exists()
    url = sent()
    imported = outcome(url)
    assert imported.status_code == 200 and imported.json()["committed"] is True
    assert Household.objects.count() == 2
    # somebody else's job is not theirs to read
    other = APIClient()
    other.force_authenticate(users["commune"])
    assert other.get(url).status_code == 404


@committed
def test_jobs_beyond_the_limits_wait_in_the_queue_with_their_place(installation, client, users, tmp_path, settings):
    """No worker yet: the officer's first check is admitted, their next two wait, places 1 and 2 shown."""
    settings.IMPORT_MAX_PER_OFFICER = 1
    good = workbook(tmp_path / "good.xlsx", GOOD_HOUSEHOLDS, GOOD_MEMBERS, GOOD_REVIEWS)
    client.force_login(users["district"])
    urls = []
    for _ in range(3):
        with good.open("rb") as handle:
            urls.append(client.post("/import/", {"file": handle}).url)
    first, second, third = (client.get(url + "status.json").json() for url in urls)
    assert first["status"] == "running" and first["position"] is None
    assert second["phase"] == "Đang chờ: vị trí 1 trong hàng đợi" and second["status"] == "running"
    assert third["phase"] == "Đang chờ: vị trí 2 trong hàng đợi"
    assert "Đang chờ: vị trí 2 trong hàng đợi" in client.get(urls[2]).content.decode()
    # another officer is not held behind them
    other = type(client)()
    other.force_login(users["commune"])
    own = workbook(tmp_path / "own.xlsx", GOOD_HOUSEHOLDS[:1], GOOD_MEMBERS, GOOD_REVIEWS[:1])  # their commune
    with own.open("rb") as handle:
        theirs = other.post("/import/", {"file": handle}).url
    assert other.get(theirs + "status.json").json()["position"] is None
    # cancelling a waiting job moves the next one up
    other_token = urls[1].strip("/").split("/")[-1]
    client.post(f"/import/{other_token}/cancel/")
    assert client.get(urls[2] + "status.json").json()["phase"] == "Đang chờ: vị trí 1 trong hàng đợi"
    # a worker comes: everything runs to the end, one job of the officer at a time
    installation.start_worker()
    for url in (urls[0], urls[2], theirs):
        assert finished(client if url != theirs else other, url, seconds=120).status_code == 200
    assert queue.position("import", urls[2].strip("/").split("/")[-1]) is None


@committed
def test_the_annual_package_is_built_by_the_worker_and_downloaded_from_its_page(worker, client, users):
    client.force_login(users["district"])
    page = client.get("/reports/annual-package/?year=2024&area=901")
    assert page.status_code == 302 and page.url.startswith("/reports/jobs/")
    job_url = page.url
    wait_for(lambda: client.get(job_url + "status.json").json()["status"] != "running")
    html = client.get(job_url).content.decode()
    assert "bao-cao-nam-2024-901.xlsx" in html
    download = client.get(job_url + "download/")
    assert download.status_code == 200 and download.content[:2] == b"PK"
    assert 'filename="bao-cao-nam-2024-901.xlsx"' in download["Content-Disposition"]
    other = type(client)()
    other.force_login(users["leader"])
    assert other.get(job_url).status_code == 404 and other.get(job_url + "download/").status_code == 404


@committed
def test_a_year_is_reclassified_on_the_worker(worker, client, users):
    from review.models import Assessment
    from review.services import assessment_save
    from tests.factories import HouseholdFactory

    assessment_save(acting_user=users["admin"], household=HouseholdFactory(code="RC-1", commune_id="90101"), year=2024,
                    income_per_capita=1_000_000, deprivations=["1", "4", "9"])
    client.force_login(users["district"])
    assert client.post("/reports/jobs/reclassify/", {"year": "2024"}).status_code == 403  # administrators only
    client.force_login(users["admin"])
    job_url = client.post("/reports/jobs/reclassify/", {"year": "2024"}).url
    wait_for(lambda: client.get(job_url + "status.json").json()["status"] != "running")
    page = client.get(job_url)
    assert page.status_code == 200 and "Năm 2024: 0 hộ đổi phân loại." in page.content.decode()
    assert Assessment.objects.get(household__code="RC-1").classification == "poor"
