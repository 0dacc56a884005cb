"""The workers' side (CELERY_BROKER_URL set): a job is queued with its place (core/jobs/queue.py), sent to the
workers once the limits admit it, and run by its kind's Celery task inside `worker_job`, which marks it
started, holds its place and its heartbeat with a lease renewed every few seconds, frees the place at the end
and admits the next job of its group. A job survives a restart of the web server, and any web server reads its
state.

A worker killed mid-job (SIGKILL, the machine lost) leaves its job without a heartbeat: once its lease
(JOB_LEASE_SECONDS) runs out, the first page or API call that reads it queues it again, first in line, for
another worker (`lost`; a job is all or nothing, so running it again is safe), at most MAX_STARTS times in all;
after that it is shown as interrupted.
Each sending carries an attempt number: the dead worker's message, handed out again by the broker after its
visibility timeout, is dropped when the job was sent again meanwhile, has ended, or runs on another worker.
"""
import contextlib
import logging
import secrets

from django.conf import settings
from django.db import connections

from core.jobs import queue, running, store, uploads

log = logging.getLogger(__name__)
EXPIRED = "Tệp tải lên đã hết hạn hoặc đã bị huỷ: hãy tải tệp lên lại."
MAX_STARTS = 2  # a job that kills its worker every time (a file too big for its memory) is not retried forever
RETAKEN = "Máy xử lý trước đã dừng giữa chừng: việc được làm lại. "


def _message_key(token):
    return f"import-job-task:{token}"


def send(name, kwargs):
    """Send a task by name to this installation's queue, on the broker of the current settings."""
    from celery import current_app

    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
    with current_app.connection_for_write(settings.CELERY_BROKER_URL, transport_options=options) as connection:
        current_app.send_task(name, kwargs=kwargs, queue=settings.CELERY_TASK_DEFAULT_QUEUE, connection=connection,
                              ignore_result=True)


def submit(kind, *, token, user, kwargs, fields):
    """Put a job in the workers' queue; returns at once. `kwargs` are its task's (token and user_id included)."""
    attempt = secrets.token_hex(8)
    fields = {**running.kept_fields(kind, token, user.pk, fields), "attempt": attempt, "starts": 0, "retaken": False}
    store.save(token, **fields, status="running", queued=True, phase="Đang chờ…", done=0, total=0, result=None)
    store.cache().set(_message_key(token), {"task": kind.task, "kwargs": {**kwargs, "attempt": attempt}},
                      store.STATE_SECONDS)
    queue.enqueue(kind.group, token, user.pk)
    dispatch(kind.group)


def dispatch(group):
    """Send every job of `group` the limits now allow to the workers."""
    for token in queue.admit(group):
        _send_admitted(token)


def _send_admitted(token):
    message = store.cache().get(_message_key(token))
    job = store.state(token)
    if message is None or job is None:  # cancelled or expired meanwhile
        if job is not None:
            queue.leave(job["kind"], token)
        return
    try:
        send(message["task"], message["kwargs"])
    except Exception:  # the broker does not answer: the officer is told, the place is freed
        log.exception("job %s could not be sent to the workers", token)
        queue.leave(job["kind"], token)
        store.save(token, **{**job, "status": "failed", "queued": False,
                             "phase": "Lỗi hệ thống: không gửi được việc đến máy xử lý. Hãy thử lại.", "done": 0,
                             "total": 0, "result": None})


@contextlib.contextmanager
def worker_job(token, group):
    """Run the job's body inside: its place and heartbeat are held (lease renewed) until it ends, then the next
    job starts."""
    job = store.state(token) or {}
    queue.claim(group, token, job.get("user_id", ""))
    store.beat(token)
    store.save(token, **{**job, "status": "running", "queued": False, "kind": group,
                         "phase": (RETAKEN if job.get("retaken") else "") + "Đang bắt đầu…",
                         "starts": job.get("starts", 0) + 1})
    try:
        with running.heartbeat(token, also=lambda: queue.renew(group, token)):
            yield
    finally:
        connections.close_all()
        queue.leave(group, token)
        dispatch(group)


def _not_this_message(kind, token, job, attempt):
    """Why this message must not run the job (None: it must): the broker hands a dead worker's message out
    again after its visibility timeout, and a job may have been sent again, ended or be running elsewhere."""
    if attempt is not None and job.get("attempt") not in (None, attempt):
        return "sent again since"
    if job.get("status") != "running":
        return "ended"
    if not job.get("queued") and store.alive(token):
        return "running on another worker"
    if not job.get("queued") and job.get("starts", 0) >= MAX_STARTS:
        _interrupt(kind.group, token, job)
        return "its workers died too often"
    return None


def run_queued(kind, *, token, user_id, discard_upload=False, attempt=None, **params):
    """The body of a kind's Celery task: the job, on this worker."""
    job = store.state(token)
    if job is None:  # cancelled while it waited in the broker
        queue.leave(kind.group, token)
        uploads.drop(token)
        return
    skipped = _not_this_message(kind, token, job, attempt)
    if skipped:
        log.warning("job %s: message dropped (%s)", token, skipped)
        return
    with worker_job(token, kind.group):
        if kind.upload_suffix is None:
            running.execute(kind, token=token, user_id=user_id, params=params)
            return
        with uploads.path(token, kind.upload_suffix) as path:
            if path is None:
                store.save(token, **running.kept_fields(kind, token, user_id), status="failed", queued=False,
                           phase=EXPIRED, done=0, total=0, result=None)
                return
            running.execute(kind, token=token, user_id=user_id, params=params, path=path)
        if discard_upload:  # a job with no second step: its file goes once the job is done
            uploads.drop(token)


def lost(token, job):
    """The job's heartbeat stopped (its worker died): queued again, first in line, for another worker; or, past
    MAX_STARTS or without its message, shown as interrupted. Returns its state now."""
    if not store.claim_once(f"lost:{token}:{job.get('attempt')}:{job.get('starts')}"):
        return store.state(token)  # another request is handling it
    message = store.cache().get(_message_key(token))
    if message is None or job.get("starts", 0) >= MAX_STARTS:
        return _interrupt(job.get("kind", ""), token, job)
    attempt = secrets.token_hex(8)
    message["kwargs"]["attempt"] = attempt
    store.cache().set(_message_key(token), message, store.STATE_SECONDS)
    job = {**job, "status": "running", "queued": True, "attempt": attempt, "retaken": True, "phase": "Đang chờ…",
           "done": 0, "total": 0, "result": None}
    store.save(token, **job)
    log.warning("job %s: its worker stopped, queued again", token)
    queue.leave(job["kind"], token)  # its running place, if the lease had not run out there yet
    queue.enqueue(job["kind"], token, job.get("user_id", ""), first=True)
    dispatch(job["kind"])
    return store.state(token)


def _interrupt(group, token, job):
    queue.leave(group, token)
    return running.interrupted(token, job)


def task_for(kind):
    """The kind's Celery task, under its stable name."""
    from celery import shared_task

    if not kind.tracked:
        def body(**params):
            running.untracked(kind, params)

        return shared_task(name=kind.task, ignore_result=True)(body)

    def body(**kwargs):
        run_queued(kind, **kwargs)

    return shared_task(name=kind.task, acks_late=True, reject_on_worker_lost=True)(body)
