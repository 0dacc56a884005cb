"""core/jobs on one server (no broker): uploads do not pile up in the temporary folder, and a server runs a
bounded number of imports at once (slots)."""
import os
import time
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from core import jobs
from core.jobs import slots, store
from households.models import Household
from tests.importing.builders import workbook
from tests.importing.test_import import GOOD_HOUSEHOLDS, GOOD_MEMBERS, GOOD_REVIEWS
from tests.importing.test_pages import background, finished

DAY = 24 * 3600


@pytest.fixture
def uploads(settings):
    folder = Path(settings.IMPORT_UPLOAD_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def stored_uploads(folder):
    return sorted(path.name for path in folder.glob("*.xlsx"))


@pytest.fixture
def good(tmp_path):
    return workbook(tmp_path / "good.xlsx", GOOD_HOUSEHOLDS, GOOD_MEMBERS, GOOD_REVIEWS)


def post(client, path):
    with path.open("rb") as handle:
        return client.post("/import/", {"file": handle})


# -- files refused or abandoned are removed ---------------------------------------------------------------
@pytest.mark.django_db
def test_an_upload_refused_for_its_size_is_answered_at_once_and_not_kept(client, users, good, uploads, settings):
    """It used to be stored, checked in the background, refused, and left in the folder for good."""
    settings.IMPORT_MAX_UPLOAD_BYTES = 100
    client.force_login(users["district"])
    page = post(client, good)
    assert page.status_code == 400 and "quá lớn" in page.content.decode()
    assert stored_uploads(uploads) == []
    assert client.session.get("pending_imports", {}) == {}


@pytest.mark.django_db
def test_uploads_abandoned_for_a_day_are_removed_at_the_next_upload(client, users, good, uploads, settings):
    old, fresh, running = uploads / "old.xlsx", uploads / "fresh.xlsx", uploads / "running.xlsx"
    for path in (old, fresh, running):
        path.write_bytes(b"x")
    two_days_ago = time.time() - 2 * DAY
    os.utime(old, (two_days_ago, two_days_ago))
    os.utime(running, (two_days_ago, two_days_ago))
    store.save("running", status="running", dry_run=False, phase="", done=0, total=0, result=None, kind="import")
    store.beat("running")  # its process is alive: it renews this heartbeat
    try:
        settings.IMPORT_MAX_UPLOAD_BYTES = 100  # refused at once: no background job in this test
        client.force_login(users["district"])
        assert post(client, good).status_code == 400
        assert stored_uploads(uploads) == ["fresh.xlsx", "running.xlsx"]  # the one being imported stays
    finally:
        jobs.forget("running")


@background
def test_a_file_refused_whole_is_forgotten_once_its_page_is_shown(client, users, tmp_path, uploads):
    """A damaged file has nothing to correct row by row: its page says why, and its copy is removed."""
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04garbage")
    client.force_login(users["district"])
    job_url = post(client, broken).url
    page = finished(client, job_url)
    html = page.content.decode()
    assert page.status_code == 400 and "hỏng" in html and "Tải tệp kèm cột lỗi" not in html
    assert stored_uploads(uploads) == []
    token = page.context["token"]
    assert jobs.state(token) is None and client.session.get("pending_imports", {}) == {}
    assert client.get(job_url).status_code == 404


# -- at most IMPORT_MAX_CONCURRENT imports at a time --------------------------------------------------------
@background
def test_imports_beyond_the_servers_limit_are_told_to_wait(client, users, good, uploads, settings):
    settings.IMPORT_MAX_CONCURRENT = 1
    client.force_login(users["district"])
    job_url = post(client, good).url
    assert finished(client, job_url).status_code == 200  # checked: its slot is free again
    token = job_url.strip("/").split("/")[-1]
    api = APIClient()
    api.force_authenticate(users["district"])

    held = slots.acquire("import")  # another import runs on this server
    assert held is not None
    try:
        busy = post(client, good)
        assert busy.status_code == 429 and "hãy chờ" in busy.content.decode()
        assert stored_uploads(uploads) == [f"{token}.xlsx"]  # the refused upload is not kept
        commit = client.post(f"/import/{token}/commit/")
        assert commit.status_code == 429 and "hãy chờ" in commit.content.decode()
        assert jobs.state(token)["dry_run"] and not Household.objects.exists()
        with good.open("rb") as handle:
            answer = api.post("/api/v1/imports/", {"file": handle}, format="multipart")
        assert answer.status_code == 429 and "hãy chờ" in answer.json()["detail"]
        assert not Household.objects.exists()
    finally:
        held.release()

    assert client.post(f"/import/{token}/commit/").url == job_url
    assert finished(client, job_url).status_code == 302 and Household.objects.count() == 2
    with good.open("rb") as handle:
        assert api.post("/api/v1/imports/", {"file": handle, "dry_run": "true"}, format="multipart").status_code == 200


def test_slots_are_counted_across_processes_and_freed_by_a_dead_one(settings, tmp_path):
    """Slots are file locks: a second process sees them taken, and a process that dies frees its own."""
    import subprocess
    import sys

    settings.IMPORT_MAX_CONCURRENT = 2
    first = slots.acquire("import")
    assert first is not None
    script = ("import sys, django, os; os.environ['DJANGO_SETTINGS_MODULE']='poverty_tracker.test_settings'; "
              "django.setup(); from django.conf import settings; "
              f"settings.IMPORT_UPLOAD_DIR={settings.IMPORT_UPLOAD_DIR!r}; settings.IMPORT_MAX_CONCURRENT=2; "
              "from core.jobs import slots; taken = slots.acquire('import'); print('got' if taken else 'busy'); "
              "print('busy' if slots.acquire('import') is None else 'got'); sys.stdout.flush(); sys.stdin.read()")
    child = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                             cwd=Path(__file__).resolve().parents[2])
    try:
        assert child.stdout.readline().strip() == "got"  # the second slot
        assert child.stdout.readline().strip() == "busy"  # none left, here or there
        assert slots.acquire("import") is None
    finally:
        child.kill()
        child.wait(10)
    again = slots.acquire("import")  # the dead process's slot is free
    assert again is not None
    again.release()
    first.release()


