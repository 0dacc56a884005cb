"""Settings for the test suite: the real settings, with fast password hashing."""
import os

os.environ.setdefault("POVERTY_TRACKER_TESTING", "1")

from poverty_tracker.settings import *  # noqa: E402,F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
