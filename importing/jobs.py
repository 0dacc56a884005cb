"""Long jobs run in the background so that the browser can show the server's progress row by row.

The upload (or the commit) starts a job and answers at once; the job page polls `status.json` until the job
is done. The job's state lives in the "imports" cache (files on this server by default, Redis when
DJANGO_REDIS_URL or CELERY_BROKER_URL is set), not in a table: the import writes everything in one
transaction, and a progress row written inside it would stay invisible to the polling request until the
very end.

Two ways to run a job, the same job code:
- No broker (the `make run` default): a thread of the web process (`start`). At most IMPORT_MAX_CONCURRENT
  imports at once on the server (importing/slots.py); the next one is told to wait. A restart of the web
  process mid-import rolls the transaction back (nothing half-written) and its page says so after the state
  expires.
- CELERY_BROKER_URL set: the web process puts the job in the queue (`submit`) and Celery workers, on this
  machine or others, run it (importing/tasks.py, reports/tasks.py). The uploaded file travels as bytes in
  Redis (`store_upload`, kept as long as the job's state, at most IMPORT_MAX_UPLOAD_BYTES), so a worker needs
  no disk shared with the web servers. A job survives a restart of the web server, and any web server reads
  its state. Jobs beyond the limits wait in the queue; their page shows their place.
"""
import contextlib
import logging
import os
import re
import tempfile
import threading
import time

import django.dispatch
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db import connections

from core.workers import uses_workers
from importing import slots
from importing.reading import Issue
from importing.service import ImportResult, households_import

log = logging.getLogger(__name__)
STATE_SECONDS = 24 * 3600
REPORT_EVERY_SECONDS = 0.3
FAILED = "Lỗi hệ thống: không ghi gì. Hãy thử lại."

# Sent after an import wrote to the register (reports/tasks.py warms the reports of the importer's areas).
import_committed = django.dispatch.Signal()  # kwargs: user_id


def _cache():
    return caches["imports"]


def _key(token):
    return f"import-job:{token}"


# Tokens are secrets.token_urlsafe(16): anything else (a typed or fuzzed URL) names no job and never
# reaches the cache as a key.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def state(token):
    """{"status": "running" | "done" | "failed", "dry_run", "phase", "done", "total", "result", "kind", "user_id",
    "queued"} or None."""
    if not TOKEN_PATTERN.fullmatch(str(token)):
        return None
    return _cache().get(_key(token))


def _save(token, **values):
    _cache().set(_key(token), values, STATE_SECONDS)


def forget(token):
    job = state(token)
    _cache().delete(_key(token))
    if job and job.get("queued") and uses_workers():
        slots.leave(job.get("kind", "import"), token)  # cancelled while it waited: it never starts


def is_running(token):
    job = state(token)
    return bool(job) and job.get("status") == "running"


def describe(token):
    """The state as a page shows it: a job waiting in the queue says its place ("vị trí 3")."""
    job = state(token)
    if job and job.get("status") == "running" and job.get("queued") and uses_workers():
        kind = job.get("kind", "import")
        for admitted in slots.admit(kind):  # nothing waits on a lost message or an expired lease
            _send_admitted(admitted)
        place = slots.position(kind, token)
        job = {**job, "phase": slots.waiting_message(place) if place else "Đang chờ máy xử lý nhận việc…",
               "position": place}
    return job


# -- uploads kept in Redis for the workers ------------------------------------------------------------------
def _upload_key(token):
    return f"import-upload:{token}"


def store_upload(token, upload):
    """Keep the uploaded file's bytes in the jobs' Redis for as long as its job's state."""
    content = b"".join(upload.chunks())
    _cache().set(_upload_key(token), content, STATE_SECONDS)
    return len(content)


def upload_exists(token):
    return _cache().has_key(_upload_key(token))


def keep_upload(token):
    """A commit starts on a file checked hours ago: it stays as long as a new job's state."""
    _cache().touch(_upload_key(token), STATE_SECONDS)


def drop_upload(token):
    _cache().delete(_upload_key(token))


@contextlib.contextmanager
def upload_path(token):
    """The stored upload as a file of this machine for the time of the block; None if it expired."""
    content = _cache().get(_upload_key(token))
    if content is None:
        yield None
        return
    handle, path = tempfile.mkstemp(suffix=".xlsx", prefix=f"import-{token[:8]}-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        yield path
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)


# -- the queue of the workers -------------------------------------------------------------------------------
def submit(token, *, kind, task, kwargs, user, **fields):
    """Put a job in the workers' queue (CELERY_BROKER_URL set); returns at once. `task` is the Celery task's
    name, `kwargs` its arguments (the token included); `fields` go into the job's state (dry_run, title…)."""
    _save(token, status="running", queued=True, kind=kind, user_id=user.pk, phase="Đang chờ…", done=0, total=0,
          result=None, **fields)
    _cache().set(f"import-job-task:{token}", {"task": task, "kwargs": kwargs}, STATE_SECONDS)
    slots.enqueue(kind, token, user.pk)
    dispatch(kind)


