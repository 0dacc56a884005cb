"""The job queue of the workers (CELERY_BROKER_URL set).

The limits hold across every web server and worker: a job of a group waits in a queue in Redis (the "imports"
cache's Redis) until fewer than MAX jobs of that group run in the whole installation and fewer than
PER_OFFICER of its officer's; then it is admitted and sent to the workers. A running job holds a lease,
renewed by its worker every few seconds (core/jobs/worker.py): a worker that dies frees its place when the
lease (JOB_LEASE_SECONDS) expires. Whoever may change the picture admits the next jobs: the web process that
enqueues, the worker that finishes, and the job page that polls a waiting job (so nothing waits on a lost message).
"""
import time

from django.conf import settings

from core.formatting import vn_number
from core.jobs import kinds, store

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


def _keys(group):
    _, prefix = _redis()
    return f"{prefix}:{group}:waiting", f"{prefix}:{group}:running", f"{prefix}:{group}:owners"


def limits(group):
    (most, most_default), (per, per_default) = kinds.of_group(group).limits
    return (max(1, int(getattr(settings, most, most_default))), max(1, int(getattr(settings, per, per_default))))


def enqueue(group, token, owner, first=False):
    """Put the job at the end of its group's queue (`first`: at its head, a job whose worker died)."""
    client, prefix = _redis()
    waiting, _, owners = _keys(group)
    number = 0 if first else client.incr(f"{prefix}:sequence")
    with client.pipeline() as pipe:
        pipe.hset(owners, token, str(owner))
        pipe.zadd(waiting, {token: number})
        pipe.execute()


def admit(group):
    """Move the jobs that may start now from the queue to the running set; their tokens, oldest first."""
    client, _ = _redis()
    most, per = limits(group)
    tokens = client.eval(_ADMIT, 3, *_keys(group), time.time(), store.lease_seconds(), most, per)
    return [token.decode() if isinstance(token, bytes) else token for token in tokens]


def renew(group, token):
    """The job still runs: its place is held for another lease (also claims it after a redelivery)."""
    client, _ = _redis()
    client.zadd(_keys(group)[1], {token: time.time() + store.lease_seconds()})


def claim(group, token, owner):
    """A worker starts the job: it holds a running place (again, if its message was redelivered)."""
    client, _ = _redis()
    waiting, running, owners = _keys(group)
    with client.pipeline() as pipe:
        pipe.zrem(waiting, token)
        pipe.hset(owners, token, str(owner))
        pipe.zadd(running, {token: time.time() + store.lease_seconds()})
        pipe.execute()


def leave(group, token):
    """The job ended (or was cancelled while it waited): its place is free."""
    client, _ = _redis()
    waiting, running, owners = _keys(group)
    with client.pipeline() as pipe:
        pipe.zrem(waiting, token)
        pipe.zrem(running, token)
        pipe.hdel(owners, token)
        pipe.execute()


def position(group, token):
    """1 for the first job waiting, 2 for the next…; None once the job left the queue."""
    client, _ = _redis()
    rank = client.zrank(_keys(group)[0], token)
    return None if rank is None else rank + 1


def waiting_message(place):
    return f"Đang chờ: vị trí {vn_number(place)} trong hàng đợi"
