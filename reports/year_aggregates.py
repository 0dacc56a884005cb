"""One review year's aggregates (per commune), kept across data versions while no write touches them.

A write makes a new data version (reports.cache), and every cached report is computed again; most of a report's
time is its years' aggregates over the province's rows, and most writes touch one year (a review, a benefit) or
none of the years shown (a household registered today). So each year's aggregate is kept with the data version it
was computed at, and used again at a later version when `years_touched` says no write since then touched its year
(read from the history rows written in between, which every write leaves). When the writes touched the year only
in some communes (review results, benefits), `partial(kept rows, communes, households)` recomputes those communes'
rows alone: a worksheet's save or an import of one commune recomputes that commune's year, not the province's.

Kept twice: in the cache, and in the database (reports.KeptAggregate), so that an emptied cache — a restart, a
deploy, Redis flushed — does not put the province's first dashboard back to aggregating 600,000 households over
six years (issue 27: 14 s at that size, where the kept rows are read in milliseconds and brought up to date
commune by commune). The database rows are derived data, never the record: deleting them only costs the next
view a full computation.
"""
import dataclasses
import functools
import hashlib
import logging

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone

from reports.cache import (
    PENDING,
    VERSIONED_MODELS,
    data_version,
    read_alias,
    reading_from_replica,
    single_flight,
    view_memo,
)
from reports.models import KeptAggregate

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class YearsTouched:
    """The review years that the writes between two data versions may have changed."""
    years: frozenset = frozenset()
    every_year: bool = False
    # (year, commune, household) of the rows written (review results: their commune; benefits: None, the
    # household's placement that year says where): their years touched in those places only
    places: frozenset = frozenset()
    # (first year, commune, household) of households entered into the register: every year from the first on,
    # in their commune (and wherever their village then or their result of a year places them)
    entered: frozenset = frozenset()

    def __contains__(self, year):
        return (self.whole(year) or any(place[0] == year for place in self.places)
                or any(first <= year for first, _, _ in self.entered))

    def whole(self, year):
        return self.every_year or year in self.years

    def places_of(self, year):
        """(communes, households) of `year` the writes touched; None when they may have touched all of it. A
        commune of None: rows placed by their household (the partial computation places them)."""
        if self.whole(year):
            return None
        places = [(commune, household) for y, commune, household in self.places if y == year]
        places += [(commune, household) for first, commune, household in self.entered if first <= year]
        return frozenset(c for c, _ in places), frozenset(h for _, h in places)

    def joined(self, other):
        return YearsTouched(years=self.years | other.years, every_year=self.every_year or other.every_year,
                            places=self.places | other.places, entered=self.entered | other.entered)


@functools.cache
def _history_model(label):
    return apps.get_model(label).history.model


def _written_places(history, low, high, commune):
    # Every (year, commune, household) the rows written in the range ever had: a changed year, commune or
    # household moves the row out of the old one (their earlier values are in history rows outside the range).
    written = history.objects.filter(history_id__gt=low, history_id__lte=high).values("id")
    fields = ["year", commune, "household_id"] if commune else ["year", "household_id"]
    found = history.objects.filter(id__in=written).values_list(*fields).distinct().order_by()
    return YearsTouched(places=frozenset(found if commune else ((y, None, h) for y, h in found)))


def _household_years(history, low, high):
    # A household entered into the register counts from its registration on, in its commune (an import's new
    # households: their commune's years, not the province's); an edit or a removal may have changed any year
    # it lived in, anywhere (its earlier dates and places are in rows outside the range): every year.
    written = history.objects.filter(history_id__gt=low, history_id__lte=high)
    if written.filter(~Q(history_type="+") | Q(registered_on=None)).exists():
        return YearsTouched(every_year=True)
    return YearsTouched(entered=frozenset(
        (registered.year, commune, household)
        for registered, commune, household in written.values_list("registered_on", "commune_id", "id")))


# Which years (and places) a write to each table touches in a year aggregate that reads it. Each aggregate names
# the tables it reads (`reads`); a table it does not read touches none of its years.
YEAR_RULES = {
    "review.Assessment": lambda history, low, high: _written_places(history, low, high, "commune_id"),
    "households.Household": _household_years,
    "areas.AdministrativeUnit": lambda history, low, high: YearsTouched(every_year=True),  # the map
    "programs.Benefit": lambda history, low, high: _written_places(history, low, high, None),
}
# The poverty aggregates read results, households (their placement) and the map; the spending one also benefits.
POVERTY_READS = ("review.Assessment", "households.Household", "areas.AdministrativeUnit")
SPENDING_READS = (*POVERTY_READS, "programs.Benefit")

YEARS_TOUCHED_ROWS = 10_000  # history rows of one table read at most to tell the years touched


