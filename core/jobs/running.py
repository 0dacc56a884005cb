"""The job itself, wherever it runs (a worker, a thread of the web process, or the request): the runner of
its kind, its progress and its end saved in its state, the file it produced kept for download. While it runs,
its runner renews a heartbeat (`heartbeat`): a job whose heartbeat stopped lost its process (killed, restarted)
and is taken up again or shown as interrupted (core/jobs/launching.py `describe`), never "running" for hours."""
import contextlib
import logging
import threading
import time

import django.dispatch
from django.contrib.auth import get_user_model
from django.db import connections

from core.db_refusals import JOB_REFUSAL_MESSAGE, is_refusal
from core.jobs import kinds, store

log = logging.getLogger(__name__)
REPORT_EVERY_SECONDS = 0.3
# The state's own keys; every other key (kind, user_id, dry_run, title…) is kept through the job's life.
_PROGRESS_KEYS = ("status", "phase", "done", "total", "result", "queued", "position")

# Sent once the end of a job whose Outcome says `wrote` is saved (reports warms the officer's reports).
data_written = django.dispatch.Signal()  # kwargs: kind, user_id


class Job:
    """What a runner sees: who asked (`user`), the uploaded file (`path`), and `progress(phase, done, total)`."""

    def __init__(self, token=None, user_id=None, *, path=None, user=None, fields=None):
        self.token, self.user_id, self.path, self._user = token, user_id, path, user
        self.fields = fields or {}
        self._last = 0.0

    @property
    def user(self):
        if self._user is None:
            self._user = get_user_model().objects.get(pk=self.user_id)
        return self._user

    def progress(self, phase, done, total):
        if self.token is None:  # run in the request: nobody polls
            return
        now = time.monotonic()
        if now - self._last >= REPORT_EVERY_SECONDS or done == total:
            self._last = now
            store.save(self.token, **self.fields, status="running", queued=False, phase=phase, done=done,
                       total=total, result=None)


def kept_fields(kind, token, user_id, fields=None):
    """The fields a job's state keeps from its launch to its end."""
    if fields is None:
        fields = {key: value for key, value in (store.state(token) or {}).items() if key not in _PROGRESS_KEYS}
    return {**fields, "kind": kind.group, "user_id": user_id}


def _message(error):
    messages = getattr(error, "messages", None)
    return "; ".join(messages) if messages else str(error)


def execute(kind, *, token, user_id, params, path=None, slot=None, fields=None):
    """Run the job `token` here and keep its end in its state. `slot` (core/jobs/slots.py) is released when
    the job ends, before its page hears that it is done."""
    fields = kept_fields(kind, token, user_id, fields)
    job = Job(token, user_id, path=path, fields=fields)
    outcome = None
    try:
        outcome = kind.runner(job, **params)
        final = {"status": "done", "phase": "Xong", "done": 1, "total": 1, "result": _result(token, outcome)}
    except kind.refused as error:
        final = {"status": "failed", "phase": _message(error), "done": 0, "total": 0, "result": None}
    except Exception as error:  # the officer must see that it failed, not a bar that never ends
        if store.state(token) is None:  # cancelled while it ran: nobody waits for it
            connections.close_all()
            return
        log.exception("job %s (%s) failed", token, kind.name)
        # The database refused it for another writer (core.db_refusals): say so, and that running it again works.
        phase = JOB_REFUSAL_MESSAGE if is_refusal(error) else kind.failure
        final = {"status": "failed", "phase": phase, "done": 0, "total": 0, "result": None}
    finally:
        connections.close_all()  # this thread's own connections, closed before anyone hears it is done
        if slot is not None:
            slot.release()
    store.save(token, **fields, queued=False, **final)
    if outcome is not None and outcome.wrote:
        try:
            data_written.send(sender=kinds.Kind, kind=kind.name, user_id=user_id)
        except Exception:  # what follows a write must never turn a finished job into a failed one
            log.exception("after job %s", token)
        finally:
            connections.close_all()


def _result(token, outcome):
    result = dict(outcome.result or {})
    if outcome.file is not None:
        content, filename = outcome.file
        store.keep_file(token, content, filename)
        result.update(filename=filename, size=len(content))
    return result


def inline(kind, *, user, params, path=None):
    """Run the job in the request: its Outcome, or its exception (a bad parameter) for the caller to show."""
    return kind.runner(Job(None, user.pk, path=path, user=user), **params)


def start_thread(kind, *, token, user, params, fields, path=None, slot=None):
    """Start the job in a thread of the web process; returns the thread at once."""
    store.beat(token)  # alive from its first state on: a page polling at once does not take it for dead
    store.save(token, **kept_fields(kind, token, user.pk, fields), status="running", queued=False,
               phase="Đang chờ bắt đầu…", done=0, total=0, result=None)
    thread = threading.Thread(target=_in_thread, name=f"job-{token[:8]}", daemon=True,
                              args=(kind,), kwargs={"token": token, "user_id": user.pk, "params": params,
                                                    "path": path, "slot": slot, "fields": fields})
    thread.start()
    return thread


def _in_thread(kind, *, token, **job):
    with heartbeat(token):
        execute(kind, token=token, **job)


@contextlib.contextmanager
def heartbeat(token, also=None):
    """The job `token` is alive while the block runs: its mark is renewed every twelfth of the lease (with
    `also()`, the queue's own lease on the workers), from a thread of its own, so a long step keeps it alive."""
    def beat():
        store.beat(token)
        if also is not None:
            also()

    beat()
    stop = threading.Event()

    def keep():
        while not stop.wait(store.lease_seconds() / 12):
            try:
                beat()
            except Exception:  # Redis hiccup: the next beat tries again
                log.warning("job %s: heartbeat not renewed", token, exc_info=True)

    keeper = threading.Thread(target=keep, name=f"beat-{token[:8]}", daemon=True)
    keeper.start()
    try:
        yield
    finally:
        stop.set()
        keeper.join(5)


def interrupted(token, job):
    """The job's process died and nobody takes it up again: its state says so, and what to do (its kind's words)."""
    try:
        message = kinds.of_group(job.get("kind", "")).interrupted
    except LookupError:  # a state without its kind (written by hand, or by an older release)
        message = kinds.Kind.interrupted
    final = {**job, "status": "failed", "queued": False, "phase": message, "done": 0, "total": 0, "result": None}
    store.save(token, **final)
    return final


def untracked(kind, params):
    """A fire-and-forget job (no state): here, its errors logged."""
    try:
        kind.runner(Job(), **params)
    except Exception:
        log.exception("job %s", kind.name)
    finally:
        connections.close_all()
