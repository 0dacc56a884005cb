"""The one door to start a job and the reads its pages need.

`launch` runs the job on the Celery workers when a broker is configured (CELERY_BROKER_URL) and on this
server otherwise: in a thread (the page polls its state), or, for a caller that asks `inline=True`, in the
request itself (an API answer, a download built at once). The caller never asks which: it shows what
`Launched` says (a job page to follow, or the outcome at hand).
"""
import logging
import secrets
import threading
from dataclasses import dataclass

from core.jobs import kinds, queue, running, slots, store, uploads, worker

log = logging.getLogger(__name__)


def register(name, runner, *, task, group=None, **options):
    """Register a job kind (from its app's AppConfig.ready): `runner(job, **params) -> Outcome` runs it, the
    Celery task `task` carries it to a worker; options: see core/jobs/kinds.py `Kind`."""
    kind = kinds.Kind(name=name, runner=runner, task=task, group=group or name, **options)
    kinds.add(kind)
    worker.task_for(kind)
    return kind


@dataclass
class Launched:
    token: str | None = None  # the job's token: its page follows it (None when it ran in the request)
    queued: bool = False  # sent to the workers' queue (its page shows its place while it waits)
    outcome: kinds.Outcome | None = None  # what it produced, when it ran in the request
    thread: object = None  # the thread running it on this server, if any


def new_token():
    return secrets.token_urlsafe(16)


def launch(kind: str, *, user=None, params: dict | None = None, upload=None, token: str | None = None,
           fields: dict | None = None, keep_upload: bool = False, inline: bool = False) -> Launched:
    """Start a job of `kind` for `user` with `params` (its runner's keyword arguments).

    `upload` (an uploaded file or a path) is kept where the job's runner will find it (`job.path`): in Redis
    for a worker, in this server's upload folder for a thread; without `upload`, the file kept earlier for
    `token` is used again (a commit after its check). `keep_upload`: the file stays after the job (the
    caller drops it with `drop_upload`). `fields` go into the job's state (a title, dry_run…).
    Raises Busy when the job would run on this server and every slot of its kind is taken."""
    spec = kinds.get(kind)
    params = dict(params or {})
    if not spec.tracked:
        return _fire(spec, params)
    if store.on_workers():
        return _queue(spec, user, params, upload, token, fields or {}, keep_upload)
    slot = slots.take(kind)
    try:
        if inline:
            return Launched(outcome=_inline(spec, user, params, upload, token))
        token = token or new_token()
        path = None
        if spec.upload_suffix is not None:
            _keep(spec, token, upload)
            path = str(uploads.local(token))
        thread = running.start_thread(spec, token=token, user=user, params=params, fields=fields or {}, path=path,
                                      slot=slot)
    except BaseException:
        if slot is not None:
            slot.release()
        raise
    return Launched(token=token, thread=thread)


def _keep(spec, token, upload):
    if upload is not None:
        uploads.store_upload(token, upload, spec.upload_suffix)
    else:
        uploads.keep(token)


def _inline(spec, user, params, upload, token):
    if spec.upload_suffix is None:
        return running.inline(spec, user=user, params=params)
    held = uploads.temporary(upload, spec.upload_suffix) if upload is not None else uploads.path(token)
    with held as path:
        return running.inline(spec, user=user, params=params, path=path)


def _queue(spec, user, params, upload, token, fields, keep_upload):
    token = token or new_token()
    kwargs = {"token": token, "user_id": user.pk, **params}
    if spec.upload_suffix is not None:
        _keep(spec, token, upload)
        if not keep_upload:
            kwargs["discard_upload"] = True
    worker.submit(spec, token=token, user=user, kwargs=kwargs, fields=fields)
    return Launched(token=token, queued=True)


def _fire(spec, params):
    """A job nobody follows (cache warming): to a worker, or a thread here when there is none (or the broker
    does not answer)."""
    if store.on_workers():
        try:
            worker.send(spec.task, params)
            return Launched(queued=True)
        except Exception:
            log.warning("job %s: the broker does not answer, running it here", spec.name, exc_info=True)
    thread = threading.Thread(target=running.untracked, args=(spec, params), name=f"job-{spec.name}", daemon=True)
    thread.start()
    return Launched(thread=thread)


def state(token):
    return store.state(token)


def describe(token):
    """The state as a page shows it: a job waiting in the queue says its place ("vị trí 3"); a job whose process
    died (its heartbeat stopped) is queued again for another worker, or said to be interrupted."""
    job = store.state(token)
    if job and job.get("status") == "running" and not job.get("queued") and not store.alive(token):
        job = _lost(token, job)
    if job and job.get("status") == "running" and job.get("queued") and store.on_workers():
        worker.dispatch(job["kind"])  # nothing waits on a lost message or an expired lease
        place = queue.position(job["kind"], token)
        waiting = queue.waiting_message(place) if place else "Đang chờ máy xử lý nhận việc…"
        job = {**job, "phase": (worker.RETAKEN if job.get("retaken") else "") + waiting, "position": place}
    return job


def _lost(token, job):
    if store.on_workers():
        return worker.lost(token, job)
    # a thread of a web process that was restarted or killed: its transaction was rolled back
    if not store.claim_once(f"lost:{token}"):
        return store.state(token)
    return running.interrupted(token, job)


def forget(token):
    """Cancel: the state goes; a job still waiting in the queue never starts."""
    job = store.state(token)
    store.delete(token)
    if job and job.get("queued") and store.on_workers():
        queue.leave(job["kind"], token)


def is_running(token) -> bool:
    job = describe(token)
    return bool(job) and job.get("status") == "running"


def clean_stale_uploads():
    """Remove the uploads nobody came back for (their job's state has expired), except running jobs' files."""
    return uploads.clean_stale(running=is_running)
