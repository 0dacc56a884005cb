"""Celery tasks of the import (CELERY_BROKER_URL set): the check and the commit run on a worker.

The web process queues the job (importing/jobs.py `submit`); once the limits admit it, it is sent here.
`worker_job` is the frame every long job runs in on a worker (the report jobs in reports/tasks.py too): it
marks the job started, holds its place in the queue with a lease renewed every few seconds while it runs,
frees the place at the end and admits the next job of its kind.
"""
import contextlib
import logging
import threading

from celery import shared_task
from django.conf import settings
from django.db import connections

from importing import jobs, slots

log = logging.getLogger(__name__)
RENEW_EVERY_SECONDS = 10


def send(name, kwargs):
    """Send a task by name to this installation's queue, on the broker of the current settings."""
    from celery import current_app

    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
    with current_app.connection_for_write(settings.CELERY_BROKER_URL, transport_options=options) as connection:
        current_app.send_task(name, kwargs=kwargs, queue=settings.CELERY_TASK_DEFAULT_QUEUE, connection=connection,
                              ignore_result=True)


@contextlib.contextmanager
def worker_job(token, kind):
    """Run the job's body inside: its place is held (lease renewed) until it ends, then the next job starts."""
    job = jobs.state(token) or {}
    slots.claim(kind, token, job.get("user_id", ""))
    jobs.started(token, kind)
    stop = threading.Event()

    def renew():
        while not stop.wait(RENEW_EVERY_SECONDS):
            try:
                slots.renew(kind, token)
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
        slots.leave(kind, token)
        jobs.dispatch(kind)


@shared_task(name="importing.import_job", acks_late=True, reject_on_worker_lost=True)
def import_job(*, token, user_id, filename, dry_run, size=None, discard_upload=False):
    """Check (dry_run) or import an uploaded workbook kept in Redis; progress and result in the job's state."""
    if jobs.state(token) is None:  # cancelled while it waited in the broker
        slots.leave("import", token)
        jobs.drop_upload(token)
        return
    with worker_job(token, "import"):
        jobs.run_stored(token=token, user_id=user_id, filename=filename, dry_run=dry_run, size=size,
                        discard_upload=discard_upload)
