"""Where a job's state and its produced file live: the "imports" cache (files on this server by default, Redis
when DJANGO_REDIS_URL or CELERY_BROKER_URL is set), not a table: a job that writes in one transaction would
keep a progress row invisible to the polling request until the very end."""
import re

from django.conf import settings
from django.core.cache import caches

STATE_SECONDS = 24 * 3600
FILE_SECONDS = 3600
DEFAULT_LEASE_SECONDS = 120
# Tokens are secrets.token_urlsafe(16): anything else (a typed or fuzzed URL) names no job and never reaches
# the cache as a key.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def on_workers() -> bool:
    """True when a Celery broker is configured: jobs go to the workers' queue instead of a thread."""
    return bool(getattr(settings, "CELERY_BROKER_URL", ""))


def cache():
    return caches["imports"]


def _key(token):
    return f"import-job:{token}"  # the name the previous release used: jobs survive an upgrade


def valid(token) -> bool:
    return bool(TOKEN_PATTERN.fullmatch(str(token)))


def state(token):
    """{"status": "running" | "done" | "failed", "phase", "done", "total", "result", "kind", "user_id",
    "queued", and the fields given at launch (dry_run, title…)} or None."""
    if not valid(token):
        return None
    return cache().get(_key(token))


def save(token, **values):
    cache().set(_key(token), values, STATE_SECONDS)


def delete(token):
    cache().delete(_key(token))


def lease_seconds() -> float:
    """How long a running job stays "alive" without news from its runner (setting JOB_LEASE_SECONDS): the
    runner renews it every twelfth of that; past it, the runner is taken for dead (its process was killed)."""
    return max(0.5, float(getattr(settings, "JOB_LEASE_SECONDS", DEFAULT_LEASE_SECONDS)))


def _alive_key(token):
    return f"job-alive:{token}"


def beat(token):
    """The job's runner is alive: for another lease."""
    cache().set(_alive_key(token), 1, lease_seconds())


def alive(token) -> bool:
    return cache().get(_alive_key(token)) is not None


def claim_once(name, seconds=60) -> bool:
    """True for the first caller only (within `seconds`): one web request handles a lost job, not every poll."""
    return cache().add(f"job-once:{name}", 1, seconds)


def _file_key(token):
    return f"job-file:{token}"


def keep_file(token, content, filename):
    cache().set(_file_key(token), (content, filename), FILE_SECONDS)


def stored_file(token):
    """(bytes, filename) a finished job produced, or None once it expired."""
    if not valid(token):
        return None
    return cache().get(_file_key(token))
