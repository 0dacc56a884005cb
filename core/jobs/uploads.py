"""Where an uploaded file waits for its job: the framework decides, the views do not.

- With workers (CELERY_BROKER_URL set) a worker on another machine reads it: its bytes go to the jobs' Redis,
  kept as long as the job's state (at most the upload limit of its kind), and the worker copies them into a
  file of its own machine for the time of the job.
- Without, it is a file of this server's upload folder (setting IMPORT_UPLOAD_DIR, else the temporary folder),
  kept from its upload until its job is done with it; one nobody came back for is removed once its job's
  state has expired (`clean_stale`, run at each upload: one directory listing).
"""
import contextlib
import os
import tempfile
import time
from pathlib import Path

from django.conf import settings

from core.jobs import store


def folder() -> Path:
    """This server's folder of pending uploads (and of the job slots, core/jobs/slots.py)."""
    configured = getattr(settings, "IMPORT_UPLOAD_DIR", None)
    return Path(configured) if configured else Path(tempfile.gettempdir()) / "poverty_tracker_imports"


def _remote_key(token):
    return f"import-upload:{token}"


def _chunks(upload):
    if isinstance(upload, (str, Path)):
        yield Path(upload).read_bytes()
    else:
        yield from upload.chunks()


def local(token):
    """The upload kept on this server for `token`, or None."""
    if not store.valid(token):
        return None
    return next((path for path in folder().glob(f"{token}.*") if path.is_file()), None)


def store_upload(token, upload, suffix):
    """Keep the uploaded file (an UploadedFile or a path) for the job `token`."""
    if store.on_workers():
        store.cache().set(_remote_key(token), b"".join(_chunks(upload)), store.STATE_SECONDS)
        return
    target = folder()
    target.mkdir(parents=True, exist_ok=True)
    with (target / f"{token}{suffix}").open("wb") as handle:
        for chunk in _chunks(upload):
            handle.write(chunk)


def keep(token):
    """A job starts again on a file kept hours ago (a commit after its check): it stays as long as a new state."""
    if store.on_workers():
        store.cache().touch(_remote_key(token), store.STATE_SECONDS)
        return
    kept = local(token)
    if kept is not None:
        with contextlib.suppress(OSError):
            kept.touch(exist_ok=True)


def exists(token) -> bool:
    if store.on_workers():
        return store.valid(token) and store.cache().has_key(_remote_key(token))
    return local(token) is not None


def drop(token):
    store.cache().delete(_remote_key(token))
    kept = local(token)
    if kept is not None:
        kept.unlink(missing_ok=True)


@contextlib.contextmanager
def path(token, suffix=".xlsx"):
    """The kept upload as a file of this machine for the time of the block; None if it expired."""
    kept = None if store.on_workers() else local(token)
    if kept is not None:
        yield str(kept)
        return
    content = store.cache().get(_remote_key(token)) if store.valid(token) else None
    if content is None:
        yield None
        return
    with _temporary([content], suffix, token) as copy:
        yield copy


@contextlib.contextmanager
def temporary(upload, suffix):
    """An upload handled in the request: a file of this machine for the time of the block."""
    with _temporary(_chunks(upload), suffix, "inline") as copy:
        yield copy


@contextlib.contextmanager
def _temporary(chunks, suffix, token):
    handle, name = tempfile.mkstemp(suffix=suffix, prefix=f"job-{token[:8]}-")
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
        yield name
    finally:
        with contextlib.suppress(OSError):
            os.unlink(name)


def clean_stale(max_age_seconds=None, *, running=lambda token: False):
    """Remove the uploads last used more than `max_age_seconds` ago (default: the life of a job's state),
    except those whose job is still running (`running(token)`). Returns how many were removed."""
    max_age = store.STATE_SECONDS if max_age_seconds is None else max_age_seconds
    if not folder().is_dir():
        return 0
    removed = 0
    deadline = time.time() - max_age
    for kept in folder().iterdir():
        try:
            if not kept.is_file() or kept.stat().st_mtime >= deadline or running(kept.stem):
                continue
            kept.unlink(missing_ok=True)
            removed += 1
        except OSError:  # another request removed it first
            continue
    return removed
