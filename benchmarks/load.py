"""A bounded load run on loopback: the app under gunicorn, 50 concurrent clients for one minute.

    python benchmarks/load.py [--clients 50] [--seconds 60] [--workers 4]

Uses the benchmark database (run `make bench` first, or generate_synthetic). Prints requests, errors and
latency percentiles per page. Traffic goes to 127.0.0.1 only, and the run stops by itself.
"""
import argparse
import http.client
import os
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
        "print(h.commune_id, h.pk)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE":
                         "poverty_tracker.settings"}, capture_output=True, text=True, check=True)
    commune, pk = out.stdout.split()
    district = commune[:3]
    return [
        ("dashboard", f"/?area={district}"),
        ("household list", f"/admin/households/household/?commune={commune}&q=nguyen"),
        ("household detail", f"/admin/households/household/{pk}/change/"),
        ("poverty report", f"/reports/poverty/?area={district}"),
        ("poverty report JSON", "/reports/poverty/?area=99&format=json"),
    ]


def client_loop(deadline, cookie, targets, latencies, errors, index):
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    step = index
    while time.monotonic() < deadline:
        name, url = targets[step % len(targets)]
        step += 1
        start = time.perf_counter()
        try:
            connection.request("GET", url, headers={"Cookie": f"sessionid={cookie}", "Host": "127.0.0.1"})
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                errors[name] += 1
        except (OSError, http.client.HTTPException):
            errors[name] += 1
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        latencies[name].append(time.perf_counter() - start)
    connection.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4)
    options = parser.parse_args()
    env = production_env()
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "poverty_tracker.wsgi:application", "--bind", f"127.0.0.1:{PORT}",
         "--workers", str(options.workers), "--threads", "2", "--timeout", "60", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )
    try:
        for _ in range(60):
            try:
                http.client.HTTPConnection("127.0.0.1", PORT, timeout=1).request("GET", "/admin/login/")
                break
            except OSError:
                time.sleep(0.5)
        cookie = session_cookie(env)
        targets = pages(env)
        latencies, errors = defaultdict(list), defaultdict(int)
        deadline = time.monotonic() + options.seconds
        threads = [threading.Thread(target=client_loop, args=(deadline, cookie, targets, latencies, errors, i))
                   for i in range(options.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:  # workers still busy with slow requests: stop them hard
            server.kill()
            server.wait(timeout=30)
    print(f"\nLoad run: {options.clients} clients, {options.seconds} s, gunicorn {options.workers} workers × 2 threads\n")
    print(f"| {'page':<22} | {'requests':>8} | {'errors':>6} | {'p50 ms':>7} | {'p95 ms':>7} |")
    print("|------------------------|----------|--------|---------|---------|")
    everything = []
    for name, _ in targets:
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
    sys.exit(1 if total_errors else 0)


if __name__ == "__main__":
    main()
