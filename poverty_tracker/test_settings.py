"""Settings for the test suite: the real settings, with fast password hashing."""
import os

os.environ.setdefault("POVERTY_TRACKER_TESTING", "1")

from poverty_tracker.settings import *  # noqa: E402,F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The live server of the browser tests shares the test connection across threads; health checks on
# that shared connection would try to close it from the wrong thread.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = False  # noqa: F405
