"""The province's dashboard as leaders meet it, with the report cache on (issue 27): its first view ever (nothing
kept), cold (the cache emptied, the year aggregates kept in the database), warm, and the first
view after a worksheet-sized save of review results in one commune — with the kept year aggregates recomputed
for that commune only, and, for comparison, for the province's whole year (what the cache did before).

The saves are committed (the cache only keeps what is committed) and then written back, so the data ends as
it began, less the history rows. Registered in `benchmarks.operations.ALL` by benchmarks/run.py.
"""
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from benchmarks.operations import admin_client, bench_admin, get_ok, operation, synthetic_year
from benchmarks.run import Result, median_time

ROWS = 100  # one page of the worksheet


def _timed(client, url):
    import time

    with CaptureQueriesContext(connection) as captured:
        start = time.perf_counter()
        get_ok(client, url)
        elapsed = time.perf_counter() - start
    return elapsed, len(captured), sum(float(q["time"]) for q in captured.captured_queries) * 1000


def _save_page(assessments, income):
    """A worksheet page's worth of results saved, each through the one write service (committed)."""
    from review.services import assessment_save

    user = bench_admin()
    for assessment in assessments:
        assessment_save(acting_user=user, household=assessment.household, year=assessment.year,
                        income_per_capita=income(assessment))


@operation
def dashboard_cached(repeat):
    from reports import year_aggregates
    from reports.models import KeptAggregate
    from review.models import Assessment

    client, year = admin_client(), synthetic_year()
    url = f"/?year={year}&area=99"
    page = list(Assessment.objects.filter(year=year, commune__code__startswith="99", household__code__startswith="SYN-")
                .select_related("household").order_by("commune_id", "household_id")[:ROWS])
    commune = page[0].commune_id
    page = [a for a in page if a.commune_id == commune]
    original = {a.pk: a.income_per_capita for a in page}
    results = []
    with override_settings(REPORT_CACHE_SECONDS=3600, REPORT_WARMING=False):
        cache.clear()
        KeptAggregate.objects.all().delete()
        first = _timed(client, url)  # nothing kept anywhere: a new installation's first view
        cache.clear()
        cold = _timed(client, url)   # the cache emptied (a restart, a deploy): the years kept in the database
        warm = median_time(lambda: get_ok(client, url), repeat)
        results += [Result("dashboard, province, cache on: nothing kept (first view ever)", first[0], None,
                           first[1], first[2]),
                    Result("dashboard, province, cache on: cold (cache emptied)", cold[0], None, cold[1], cold[2],
                           note="target ≤ 2 s"),
                    Result("dashboard, province, cache on: warm", warm, None, note="target ≤ 50 ms")]
        for name, whole_year in (("only the commune's rows", False), ("the province's year (before)", True)):
            _save_page(page, lambda a: (original[a.pk] or 0) + 1000)
            try:
                if whole_year:  # what the cache did before issue 27: any result written touched its whole year
                    places_of = year_aggregates.YearsTouched.places_of
                    year_aggregates.YearsTouched.places_of = lambda self, y: None
                after = _timed(client, url)
            finally:
                if whole_year:
                    year_aggregates.YearsTouched.places_of = places_of
                _save_page(page, lambda a: original[a.pk])
                get_ok(client, url)  # the next round starts from a warm cache
            results.append(Result(f"dashboard after saving {len(page)} results of one commune: {name}", after[0],
                                  cold[0], after[1], after[2], note="floor column = the cold dashboard"))
        _import_committed(commune, year)
        after = _timed(client, url)
        results.append(Result(f"dashboard after an import of {IMPORTED} households with {year} results into one "
                              "commune", after[0], cold[0], after[1], after[2],
                              note="floor column = the cold dashboard; the households stay (codes BENCH-IMP-)"))
    return results


IMPORTED = 20


def _import_committed(commune, year):
    """An officer's import, committed: IMPORTED new households of `commune`, each with a result of `year`."""
    import tempfile
    import time
    from pathlib import Path

    from importing.service import households_import
    from tests.importing.builders import workbook

    stamp = int(time.time())
    codes = [f"BENCH-IMP-{stamp}-{n:03d}" for n in range(IMPORTED)]
    path = Path(tempfile.gettempdir()) / "bench-import-committed.xlsx"
    workbook(path, [[code, f"Hộ nhập {n}", commune, "", "14", ""] for n, code in enumerate(codes)], None,
             [[code, year, "1.200.000", "", "", "", "x", "x", ""] for code in codes])
    result = households_import(acting_user=bench_admin(), path=str(path), filename=path.name)
    assert not result.errors, result.errors[:3]
