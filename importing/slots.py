"""At most IMPORT_MAX_CONCURRENT imports at a time on this server (default 2).

An import holds a whole sheet in memory and a database transaction open while it writes: a few at once are
fine, twenty would exhaust the server. Each running import (a check, a commit, an API call) holds a slot:
an exclusive lock (flock) on one of N small files in the upload folder. The locks are shared by every web
process of the server (threads and processes alike), and the system drops a lock when its process ends, so
a process killed mid-import frees its slot by itself. The next upload or commit is told to wait.
"""
import fcntl

from django.conf import settings

from core.formatting import vn_number
from importing.uploads import upload_folder

DEFAULT_MAX_CONCURRENT = 2
RETRY_AFTER_SECONDS = 60


def limit():
    return max(1, int(getattr(settings, "IMPORT_MAX_CONCURRENT", DEFAULT_MAX_CONCURRENT)))


def busy_message():
    count = vn_number(limit())
    return (f"Máy chủ đang nhập {count} tệp khác (tối đa {count} tệp cùng lúc): hãy chờ vài phút rồi thử lại. "
            "Chưa có gì được ghi.")


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


def acquire():
    """A free slot, or None when IMPORT_MAX_CONCURRENT imports are running on this server."""
    folder = upload_folder() / "slots"
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(limit()):
        handle = open(folder / f"slot-{number}.lock", "a+b")  # noqa: SIM115 - held open while the slot is
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            continue
        return Slot(handle)
    return None
