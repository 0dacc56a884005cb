"""Settings for the test suite: the real settings, then every decision that is the suite's alone.

settings.py reads only the environment, with production-safe defaults; nothing in it knows about tests.
What the suite needs differently is set here: before the import, the environment settings.py refuses to
start without; after it, the overrides.
"""
import os

# settings.py stops without a secret key when debug is off, as the suite runs (it tests production behaviour).
os.environ.setdefault("DJANGO_SECRET_KEY", "insecure-key-for-the-test-suite-only-" + "x" * 30)

from poverty_tracker.env import env_bool, env_list  # noqa: E402
from poverty_tracker.settings import *  # noqa: E402,F401,F403
from poverty_tracker.settings import BASE_DIR, DATABASES, DEBUG  # noqa: E402

# Read by the database router (the test replica is migrated too) and by seed_demo (runs with debug off).
TESTING = True

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Static files from the source folders: the suite never runs collectstatic, so there is no manifest.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# The test client and the browser tests' live server speak plain HTTP: no redirect to HTTPS, and cookies
# that travel over it. The other production headers (HSTS, X-Frame-Options, ...) stay as settings.py sets them.
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", False)
    SESSION_COOKIE_SECURE = False
    CSRF_COOKIE_SECURE = False

# No reports recomputed in the background after a commit: tests that want it turn it on.
REPORT_WARMING = env_bool("REPORT_WARMING", False)

# The live server of the browser tests shares the test connection across threads; health checks on
# that shared connection would try to close it from the wrong thread.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
# Its request threads close their connections after each request, so none is left open on the test
# database when the suite drops it.
DATABASES["default"]["CONN_MAX_AGE"] = 0
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not memory: the browser tests' live server then opens its own connections per thread
    # instead of sharing the test thread's in-memory one.
    # TEST_SQLITE_PATH gives two suites running at once on one checkout their own files.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("TEST_SQLITE_PATH") or str(BASE_DIR / "test-output" / "test.sqlite3"),
    }
    (BASE_DIR / "test-output").mkdir(exist_ok=True)

# The routing test (tests/poverty_tracker/test_db_router.py) points READ_REPLICA at a second, real test database —
# not a mirror, which would hide where the queries went. Only tests that ask for it create it; every other
# test reads the primary (READ_REPLICA None), whatever DATABASE_REPLICA_URL says.
READ_REPLICA = None
DATABASES["replica"] = {**DATABASES["default"], "NAME": f"{DATABASES['default']['NAME']}_replica",
                        "CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": False}
if DATABASES["replica"]["ENGINE"].endswith("sqlite3"):
    DATABASES["replica"]["TEST"] = {"NAME": DATABASES["default"]["TEST"]["NAME"] + "-replica"}

# pytest-xdist workers (PYTEST_XDIST_WORKER gw0, gw1, …; their databases get that suffix from pytest-django) keep
# the background jobs' state in folders of their own: the file cache culls entries past its limit, and one
# worker's jobs would crowd out the other's.
if os.environ.get("PYTEST_XDIST_WORKER") and CACHES["imports"]["BACKEND"].endswith("FileBasedCache"):  # noqa: F405
    CACHES["imports"]["LOCATION"] += f"-{os.environ['PYTEST_XDIST_WORKER']}"  # noqa: F405
