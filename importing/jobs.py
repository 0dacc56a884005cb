"""Imports run in the background so that the browser can show the server's progress row by row.

The upload (or the commit) starts a job in a thread of the web process and answers at once; the job page
polls `status.json` until the job is done. The job's state lives in the "imports" cache (files on this
server by default, Redis when DJANGO_REDIS_URL is set), not in a table: the import writes everything in
one transaction, and a progress row written inside it would stay invisible to the polling request until
the very end. A job that outlives its web process (a restart mid-import) leaves nothing half-written — the
transaction rolls back — and its page says so after the state expires.
"""
import logging
import threading
import time

from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db import connections

from importing.reading import Issue
from importing.service import ImportResult, households_import

log = logging.getLogger(__name__)
STATE_SECONDS = 24 * 3600
REPORT_EVERY_SECONDS = 0.3


def _cache():
    return caches["imports"]


def _key(token):
    return f"import-job:{token}"


def state(token):
    """{"status": "running" | "done" | "failed", "dry_run", "phase", "done", "total", "result"} or None."""
    return _cache().get(_key(token))


def _save(token, **values):
    _cache().set(_key(token), values, STATE_SECONDS)


def forget(token):
    _cache().delete(_key(token))


def is_running(token):
    job = state(token)
    return bool(job) and job.get("status") == "running"


def start(token, *, user, path, filename, dry_run, size=None, slot=None):
    """Start checking (dry_run) or importing the stored file; returns at once. The job releases `slot`
    (importing/slots.py) when it ends, before its page hears that it is done."""
    _save(token, status="running", dry_run=dry_run, phase="Đang chờ bắt đầu…", done=0, total=0, result=None)
    thread = threading.Thread(target=run, name=f"import-{token[:8]}", daemon=True,
                              kwargs={"token": token, "user_id": user.pk, "path": path, "filename": filename,
                                      "dry_run": dry_run, "size": size, "slot": slot})
    try:
        thread.start()
    except BaseException:
        if slot is not None:
            slot.release()
        forget(token)
        raise
    return thread


def run(*, token, user_id, path, filename, dry_run, size=None, slot=None):
    last = [0.0]

    def progress(phase, done, total):
        now = time.monotonic()
        if now - last[0] >= REPORT_EVERY_SECONDS or done == total:
            last[0] = now
            _save(token, status="running", dry_run=dry_run, phase=phase, done=done, total=total, result=None)

    try:
        user = get_user_model().objects.get(pk=user_id)
        result = households_import(acting_user=user, path=path, filename=filename, dry_run=dry_run, size=size,
                                   progress=progress)
        final = {"status": "done", "phase": "Xong", "done": 1, "total": 1, "result": result.as_dict()}
    except Exception:  # the officer must see that it failed, not a bar that never ends
        if state(token) is None:  # cancelled during the check: its file is gone, nobody waits for it
            connections.close_all()
            return
        log.exception("import job %s failed", token)
        final = {"status": "failed", "phase": "Lỗi hệ thống: không ghi gì. Hãy thử lại.", "done": 0, "total": 0,
                 "result": None}
    finally:
        connections.close_all()  # this thread's own connections, closed before anyone hears it is done
        if slot is not None:
            slot.release()
    _save(token, dry_run=dry_run, **final)


def result_of(job):
    """The ImportResult stored with a finished job (for the preview page and the error file)."""
    data = job["result"]
    result = ImportResult(committed=data["committed"], notices=data["notices"],
                          errors=[Issue(**issue) for issue in data["errors"]])
    for kind in ("created", "updated", "unchanged"):
        getattr(result, kind).update(data[kind])
    return result
