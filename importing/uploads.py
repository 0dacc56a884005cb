"""Where uploaded workbooks wait between the check and the commit, and how long they may.

A file is kept from its upload until it is imported, cancelled or found unreadable; one nobody came back
for is removed once its check's result has expired (jobs.STATE_SECONDS: after that its page asks for the
file again anyway). The removal runs at each upload: cheap, one directory listing.
"""
import tempfile
import time
from pathlib import Path

from django.conf import settings

from importing import jobs


def upload_folder():
    """The folder of this server's pending uploads (setting IMPORT_UPLOAD_DIR, else the temporary folder)."""
    configured = getattr(settings, "IMPORT_UPLOAD_DIR", None)
    return Path(configured) if configured else Path(tempfile.gettempdir()) / "poverty_tracker_imports"


def touch(path):
    """Mark a pending upload as in use now (a commit starting on a file checked hours ago)."""
    try:
        Path(path).touch(exist_ok=True)
    except OSError:
        pass


def cleanup_stale_uploads(max_age_seconds=None, *, running=lambda token: False):
    """Remove the uploads last used more than `max_age_seconds` ago (default: the life of a job's state),
    except those whose job is still running (`running(token)`). Returns how many were removed."""
    max_age = jobs.STATE_SECONDS if max_age_seconds is None else max_age_seconds
    folder = upload_folder()
    if not folder.is_dir():
        return 0
    removed = 0
    deadline = time.time() - max_age
    for path in folder.glob("*.xlsx"):
        try:
            if path.stat().st_mtime >= deadline or running(path.stem):
                continue
            path.unlink(missing_ok=True)
            removed += 1
        except OSError:  # another request removed it first
            continue
    return removed
