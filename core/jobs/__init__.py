"""Background jobs: their state, the queue and slots that bound how many run at once, and the worker side.

Apps register their kinds at AppConfig.ready (`register("import", runner, task="importing.import_job", …)`);
a page starts one with `launch(kind, user=…, params=…)` and follows it with `describe(token)`.
Without CELERY_BROKER_URL (the `make run` default) a job runs in a thread of the web process (or in the
request, `inline=True`); with it, Celery workers on any machine run it, and jobs beyond the limits wait in
the queue with their place shown.
"""
from core.jobs.kinds import Outcome
from core.jobs.launching import (
    Launched,
    clean_stale_uploads,
    describe,
    forget,
    is_running,
    launch,
    new_token,
    register,
    state,
)
from core.jobs.running import data_written
from core.jobs.slots import Busy
from core.jobs.store import on_workers, stored_file
from core.jobs.uploads import drop as drop_upload
from core.jobs.uploads import exists as upload_exists
from core.jobs.uploads import path as upload_path

__all__ = ["Busy", "Launched", "Outcome", "clean_stale_uploads", "data_written", "describe", "drop_upload", "forget",
           "is_running", "launch", "new_token", "on_workers", "register", "state", "stored_file", "upload_exists",
           "upload_path"]
