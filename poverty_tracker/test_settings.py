"""Settings for the test suite: the real settings, with fast password hashing."""
import os

os.environ.setdefault("POVERTY_TRACKER_TESTING", "1")

from poverty_tracker.settings import *  # noqa: E402,F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The live server of the browser tests shares the test connection across threads; health checks on
# that shared connection would try to close it from the wrong thread.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = False  # noqa: F405
# Its request threads close their connections after each request, so none is left open on the test
# database when the suite drops it.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    # A file, not memory: the browser tests' live server then opens its own connections per thread
    # instead of sharing the test thread's in-memory one.
    # TEST_SQLITE_PATH gives two suites running at once on one checkout their own files.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.environ.get("TEST_SQLITE_PATH") or str(BASE_DIR / "test-output" / "test.sqlite3"),  # noqa: F405
    }
    (BASE_DIR / "test-output").mkdir(exist_ok=True)  # noqa: F405
