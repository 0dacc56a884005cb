"""Without workers: at most N jobs of a kind at a time on this server (kinds with a `local_limit`).

An import holds a whole sheet in memory and a database transaction open while it writes: a few at once are
fine, twenty would exhaust the server. Each running job holds a slot: an exclusive lock (flock) on one of N
small files in the upload folder. The locks are shared by every web process of the server (threads and
processes alike), and the system drops a lock when its process ends, so a process killed mid-job frees its
slot by itself. The next job is refused (Busy) and its officer told to wait.
"""
import fcntl

from django.conf import settings

from core.jobs import kinds, uploads

RETRY_AFTER_SECONDS = 60


class Busy(Exception):
    """Every slot of this server is taken: nothing was stored, nothing started."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message
        self.retry_after = RETRY_AFTER_SECONDS


def limit(kind: str) -> int:
    setting, default = kinds.get(kind).local_limit
    return max(1, int(getattr(settings, setting, default)))


class Slot:
    """A held slot: release() (or the end of a `with`) frees it; so does the end of the process."""

    def __init__(self, handle):
        self._handle = handle

    def release(self):
        handle, self._handle = self._handle, None
        if handle is not None:
            handle.close()  # closing the file drops its lock

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()


def acquire(kind: str):
    """A free slot of this server for a job of `kind`, or None when all are taken."""
    folder = uploads.folder() / "slots"
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(limit(kind)):
        handle = open(folder / f"{kinds.get(kind).group}-{number}.lock", "a+b")  # noqa: SIM115 - held open
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            continue
        return Slot(handle)
    return None


def take(kind: str):
    """A slot for a job of `kind` (None if the kind has no limit on this server); Busy when none is free."""
    if kinds.get(kind).local_limit is None:
        return None
    slot = acquire(kind)
    if slot is None:
        message = kinds.get(kind).busy_message
        raise Busy(message(limit(kind)) if message else "Máy chủ đang bận: hãy chờ vài phút rồi thử lại.")
    return slot