def _newest_ids(version):
    return [int(part) for part in version.split(PENDING)[0].split(".")]


def _more_rows_than(history, low, high, limit):
    """Whether more than `limit` history rows were written between the two ids: counted, not the ids' span — a
    rolled-back import (an officer's preview of a big file) leaves its ids unused, and the next small write
    would otherwise look like a hundred thousand."""
    if high - low <= limit:
        return False
    return history.objects.filter(history_id__gt=low, history_id__lte=high).order_by()[:limit + 1].count() > limit


def years_touched(base, version, reads=POVERTY_READS):
    """The years the writes committed between data version `base` (read with no writer pending) and `version`
    touched in a year aggregate reading the tables `reads`; once per pair of versions in a report view."""
    memo, memo_key = view_memo(), ("touched", base, version, reads)
    if memo is not None and memo_key in memo:
        return memo[memo_key]
    old, new = _newest_ids(base), _newest_ids(version)
    touched = YearsTouched(every_year=len(old) != len(new))  # another schema: nothing carries over
    # strict=False: a version written under another list of models has another length (every_year above)
    for label, low, high in zip(VERSIONED_MODELS, old, new, strict=False):
        if touched.every_year:
            break
        if high == low or label not in reads:
            continue
        if high < low or _more_rows_than(_history_model(label), low, high, YEARS_TOUCHED_ROWS):
            touched = YearsTouched(every_year=True)  # a replica behind the stored version, or so many writes
            break                                    # that recomputing is the cheaper way
        touched = touched.joined(YEAR_RULES[label](_history_model(label), low, high))
    if memo is not None:
        memo[memo_key] = touched
    return touched


# -- where they are kept --------------------------------------------------------------------------------------
def _kept(key):
    """((version, value) kept under `key`, whether the cache had it): the cache's, else the database's (an
    emptied cache), else (None, False)."""
    entry = cache.get(key)
    if entry is not None:
        return entry, True
    row = KeptAggregate.objects.using(read_alias()).filter(key=key).values_list("version", "value").first()
    return (tuple(row) if row else None), False


def _keep(key, name, year, version, value, seconds):
    cache.set(key, (version, value), seconds)
    try:  # one statement, whoever else keeps the same key at the same moment
        KeptAggregate.objects.using(DEFAULT_DB_ALIAS).bulk_create(
            [KeptAggregate(key=key, name=name, year=year, version=version, value=value, kept_at=timezone.now())],
            update_conflicts=True, unique_fields=["key"], update_fields=["version", "value", "kept_at"])
    except DatabaseError as error:  # a derived copy: a busy database costs the next cold view a computation
        logger.warning("year aggregate %s not kept in the database: %s", name, error)


def _committed(alias):
    return not transaction.get_connection(alias).in_atomic_block


def year_aggregate(name, year, parts, compute, partial=None, reads=POVERTY_READS):
    """`compute()`: an aggregate over one review year's rows, kept across data versions (see the module).
    Keyed by `name`, the year and `parts` (the scope's visibility, communes and grouping); `reads`: the tables
    it reads (YEAR_RULES). Computed by one caller at a time. The value must survive JSON (the database copy)."""
    seconds = getattr(settings, "REPORT_CACHE_SECONDS", 0)
    if not seconds:
        return compute()
    with reading_from_replica():
        version = data_version()
        digest = hashlib.sha1(f"{name}|{year}|{parts}".encode()).hexdigest()
        key = f"aggregate:{digest}"
        entry, in_cache = _kept(key)
        label = f"{name} year={year} of={digest[:8]} data={version}"
        touched = years_touched(entry[0], version, reads) if entry is not None and entry[0] != version else None
        places = touched.places_of(year) if touched is not None and partial is not None else None
        lock_seconds = max(1, int(getattr(settings, "REPORT_LOCK_SECONDS", 60)))
        if entry is not None and (touched is None or year not in touched):
            value = entry[1]
        elif places is not None:
            value = single_flight(f"{key}:{version}", lambda: partial(entry[1], *places), seconds=lock_seconds,
                                  label=f"{label} communes={len(places[0])}")
        else:
            value = single_flight(f"{key}:{version}", compute, seconds=lock_seconds, label=label)
        # Kept only at a version all of whose rows are committed: not while others write (`PENDING_WRITERS`),
        # nor inside a write's transaction, whose own rows may yet roll back under a later-reused base.
        if PENDING not in version and _committed(read_alias()) and _committed(DEFAULT_DB_ALIAS) and (
                entry is None or entry[0] != version):
            _keep(key, name, year, version, value, seconds)
        elif entry is not None and entry[0] == version and not in_cache:
            cache.set(key, entry, seconds)  # read from the database: into the cache for the next view
    return value
