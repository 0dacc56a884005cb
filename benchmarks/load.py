"""A bounded load run on loopback: the app under gunicorn, 50 concurrent clients for one minute.

    python benchmarks/load.py [--clients 50] [--seconds 60] [--workers 4] [--think T] [--celery] [--no-import]
                              [--import-reviews YEAR]

Uses the benchmark database (run `make bench` first, or generate_synthetic). Prints requests, errors and
latency percentiles per page. Traffic goes to 127.0.0.1 only, and the run stops by itself.

Halfway through, an import is committed through the API (a few households into the synthetic province:
every report's data version changes, so every cached report is stale) and, the moment it is done, every
client asks for the dashboard at once: the "burst after import" row. The report cache is shared through
Redis (DJANGO_REDIS_URL, default redis://127.0.0.1:6379/14, keys under "load:"), and at the end the run
prints how many times each report key was computed (reports/cache.py counts them per key and data
version): with single flight, once per key and data version. `--celery` also starts a Celery worker and
sends the import (and the cache warming after it) through it.
"""
import argparse
import http.client
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = 8765


def production_env():
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/poverty_tracker_bench")
    env.update({
        "DJANGO_SECRET_KEY": env.get("DJANGO_SECRET_KEY", "load-run-secret-key-" + "x" * 40),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_DEBUG": "0",
        "API_THROTTLE_USER": "1000000/minute",
    })
    return env


def django_code(env, code):
    """Run `code` in a Django process of the same settings (database, Redis); its last line of output."""
    result = subprocess.run([sys.executable, "-c", "import django;django.setup();" + code], cwd=ROOT,
                            env={**env, "DJANGO_SETTINGS_MODULE": "poverty_tracker.settings"}, capture_output=True,
                            text=True, check=True)
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""


def api_token(env):
    return django_code(env, (
        "from django.contrib.auth import get_user_model;from rest_framework.authtoken.models import Token;"
        "u,_=get_user_model().objects.get_or_create(username='bench-admin',defaults={'is_staff':True,"
        "'is_superuser':True});print(Token.objects.get_or_create(user=u)[0].key)"))


def import_workbook(env, path, households=20, review_year=None):
    """A small workbook of new households in the first synthetic commune (a new code each run), registered
    today, or each with a review result of `review_year` (which changes that year's figures)."""
    commune = django_code(env, (
        "from households.models import Household;"
        "print(Household.objects.filter(code__startswith='SYN-').order_by('code').first().commune_id)"))
    stamp = int(time.time())
    rows = [[f"LOAD-{stamp}-{n:03d}", f"Hộ tải {n}", commune, "", "14", ""] for n in range(households)]
    reviews = None if review_year is None else [
        [f"LOAD-{stamp}-{n:03d}", review_year, "1.200.000", "", "", "", "x", "x", ""] for n in range(households)]
    sys.path.insert(0, str(ROOT))
    from tests.importing.builders import workbook

    return workbook(path, rows, None, reviews)


def post_import(token, path):
    """POST the workbook to the import API and wait for its answer (202 + polling when a broker is set)."""
    boundary = "loadrunboundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{path.name}\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode() + path.read_bytes() + \
        f"\r\n--{boundary}--\r\n".encode()
    headers = {"Authorization": f"Token {token}", "Host": "127.0.0.1",
               "Content-Type": f"multipart/form-data; boundary={boundary}"}
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=300)
    connection.request("POST", "/api/v1/imports/", body=body, headers=headers)
    response = connection.getresponse()
    answer = json.loads(response.read() or b"{}")
    status = response.status
    while status == 202:
        time.sleep(0.2)
        connection.request("GET", answer["url"], headers=headers)
        response = connection.getresponse()
        answer = json.loads(response.read() or b"{}")
        status = response.status
    connection.close()
    if status != 200 or not answer.get("committed"):
        raise RuntimeError(f"the import during the load run failed: {status} {answer}")


