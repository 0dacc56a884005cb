"""The kinds of background job, registered by the apps that own them (core imports none of them).

A kind names its runner, the Celery task that runs it on a worker, the group whose limits it shares (the
group is also the `kind` its state shows), and what the web process may do when there is no worker.
"""
from dataclasses import dataclass, field
from typing import Callable


@dataclass(frozen=True)
class Kind:
    name: str
    runner: Callable  # runner(job, **params) -> Outcome
    task: str  # the Celery task's name (stable: queued messages and monitoring name it)
    group: str  # jobs of a group share the queue's limits; the job's state says this `kind`
    limits: tuple = (("EXPORT_MAX_CONCURRENT", 2), ("EXPORT_MAX_PER_OFFICER", 1))  # (setting, default) ×2
    local_limit: tuple | None = None  # (setting, default): slots of this server when there is no worker
    busy_message: Callable | None = None  # busy_message(limit) when every slot of this server is taken
    upload_suffix: str | None = None  # the job reads an uploaded file, kept with this suffix
    refused: tuple = ()  # exceptions whose own message the job's page shows (a bad parameter…)
    failure: str = "Lỗi hệ thống: hãy thử lại."
    # shown when the process running the job died (killed, restarted) and nobody will take it up again
    interrupted: str = "Công việc bị gián đoạn (máy chủ xử lý dừng giữa chừng). Hãy chạy lại."
    tracked: bool = True  # False: fire and forget (no token, no state, no queue)


@dataclass
class Outcome:
    """What a runner hands back: `result` goes into the job's state, `file` (bytes, name without extension) is
    kept for download, `wrote` sends `data_written` once the job's end is saved."""

    result: dict = field(default_factory=dict)
    file: tuple | None = None
    wrote: bool = False


_KINDS: dict[str, Kind] = {}


def add(kind: Kind) -> None:
    _KINDS[kind.name] = kind


def get(name: str) -> Kind:
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(f"no job kind {name!r} is registered (its app registers it in AppConfig.ready)") from None


def of_group(group: str) -> Kind:
    """A kind of the group: they share its limits."""
    for kind in _KINDS.values():
        if kind.group == group:
            return kind
    raise LookupError(f"no job kind of group {group!r} is registered")