def dispatch(kind):
    """Send every job of `kind` the limits now allow to the workers."""
    for token in slots.admit(kind):
        _send_admitted(token)


def _send_admitted(token):
    from importing.tasks import send

    message = _cache().get(f"import-job-task:{token}")
    job = state(token)
    if message is None or job is None:  # cancelled or expired meanwhile
        kind = job.get("kind", "import") if job else None
        if kind:
            slots.leave(kind, token)
        return
    try:
        send(message["task"], message["kwargs"])
    except Exception:  # the broker does not answer: the officer is told, the place is freed
        log.exception("job %s could not be sent to the workers", token)
        slots.leave(job.get("kind", "import"), token)
        _save(token, **{**job, "status": "failed", "queued": False,
                        "phase": "Lỗi hệ thống: không gửi được việc đến máy xử lý. Hãy thử lại.", "done": 0,
                        "total": 0, "result": None})


def started(token, kind):
    """A worker took the job: no longer waiting."""
    job = state(token) or {}
    _save(token, **{**job, "status": "running", "queued": False, "phase": "Đang bắt đầu…", "kind": kind})


# -- a thread of the web process (no broker) ----------------------------------------------------------------
def start(token, *, user, path, filename, dry_run, size=None, slot=None):
    """Start checking (dry_run) or importing the stored file in a thread; returns at once. The job releases
    `slot` (importing/slots.py) when it ends, before its page hears that it is done."""
    _save(token, status="running", dry_run=dry_run, phase="Đang chờ bắt đầu…", done=0, total=0, result=None,
          kind="import", user_id=user.pk, queued=False)
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


# -- the job itself, wherever it runs -----------------------------------------------------------------------
def run(*, token, user_id, path, filename, dry_run, size=None, slot=None, on_progress=None):
    last = [0.0]
    kept = {"kind": "import", "user_id": user_id, "queued": False}

    def progress(phase, done, total):
        now = time.monotonic()
        if now - last[0] >= REPORT_EVERY_SECONDS or done == total:
            last[0] = now
            _save(token, status="running", dry_run=dry_run, phase=phase, done=done, total=total, result=None,
                  **kept)
            if on_progress is not None:
                on_progress()

    committed = None
    try:
        user = get_user_model().objects.get(pk=user_id)
        result = households_import(acting_user=user, path=path, filename=filename, dry_run=dry_run, size=size,
                                   progress=progress)
        final = {"status": "done", "phase": "Xong", "done": 1, "total": 1, "result": result.as_dict()}
        committed = result if result.committed and not dry_run else None
    except Exception:  # the officer must see that it failed, not a bar that never ends
        if state(token) is None:  # cancelled during the check: its file is gone, nobody waits for it
            connections.close_all()
            return
        log.exception("import job %s failed", token)
        final = {"status": "failed", "phase": FAILED, "done": 0, "total": 0, "result": None}
    finally:
        connections.close_all()  # this thread's own connections, closed before anyone hears it is done
        if slot is not None:
            slot.release()
    _save(token, dry_run=dry_run, **final, **kept)
    if committed is not None:
        try:
            import_committed.send(sender=run, user_id=user_id)
        except Exception:  # warming the reports must never turn a finished import into a failed one
            log.exception("after import %s", token)
        finally:
            connections.close_all()


def run_stored(*, token, user_id, filename, dry_run, size=None, discard_upload=False, on_progress=None):
    """The job on a worker: the upload comes from Redis (store_upload) into a file of this machine."""
    with upload_path(token) as path:
        if path is None:
            _save(token, status="failed", dry_run=dry_run, kind="import", user_id=user_id, queued=False,
                  phase="Tệp tải lên đã hết hạn hoặc đã bị huỷ: hãy tải tệp lên lại.", done=0, total=0, result=None)
            return
        run(token=token, user_id=user_id, path=path, filename=filename, dry_run=dry_run, size=size,
            on_progress=on_progress)
    if discard_upload:  # an API import has no second step: its file goes once the job is done
        drop_upload(token)


def result_of(job):
    """The ImportResult stored with a finished job (for the preview page and the error file)."""
    data = job["result"]
    result = ImportResult(committed=data["committed"], notices=data["notices"],
                          errors=[Issue(**issue) for issue in data["errors"]])
    for kind in ("created", "updated", "unchanged"):
        getattr(result, kind).update(data[kind])
    return result