def session_cookie(env):
    """Log the benchmark administrator in without a password: a session row made by Django itself."""
    code = (
        "import django;django.setup();"
        "from django.contrib.auth import get_user_model, SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY;"
        "from django.contrib.sessions.backends.db import SessionStore;"
        "u,_=get_user_model().objects.get_or_create(username='bench-admin',defaults={'is_staff':True,'is_superuser':True});"
        "s=SessionStore();s[SESSION_KEY]=str(u.pk);"
        "s[BACKEND_SESSION_KEY]='django.contrib.auth.backends.ModelBackend';"
        "s[HASH_SESSION_KEY]=u.get_session_auth_hash();s.create();print(s.session_key)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE":
                            "poverty_tracker.settings"}, capture_output=True, text=True, check=True)
    return result.stdout.strip().splitlines()[-1]


def pages(env):
    code = (
        "import django;django.setup();from households.models import Household;"
        "h=Household.objects.filter(code__startswith='SYN-').order_by('code').first();"
        "print(h.commune_id, h.pk, h.commune.parent_id)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE":
                         "poverty_tracker.settings"}, capture_output=True, text=True, check=True)
    # the level above the commune: its district, or after the 2025 reform (generate_synthetic --province new)
    # the province itself
    commune, pk, district = out.stdout.split()
    return [
        ("dashboard", f"/?area={district}"),
        ("household list", f"/admin/households/household/?commune={commune}&q=nguyen"),
        ("household detail", f"/admin/households/household/{pk}/change/"),
        ("poverty report", f"/reports/poverty/?area={district}"),
        ("poverty report JSON", "/reports/poverty/?area=99&format=json"),
    ]


def client_loop(deadline, cookie, targets, latencies, errors, index, burst=None, think=0.0):
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    step = index
    burst_done = False
    pauses = random.Random(index)
    while time.monotonic() < deadline:
        # A person reads a page before the next click: exponential pauses of mean `think` seconds (none with 0,
        # a saturation test). The import's end wakes every client at once for the burst.
        pause = pauses.expovariate(1 / think) if think else 0.0
        if burst is not None and not burst_done:
            burst.wait(pause)
        elif pause:
            time.sleep(pause)
        if time.monotonic() >= deadline:
            break
        name, url = targets[step % len(targets)]
        step += 1
        if burst is not None and burst.is_set() and not burst_done:  # the import is committed: all at once
            burst_done = True
            name, url = "burst after import", targets[0][1]
        start = time.perf_counter()
        try:
            try:
                status = get(connection, url, cookie)
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # The server closed the idle kept-alive connection while the client was reading (gunicorn's
                # keep-alive is 2 s): like a browser, send the GET again on a new connection (RFC 9112 9.3.1).
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
                status = get(connection, url, cookie)
            if status != 200:
                errors[name] += 1
        except (OSError, http.client.HTTPException):
            errors[name] += 1
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        latencies[name].append(time.perf_counter() - start)
    connection.close()


def get(connection, url, cookie):
    connection.request("GET", url, headers={"Cookie": f"sessionid={cookie}", "Host": "127.0.0.1"})
    response = connection.getresponse()
    response.read()
    return response.status


def main():
    options = _options()
    env = _environment(options)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    django_code(env, "from django.core.cache import cache;cache.clear()")  # a cold start, as after a deploy
    django_code(env, "from reports.cache import reset_computation_counts as r;r()")
    processes = _start_servers(options, env)
    try:
        _wait_for_server()
        run = _run(options, env)
    finally:
        _stop(processes)
    total_errors = _print_report(options, run)
    sys.exit(1 if total_errors else 0)


def _options():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--celery", action="store_true", help="start a Celery worker; imports go through it")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean seconds a client reads a page before the next (exponential); 0: none")
    parser.add_argument("--no-import", action="store_true", help="no import commit (and no burst) halfway")
    parser.add_argument("--import-reviews", type=int, metavar="YEAR",
                        help="the imported households come with a review result of YEAR (its figures change)")
    return parser.parse_args()


def _environment(options):
    env = production_env()
    env.setdefault("DJANGO_REDIS_URL", "redis://127.0.0.1:6379/14")
    env.setdefault("REDIS_KEY_PREFIX", "load:")
    env.setdefault("REPORT_CACHE_SECONDS", "3600")
    if options.celery:
        env.setdefault("CELERY_BROKER_URL", env["DJANGO_REDIS_URL"])
        env.setdefault("CELERY_QUEUE", "load-run")
    return env


