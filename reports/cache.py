"""Report results cached until the data changes, computed once however many ask at the same moment.

The audit trail is the change log: every write in this system leaves a history row, so the newest history
id of the tables a report reads is a version of the data. A cached result is keyed by the report, its
parameters, the user's scope and that version; any officer's save makes the next request recompute.
Set REPORT_CACHE_SECONDS=0 to switch caching off (the benchmark measures uncached work).

Single flight: the first request for a key that is not cached takes a lock (`cache.add`, atomic in Redis
and in the per-process memory cache) and computes; the others asking for the same key meanwhile wait for
its result, polling the cache, instead of computing the same report again — fifty leaders opening the
dashboard after an import cost one computation, not fifty. The lock lives REPORT_LOCK_SECONDS: if its holder
dies (a killed worker), a waiter takes the lock when it expires and computes; no waiter waits more than
twice that long before computing by itself. Each computation is counted per key and data version
(`computation_counts()`, read by benchmarks/load.py), so a load run shows one computation per key.

Reads of report computations may go to a read replica: `reading_from_replica()` marks them, and
poverty_tracker/db_router.py sends them there when DATABASE_REPLICA_URL is set (the context lives here, in
the layer that uses it; the router above reads it).
"""
import contextlib
import contextvars
import functools
import hashlib
import secrets
import time

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from areas.scoping import visible_area_codes

VERSIONED_MODELS = [
    "review.Assessment", "households.Household", "review.ReviewRound", "review.StandardLine",
    "areas.AdministrativeUnit", "programs.Benefit", "programs.BudgetAllocation", "programs.TrainingCourse",
    "programs.Trainee", "programs.CooperativeGroup", "programs.GroupMembership", "programs.CommunityProject",
    "programs.Commendation", "reports.HouseholdCount", "review.RegularReview",
]
COUNT_SECONDS = 24 * 3600
PENDING = "~"  # a version read while other transactions were writing history rows: "<newest ids>~<them>"
_replica_reads = contextvars.ContextVar("replica_reads", default=False)
# The data version read once per report view: a dashboard asks for eight cached summaries, and each would
# otherwise read it again (one query each). {database alias: version}, alive in the outermost block; it also
# keeps `years_touched` answers, under ("touched", base, version).
_versions_read = contextvars.ContextVar("versions_read", default=None)


# -- read replica ------------------------------------------------------------------------------------------
@contextlib.contextmanager
def reading_from_replica():
    """Within this block, reads outside a write transaction may go to the read replica (when configured),
    and the report data version is read once (a report view is one snapshot of the data)."""
    token = _replica_reads.set(True)
    versions = _versions_read.set({}) if _versions_read.get() is None else None
    try:
        yield
    finally:
        if versions is not None:
            _versions_read.reset(versions)
        _replica_reads.reset(token)


