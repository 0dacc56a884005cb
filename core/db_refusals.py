"""A database's refusal to go on with a write because of another writer — a deadlock, a serialization failure,
a lock wait that ran out (PostgreSQL), "database is locked" (SQLite) — is not a bug but a busy moment: the
transaction was rolled back whole, nothing of it was written, and trying again later works.

The one place that says what such a refusal is (`is_refusal`) and what the officer reads (`REFUSAL_MESSAGE`);
used by the pages' and admin's middleware (core.refusal_middleware), the API's exception handler
(core.api.errors) and the job runner (core.jobs.running). `retried_once` re-runs a view whose whole work is
one transaction once before answering so.
"""
import sqlite3
from functools import wraps

from django.db import DatabaseError, transaction

REFUSAL_MESSAGE = ("Máy chủ đang bận ghi dữ liệu khác nên chưa lưu gì: hãy thử lại sau ít giây. "
                   "Nếu vẫn không được, hãy tải lại trang rồi lưu lại.")
JOB_REFUSAL_MESSAGE = ("Máy chủ đang bận ghi dữ liệu khác nên việc này đã dừng và chưa ghi gì: "
                       "hãy chạy lại sau ít phút.")

# PostgreSQL: deadlock_detected, serialization_failure, lock_not_available (lock_timeout, NOWAIT).
_PG_REFUSALS = {"40P01", "40001", "55P03"}
_PG_QUERY_CANCELED = "57014"  # a refusal only when the lock wait ran out, not a statement timeout
_SQLITE_BUSY = ("database is locked", "database table is locked")


def _chain(error):
    """The error and those it was raised from (Django wraps the driver's error), at most a few deep."""
    seen = []
    while error is not None and len(seen) < 5 and error not in seen:
        seen.append(error)
        error = error.__cause__ or error.__context__
    return seen


def is_refusal(error: BaseException) -> bool:
    """Did the database refuse this write because of another writer (the whole transaction rolled back)?"""
    for candidate in _chain(error):
        code = getattr(candidate, "pgcode", None)
        if code in _PG_REFUSALS or (code == _PG_QUERY_CANCELED and "lock timeout" in str(candidate)):
            return True
        if isinstance(candidate, (sqlite3.OperationalError, DatabaseError)) and \
                any(text in str(candidate) for text in _SQLITE_BUSY):
            return True
    return False


def is_retryable(error: BaseException) -> bool:
    """A refusal worth one more try at once. SQLite's busy wait already lasted the whole timeout (settings:
    DATABASES OPTIONS timeout); a second one would keep the officer waiting as long again."""
    return is_refusal(error) and not any(text in str(error) for text in _SQLITE_BUSY)


def retried_once(view):
    """Run a view's non-GET requests in one transaction, and once more when the database refused it: the
    first try was rolled back whole, so nothing is written twice. Messages queued by the first try are dropped.
    A second refusal propagates (the middleware answers 409)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return view(request, *args, **kwargs)
        queued = getattr(getattr(request, "_messages", None), "_queued_messages", None)
        kept = len(queued) if queued is not None else 0
        try:
            with transaction.atomic():
                return view(request, *args, **kwargs)
        except DatabaseError as error:
            if not is_retryable(error):
                raise
        if queued is not None:
            del queued[kept:]
        with transaction.atomic():
            return view(request, *args, **kwargs)

    return wrapper
