"""`make bench`: the project's operations against the fastest honest way to get the same result.

Runs on PostgreSQL over a synthetic province (`--province kontum`, the default: 150,000 households in 10
districts; `--province new`: 600,000 households in 100 communes directly under the province, after the 2025
reform). DATABASE_URL, default postgres://postgres@127.0.0.1:5432/poverty_tracker_bench (kontum) or
…/poverty_tracker_bench_new (new): one database per province shape, since their commune codes overlap.
It prints one table: median time of the project, median time of the floor, their ratio, SQL queries and SQL
milliseconds of the project's operation, and peak memory where it matters.
Not a test: it measures, it does not assert. Results are written down in docs/benchmarks.md.
"""
import argparse
import os
import statistics
import sys
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "poverty_tracker.settings")
BENCH_DATABASES = {"kontum": "postgres://postgres@127.0.0.1:5432/poverty_tracker_bench",
                   "new": "postgres://postgres@127.0.0.1:5432/poverty_tracker_bench_new"}
os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("REPORT_CACHE_SECONDS", "0")  # measure the work, not the report cache
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")


@dataclass
class Result:
    name: str
    project: float
    floor: float | None
    queries: int | None = None
    sql_ms: float | None = None
    peak_mb: float | None = None
    note: str = ""

    @property
    def ratio(self):
        return self.project / self.floor if self.floor else None


def median_time(function, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_memory_mb(function):
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1] / 1024 / 1024
    finally:
        tracemalloc.stop()


def sql_profile(function):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured), sum(float(q["time"]) for q in captured.captured_queries) * 1000


def ensure_database():
    import subprocess

    import dj_database_url

    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    subprocess.run(
        ["psql", "-h", config["HOST"] or "127.0.0.1", "-U", config["USER"] or "postgres", "-d", "postgres", "-c",
         f'CREATE DATABASE "{config["NAME"]}"'],
        capture_output=True,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--province", choices=sorted(BENCH_DATABASES), default="kontum",
                        help="kontum: 150,000 households in districts; new: 600,000 households, no districts")
    parser.add_argument("--households", type=int, help="default: the province's")
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", nargs="*", help="run only the operations whose name contains one of these words "
                        "(e.g. --only http report)")
    options = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", BENCH_DATABASES[options.province])
    if options.province == "new":  # the issue's import: 100,000 households with members and reviews
        os.environ.setdefault("BENCH_FULL_IMPORT", "100000")

    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("generate_synthetic", province=options.province, households=options.households,
                 years=options.years, seed=options.seed)
    print(f"generate_synthetic: {time.perf_counter() - started:.0f} s")

    import importlib

    from benchmarks import operations

    importlib.import_module("benchmarks.cached")  # registers the dashboard with the report cache on
    chosen = [op for op in operations.ALL if not options.only or any(word in op.__name__ for word in options.only)]
    results = []
    for operation in chosen:
        started = time.perf_counter()
        try:
            outcome = operation(options.repeat)
        except Exception as error:  # one failed operation (an import refused) must not lose the others' figures
            import traceback

            traceback.print_exc()
            outcome = [Result(operation.__name__, 0.0, None, note=f"FAILED: {error!r}"[:300])]
        results += outcome if isinstance(outcome, list) else [outcome]
        # as it goes: a run at 600,000 households takes most of an hour on a shared machine
        print(f"{operation.__name__}: done in {time.perf_counter() - started:.0f} s", flush=True)
        for result in outcome if isinstance(outcome, list) else [outcome]:
            print(f"  {result.name}: {result.project * 1000:.0f} ms, floor "
                  f"{result.floor * 1000 if result.floor else 0:.0f} ms", flush=True)
    print_table(results, options)


def print_table(results, options):
    from django.db import connection

    from households.models import Household

    households = Household.objects.filter(code__startswith="SYN-").count()
    print(f"\nBenchmark — {households:,} households × {options.years} years ({options.province}), "
          f"{connection.vendor} {connection.pg_version if connection.vendor == 'postgresql' else ''}, "
          f"median of {options.repeat}\n")
    header = f"| {'operation':<46} | {'project':>10} | {'floor':>10} | {'ratio':>6} | {'queries':>7} | {'SQL ms':>8} | {'peak MB':>7} | note"
    print(header)
    print("|" + "|".join("-" * len(part) for part in header.split("|")[1:-1]) + "|------")
    for r in results:
        def fmt(value, pattern):
            return format(value, pattern) if value is not None else "–"
        print(f"| {r.name:<46} | {fmt(r.project * 1000, '9.1f')}ms | "
              f"{(fmt(r.floor * 1000, '9.1f') + 'ms') if r.floor else '         –'} | {fmt(r.ratio, '6.2f')} | "
              f"{fmt(r.queries, '7d')} | {fmt(r.sql_ms, '8.1f')} | {fmt(r.peak_mb, '7.1f')} | {r.note}")


if __name__ == "__main__":
    main()