def reads_from_replica(view):
    """A view whose reads may come from the replica (report pages, dashboard, report API, exports)."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        with reading_from_replica():
            return view(*args, **kwargs)
    return wrapper


def replica_reads_wanted():
    return _replica_reads.get()


def replica_alias():
    alias = getattr(settings, "READ_REPLICA", None)
    return alias if alias and alias in settings.DATABASES else None


def read_alias():
    """Where a raw read made now goes: the replica inside `reading_from_replica()` outside a write's
    transaction, else the primary (the same rule as the router's)."""
    alias = replica_alias()
    if alias and replica_reads_wanted() and not transaction.get_connection(DEFAULT_DB_ALIAS).in_atomic_block:
        return alias
    return DEFAULT_DB_ALIAS


# -- data version ------------------------------------------------------------------------------------------
@functools.cache
def _history_tables():
    # Resolved once: simple-history builds a new manager class on every `Model.history` access (~0.4 ms).
    return tuple(apps.get_model(label).history.model._meta.db_table for label in VERSIONED_MODELS)


def view_memo():
    """The report view's memo ({} inside `reading_from_replica()`, else None): data versions read, and what
    reports.year_aggregates derives from them."""
    return _versions_read.get()


def data_version():
    """One query: the newest history id of every table reports read (once per report view, see above)."""
    alias = read_alias()
    versions = _versions_read.get()
    if versions is not None and alias in versions:
        return versions[alias]
    connection = connections[alias]
    tables = _history_tables()
    columns = [f"(SELECT MAX(history_id) FROM {connection.ops.quote_name(table)})" for table in tables]
    pending = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        # One statement: its snapshot is taken first, the locks of PENDING_WRITERS are read live after it.
        cursor.execute(f"SELECT {', '.join(columns + [PENDING_WRITERS] * pending)}", [list(tables)] * pending)
        row = cursor.fetchone()
    version = ".".join(str(value or 0) for value in row[:len(tables)])
    if pending and row[-1]:
        version += PENDING + row[-1]
    if versions is not None and not connection.in_atomic_block:  # inside a write, the data may change yet
        versions[alias] = version
    return version


# The other transactions holding uncommitted rows of the history tables, on PostgreSQL. History ids come from
# a sequence when a row is inserted, not when its transaction commits: an import that inserted ids 90–99 and
# commits after an edit that took id 100 leaves the newest id at 100, and a report computed between the two
# commits would stay cached under "100" without the import's rows. A version read while such a transaction is
# open names it, so the version changes when it ends (read after the newest ids: a writer that starts later
# takes higher ids). SQLite has one writer at a time, whose ids follow commit order. With a read replica this
# reads the replica's own locks, which do not show the primary's open transactions: there a cached report can
# miss a write that committed out of id order until the next write or REPORT_CACHE_SECONDS (README).
PENDING_WRITERS = (
    "(SELECT string_agg(DISTINCT l.virtualtransaction, ',' ORDER BY l.virtualtransaction) FROM pg_locks l "
    "JOIN pg_class c ON c.oid = l.relation "
    "WHERE l.locktype = 'relation' AND l.mode = 'RowExclusiveLock' AND l.granted "
    "AND l.pid <> pg_backend_pid() AND l.database = (SELECT oid FROM pg_database WHERE datname = "
    "current_database()) AND c.relname = ANY(%s))"
)


def scope_signature(user):
    codes = visible_area_codes(user)
    if codes is None:
        return "all"
    return hashlib.sha1(",".join(sorted(codes)).encode()).hexdigest()


# -- computations counted per key and data version ---------------------------------------------------------
def _count_computation(label):
    digest = hashlib.sha1(label.encode()).hexdigest()
    if cache.add(f"report-computations:{digest}", 1, COUNT_SECONDS):
        cache.add("report-computations-index", 0, COUNT_SECONDS)
        number = cache.incr("report-computations-index")
        cache.set(f"report-computations-index:{number}", (digest, label), COUNT_SECONDS)
    else:
        try:
            cache.incr(f"report-computations:{digest}")
        except ValueError:  # expired between add and incr
            cache.add(f"report-computations:{digest}", 1, COUNT_SECONDS)


def computation_counts():
    """{label: times computed} for every report key and data version computed since the last reset."""
    counts = {}
    for number in range(1, (cache.get("report-computations-index") or 0) + 1):
        entry = cache.get(f"report-computations-index:{number}")
        if entry:
            digest, label = entry
            counts[label] = cache.get(f"report-computations:{digest}") or 0
    return counts


def reset_computation_counts():
    for number in range(1, (cache.get("report-computations-index") or 0) + 1):
        entry = cache.get(f"report-computations-index:{number}")
        if entry:
            cache.delete(f"report-computations:{entry[0]}")
        cache.delete(f"report-computations-index:{number}")
    cache.delete("report-computations-index")


# -- the cache itself ----------------------------------------------------------------------------------------
def single_flight(key, compute, *, seconds, label):
    """The cached value of `key`, computed by `compute()` by one caller at a time (see the module's text)."""
    result = cache.get(key)
    if result is not None:
        return result
    lock_seconds = max(1, int(getattr(settings, "REPORT_LOCK_SECONDS", 60)))
    lock, owner = f"{key}:lock", secrets.token_hex(8)
    give_up = time.monotonic() + 2 * lock_seconds
    pause = 0.02
    while True:
        if cache.add(lock, owner, lock_seconds):
            try:
                result = cache.get(key)  # computed by the holder that released the lock just now
                if result is None:
                    result = compute()
                    _count_computation(label)
                    cache.set(key, result, seconds)
                return result
            finally:
                if cache.get(lock) == owner:
                    cache.delete(lock)
        time.sleep(pause)
        pause = min(pause * 2, 0.25)
        result = cache.get(key)
        if result is not None:
            return result
        if time.monotonic() > give_up:  # the lock keeps being taken and nothing comes: compute here
            result = compute()
            _count_computation(label)
            cache.set(key, result, seconds)
            return result


def cached_report(function):
    @functools.wraps(function)
    def wrapper(*, user, area_code, year, comparable=False, **options):
        with reading_from_replica():
            seconds = getattr(settings, "REPORT_CACHE_SECONDS", 0)
            if not seconds:
                return function(user=user, area_code=area_code, year=year, comparable=comparable, **options)
            name = f"{function.__module__}.{function.__name__}"
            scope, version = scope_signature(user), data_version()
            label = (f"{name} area={area_code} year={year} comparable={comparable} {sorted(options.items())} "
                     f"scope={scope[:8]} data={version}")
            key = "report:" + hashlib.sha1(
                f"{name}|{area_code}|{year}|{comparable}|{sorted(options.items())}|{scope}|{version}".encode()
            ).hexdigest()
            return single_flight(
                key, lambda: function(user=user, area_code=area_code, year=year, comparable=comparable, **options),
                seconds=seconds, label=label)
    return wrapper
