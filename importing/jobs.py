"""The import as a background job (core/jobs): the check (dry_run) and the commit of an uploaded workbook.

The upload (or the commit) launches the job and answers at once; the job page polls `status.json` until it is
done. Without a broker the job runs in a thread of the web process, at most IMPORT_MAX_CONCURRENT at once on
the server (the next one is told to wait); a restart of the web process mid-import rolls the transaction back
(nothing half-written) and its page says so once the job's heartbeat runs out. With CELERY_BROKER_URL set the workers
run it, at most IMPORT_MAX_CONCURRENT in the installation and IMPORT_MAX_PER_OFFICER per officer; the others
wait in the queue with their place shown. The API runs it in the request when there is no worker.
"""
from core import jobs
from core.formatting import vn_number
from core.jobs import kinds, running
from importing.reading import Issue
from importing.service import ImportResult, households_import

KIND = "import"
FAILED = "Lỗi hệ thống: không ghi gì. Hãy thử lại."
# all or nothing in one transaction: a process that died mid-import wrote nothing
INTERRUPTED = "Công việc bị gián đoạn (máy chủ xử lý dừng giữa chừng): không có gì được ghi. Hãy chạy lại."
DEFAULT_MAX_CONCURRENT = 2


def busy_message(count):
    count = vn_number(count)
    return (f"Máy chủ đang nhập {count} tệp khác (tối đa {count} tệp cùng lúc): hãy chờ vài phút rồi thử lại. "
            "Chưa có gì được ghi.")


def _run(job, *, filename, dry_run, size=None):
    result = households_import(acting_user=job.user, path=job.path, filename=filename, dry_run=dry_run, size=size,
                               progress=job.progress)
    # a commit wrote to the register: reports warms the importer's areas (core.jobs.data_written)
    return jobs.Outcome(result=result.as_dict(), wrote=result.committed and not dry_run)


def register():
    """Called once from ImportingConfig.ready()."""
    jobs.register(KIND, _run, task="importing.import_job", upload_suffix=".xlsx", failure=FAILED, interrupted=INTERRUPTED,
                  limits=(("IMPORT_MAX_CONCURRENT", DEFAULT_MAX_CONCURRENT), ("IMPORT_MAX_PER_OFFICER", 1)),
                  local_limit=("IMPORT_MAX_CONCURRENT", DEFAULT_MAX_CONCURRENT), busy_message=busy_message)


def params(*, filename, dry_run, size=None):
    """The job's parameters and the fields its state keeps."""
    return {"filename": filename, "dry_run": dry_run, "size": size}, {"dry_run": dry_run}


def run(*, token, user_id, path, filename, dry_run, size=None):
    """Check or import the file at `path` here, now, as the job `token` (its state says how it ended)."""
    job_params, fields = params(filename=filename, dry_run=dry_run, size=size)
    with running.heartbeat(token):  # alive while it runs, like a job of a thread or a worker
        running.execute(kinds.get(KIND), token=token, user_id=user_id, params=job_params, path=path, fields=fields)


def result_of(result):
    """The ImportResult of a finished job's stored result (for the preview page and the error file)."""
    found = ImportResult(committed=result["committed"], notices=result["notices"],
                         errors=[Issue(**issue) for issue in result["errors"]])
    for kind in ("created", "updated", "would_create", "would_update", "unchanged"):
        getattr(found, kind).update(result.get(kind, {}))
    if "would_create" not in result and not found.committed:  # a check kept by the previous release
        found.would_create, found.created = found.created, found.would_create
        found.would_update, found.updated = found.updated, found.would_update
    return found
