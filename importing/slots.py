"""At most IMPORT_MAX_CONCURRENT imports at a time on this server (default 2).

An import holds a whole sheet in memory and a database transaction open while it writes: a few at once are
fine, twenty would exhaust the server. Each running import (a check, a commit, an API call) holds a slot:
an exclusive lock (flock) on one of N small files in the upload folder. The locks are shared by every web
process of the server (threads and processes alike), and the system drops a lock when its process ends, so
a process killed mid-import frees its slot by itself. The next upload or commit is told to wait.

With Celery (CELERY_BROKER_URL set) the jobs run on workers and wait in a queue instead: see below.
"""
import fcntl
import time

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


# -- the job queue of the workers (CELERY_BROKER_URL set) ----------------------------------------------------
# With Celery the limits hold across every web server and worker: a job of a kind waits in a queue in Redis
# (the "imports" cache's Redis) until fewer than MAX jobs of that kind run in the whole installation and fewer
# than PER_OFFICER of its officer's; then it is admitted and sent to the workers. A running job holds a lease,
# renewed by its worker every few seconds (importing/tasks.py): a worker that dies frees its place when the
# lease expires. Whoever may change the picture admits the next jobs: the web process that enqueues, the worker
# that finishes, and the job page that polls a waiting job (so nothing waits on a lost message).
LEASE_SECONDS = 120
KINDS = {  # kind: (setting of the installation's limit, default; setting of the officer's limit, default)
    "import": (("IMPORT_MAX_CONCURRENT", DEFAULT_MAX_CONCURRENT), ("IMPORT_MAX_PER_OFFICER", 1)),
    "export": (("EXPORT_MAX_CONCURRENT", 2), ("EXPORT_MAX_PER_OFFICER", 1)),
    "reclassify": (("RECLASSIFY_MAX_CONCURRENT", 1), ("RECLASSIFY_MAX_PER_OFFICER", 1)),
}

_ADMIT = """
local waiting, running, owners = KEYS[1], KEYS[2], KEYS[3]
local now, lease = tonumber(ARGV[1]), tonumber(ARGV[2])
local most, per_owner = tonumber(ARGV[3]), tonumber(ARGV[4])
for _, token in ipairs(redis.call('ZRANGEBYSCORE', running, '-inf', now)) do
  redis.call('ZREM', running, token)
  redis.call('HDEL', owners, token)
end
local held = redis.call('ZRANGE', running, 0, -1)
local count, per = #held, {}
for _, token in ipairs(held) do
  local owner = redis.call('HGET', owners, token) or ''
  per[owner] = (per[owner] or 0) + 1
end
local admitted = {}
if count >= most then return admitted end
for _, token in ipairs(redis.call('ZRANGE', waiting, 0, -1)) do
  if count >= most then break end
  local owner = redis.call('HGET', owners, token) or ''
  if (per[owner] or 0) < per_owner then
    redis.call('ZREM', waiting, token)
    redis.call('ZADD', running, now + lease, token)
    per[owner] = (per[owner] or 0) + 1
    count = count + 1
    table.insert(admitted, token)
  end
end
return admitted
"""
_clients = {}


def _redis():
    """The Redis of the "imports" cache (settings: DJANGO_REDIS_URL, or the broker's Redis) and a key prefix."""
    import redis

    config = settings.CACHES["imports"]
    url = config["LOCATION"]
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(url)
    return _clients[url], f"{config.get('KEY_PREFIX', '')}:jobq"


def _keys(kind):
    _, prefix = _redis()
    return f"{prefix}:{kind}:waiting", f"{prefix}:{kind}:running", f"{prefix}:{kind}:owners"


def limits(kind):
    (most, most_default), (per, per_default) = KINDS[kind]
    return (max(1, int(getattr(settings, most, most_default))), max(1, int(getattr(settings, per, per_default))))


def enqueue(kind, token, owner):
    client, prefix = _redis()
    waiting, _, owners = _keys(kind)
    number = client.incr(f"{prefix}:sequence")
    with client.pipeline() as pipe:
        pipe.hset(owners, token, str(owner))
        pipe.zadd(waiting, {token: number})
        pipe.execute()


def admit(kind):
    """Move the jobs that may start now from the queue to the running set; their tokens, oldest first."""
    client, _ = _redis()
    most, per = limits(kind)
    tokens = client.eval(_ADMIT, 3, *_keys(kind), time.time(), LEASE_SECONDS, most, per)
    return [token.decode() if isinstance(token, bytes) else token for token in tokens]


def renew(kind, token):
    """The job still runs: its place is held for another LEASE_SECONDS (also claims it after a redelivery)."""
    client, _ = _redis()
    client.zadd(_keys(kind)[1], {token: time.time() + LEASE_SECONDS})


def claim(kind, token, owner):
    """A worker starts the job: it holds a running place (again, if its message was redelivered)."""
    client, _ = _redis()
    waiting, running, owners = _keys(kind)
    with client.pipeline() as pipe:
        pipe.zrem(waiting, token)
        pipe.hset(owners, token, str(owner))
        pipe.zadd(running, {token: time.time() + LEASE_SECONDS})
        pipe.execute()


def leave(kind, token):
    """The job ended (or was cancelled while it waited): its place is free."""
    client, _ = _redis()
    waiting, running, owners = _keys(kind)
    with client.pipeline() as pipe:
        pipe.zrem(waiting, token)
        pipe.zrem(running, token)
        pipe.hdel(owners, token)
        pipe.execute()


def position(kind, token):
    """1 for the first job waiting, 2 for the next…; None once the job left the queue."""
    client, _ = _redis()
    rank = client.zrank(_keys(kind)[0], token)
    return None if rank is None else rank + 1


def waiting_message(place):
    return f"Đang chờ: vị trí {vn_number(place)} trong hàng đợi"