@pytest.mark.django_db
def test_a_token_that_no_upload_could_have_names_no_job(users):
    """A typed or fuzzed job URL (control characters, spaces, 200 characters) answers 404 without reaching the
    cache as a key (memcached would refuse such keys; the fuzzer found them)."""
    import warnings

    from django.core.cache import CacheKeyWarning

    api = APIClient()
    api.force_authenticate(users["commune"])
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheKeyWarning)
        for token in ("\x1c", "a b", "x" * 200, "ÍÄ"):
            assert jobs.state(token) is None
            assert api.get(f"/api/v1/imports/{token}/").status_code == 404


@background
def test_a_job_whose_web_process_died_is_shown_as_interrupted_not_running(client, users, good, uploads, settings):
    """A thread's web process restarted mid-import: its state said "running" until it expired (24 hours). Its
    heartbeat stopped: once the lease runs out its page says it was interrupted, nothing written, run it again."""
    settings.JOB_LEASE_SECONDS = 1
    client.force_login(users["district"])
    job_url = post(client, good).url
    token = job_url.strip("/").split("/")[-1]
    assert finished(client, job_url).status_code == 200  # checked; a live job's heartbeat kept it "running"
    # the commit's thread dies with its process: its state stays as it was, nobody renews its heartbeat
    store.save(token, **{**store.state(token), "status": "running", "dry_run": False, "phase": "Đang ghi vào sổ",
                         "done": 5000, "total": 20000, "result": None})
    store.beat(token)
    assert client.get(job_url + "status.json").json()["status"] == "running"  # within its lease: alive
    time.sleep(1.2)
    state = client.get(job_url + "status.json").json()
    assert state["status"] == "failed"
    assert state["phase"] == "Công việc bị gián đoạn (máy chủ xử lý dừng giữa chừng): không có gì được ghi. Hãy chạy lại."
    assert "Hãy chạy lại" in client.get(job_url).content.decode()
    # running it again imports the file
    assert client.post(f"{job_url}commit/").url == job_url
    assert finished(client, job_url).url == "/import/" and Household.objects.count() == 2
