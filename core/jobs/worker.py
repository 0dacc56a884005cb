"""The workers' side (CELERY_BROKER_URL set): a job is queued with its place (core/jobs/queue.py), sent to the
workers once the limits admit it, and run by its kind's Celery task inside `worker_job`, which marks it
started, holds its place with a lease renewed every few seconds, frees the place at the end and admits the
next job of its group. A job survives a restart of the web server, and any web server reads its state."""
import contextlib
import logging
import threading

from django.conf import settings
from django.db import connections

from core.jobs import queue, running, store, uploads

log = logging.getLogger(__name__)
RENEW_EVERY_SECONDS = 10
EXPIRED = "Tệp tải lên đã hết hạn hoặc đã bị huỷ: hãy tải tệp lên lại."


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
    store.save(token, **running.kept_fields(kind, token, user.pk, fields), status="running", queued=True,
               phase="Đang chờ…", done=0, total=0, result=None)
    store.cache().set(_message_key(token), {"task": kind.task, "kwargs": kwargs}, store.STATE_SECONDS)
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
    """Run the job's body inside: its place is held (lease renewed) until it ends, then the next job starts."""
    job = store.state(token) or {}
    queue.claim(group, token, job.get("user_id", ""))
    store.save(token, **{**job, "status": "running", "queued": False, "phase": "Đang bắt đầu…", "kind": group})
    stop = threading.Event()

    def renew():
        while not stop.wait(RENEW_EVERY_SECONDS):
            try:
                queue.renew(group, token)
            except Exception:  # Redis hiccup: the next renewal tries again
                log.warning("job %s: lease not renewed", token, exc_info=True)

    keeper = threading.Thread(target=renew, name=f"lease-{token[:8]}", daemon=True)
    keeper.start()
    try:
        yield
    finally:
        stop.set()
        keeper.join(5)
        connections.close_all()
        queue.leave(group, token)
        dispatch(group)


def run_queued(kind, *, token, user_id, discard_upload=False, **params):
    """The body of a kind's Celery task: the job, on this worker."""
    if store.state(token) is None:  # cancelled while it waited in the broker
        queue.leave(kind.group, token)
        uploads.drop(token)
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