def _start_servers(options, env):
    """gunicorn, and a Celery worker with --celery."""
    processes = [subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "poverty_tracker.wsgi:application", "--bind", f"127.0.0.1:{PORT}",
         "--workers", str(options.workers), "--threads", "2", "--timeout", "60", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )]
    if options.celery:
        processes.append(subprocess.Popen([sys.executable, "-m", "celery", "-A", "poverty_tracker", "worker", "-Q",
                                           env["CELERY_QUEUE"], "--concurrency", "1", "--loglevel", "WARNING"],
                                          cwd=ROOT, env=env))
    return processes


def _wait_for_server():
    for _ in range(60):
        try:
            http.client.HTTPConnection("127.0.0.1", PORT, timeout=1).request("GET", "/admin/login/")
            return
        except OSError:
            time.sleep(0.5)


def _run(options, env):
    """The clients for options.seconds, the import committed halfway; what they measured."""
    cookie = session_cookie(env)
    targets = pages(env)
    burst = threading.Event()
    if not options.no_import:
        token = api_token(env)
        book = import_workbook(env, Path("/tmp") / f"load-import-{os.getpid()}.xlsx",
                               review_year=options.import_reviews)
    latencies, errors = defaultdict(list), defaultdict(int)
    deadline = time.monotonic() + options.seconds
    threads = [threading.Thread(target=client_loop, args=(deadline, cookie, targets, latencies, errors, i, burst,
                                                       options.think))
               for i in range(options.clients)]
    for thread in threads:
        thread.start()
    import_seconds = None
    if not options.no_import:
        time.sleep(options.seconds / 2)
        started = time.perf_counter()
        post_import(token, book)
        import_seconds = time.perf_counter() - started
        burst.set()
    for thread in threads:
        thread.join()
    counts = json.loads(django_code(env, "import json;from reports.cache import computation_counts as c;"
                                         "print(json.dumps(c()))") or "{}")
    return {"targets": targets, "latencies": latencies, "errors": errors, "import_seconds": import_seconds,
            "counts": counts}


def _stop(processes):
    for process in processes:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:  # workers still busy with slow requests: stop them hard
            process.kill()
            process.wait(timeout=30)


def _print_report(options, run):
    """The run's table; returns the number of failed requests."""
    own = os.times()
    print(f"\nLoad run: {options.clients} clients, {options.seconds} s, "
          f"{f'{options.think:g} s mean think time' if options.think else 'no think time'}, "
          f"gunicorn {options.workers} workers × 2 threads"
          f"{', Celery worker' if options.celery else ''}")
    print(f"The clients themselves (this process) used {own.user + own.system:.0f} s of CPU time of the "
          f"{options.seconds * (os.cpu_count() or 1)} s the machine's {os.cpu_count()} cores had in the run")
    if run["import_seconds"] is not None:
        what = f"with {options.import_reviews} review results" if options.import_reviews else "registered today"
        print(f"Import of 20 households ({what}) committed halfway through in {run['import_seconds']:.1f} s; then "
              f"every client asked for the dashboard")
    print()
    print(f"| {'page':<22} | {'requests':>8} | {'errors':>6} | {'p50 ms':>7} | {'p95 ms':>7} |")
    print("|------------------------|----------|--------|---------|---------|")
    latencies, errors = run["latencies"], run["errors"]
    everything = []
    for name in [name for name, _ in run["targets"]] + ["burst after import"]:
        values = sorted(latencies[name])
        everything += values
        if values:
            p95 = values[max(0, int(len(values) * 0.95) - 1)]
            print(f"| {name:<22} | {len(values):>8} | {errors[name]:>6} | {statistics.median(values) * 1000:7.0f} | "
                  f"{p95 * 1000:7.0f} |")
    everything.sort()
    total_errors = sum(errors.values())
    if everything:
        p95 = everything[max(0, int(len(everything) * 0.95) - 1)]
        print(f"| {'all':<22} | {len(everything):>8} | {total_errors:>6} | "
              f"{statistics.median(everything) * 1000:7.0f} | {p95 * 1000:7.0f} |")
    counts = run["counts"]
    print(f"\nReport computations during the run (per key and data version; single flight: 1 each), "
          f"{len(counts)} keys, {sum(counts.values())} computations:")
    for label, count in sorted(counts.items()):
        print(f"  {count:>3} × {label}")
    return total_errors


if __name__ == "__main__":
    main()
