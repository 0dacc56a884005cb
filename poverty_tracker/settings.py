"""Settings for poverty_tracker, driven by environment variables.

DATABASE_URL          unset -> SQLite file db.sqlite3 in the project folder; postgres://... -> PostgreSQL
DJANGO_SECRET_KEY     required unless DJANGO_DEBUG is on
DJANGO_DEBUG          off unless set to 1/true/yes/on
DJANGO_ALLOWED_HOSTS  comma-separated host names (default: localhost names when debugging)
DJANGO_SECURE_SSL_REDIRECT, DJANGO_HSTS_SECONDS  override the production HTTPS defaults

Every variable, its default and why: docs/configuration.md. The test suite's own choices are in
test_settings.py, not here: this module reads only the environment, with production-safe defaults.
"""
import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from poverty_tracker.env import check_review_calendar, env_bool, env_list, review_day_setting
from poverty_tracker.formats.vi import formats as vi_formats

BASE_DIR = Path(__file__).resolve().parent.parent


DEBUG = env_bool("DJANGO_DEBUG")

# Debug mode is for a developer's machine (`make run`), so it keeps two conveniences: a fixed key and the
# local host names. With debug off nothing is assumed (docs/configuration.md, "Debug mode").
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "accounts.apps.AxesConfig",  # django-axes, with a Vietnamese name in the admin
    # Domain apps, lowest layer first (the order import-linter enforces: docs/architecture.md).
    "core",
    "areas",
    "accounts",
    "households",
    "review",
    "living_standard",
    "low_income",
    "programs",
    "importing",
    "reports",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A deadlock, a serialization failure or a lock wait run out: 409 in Vietnamese, not a server error.
    "core.middleware.DatabaseRefusalMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that it sees the outcome of authentication views (django-axes requirement).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "poverty_tracker.urls"
WSGI_APPLICATION = "poverty_tracker.wsgi.application"
ASGI_APPLICATION = "poverty_tracker.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "reports.menu.report_menu",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Exports stream through server-side cursors; PostgreSQL plans those for the first 10 % of rows by
    # default (nested loops), which made a 150,000-row export 30x slower than the same query as a plain
    # SELECT. Every cursor here is read to the end, so plan for all rows.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c cursor_tuple_fraction=1"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several officers saving at once must wait for each other, not fail with "database is locked": a write
    # transaction takes the write lock when it begins (IMMEDIATE; a deferred one that read first could not wait
    # for it) and waits up to DJANGO_SQLITE_TIMEOUT seconds (then 409, core.db_refusals); with the write-ahead
    # log, pages keep reading while an import writes (its progress page polls).
    DATABASES["default"]["OPTIONS"] = {"timeout": int(os.environ.get("DJANGO_SQLITE_TIMEOUT", "20")),
                                       "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses locked-out credentials before Django checks them.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "/"

# Login throttling: 5 wrong passwords for one account from one address lock it for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
# ...and 20 wrong passwords from one address, whatever the usernames, lock that address (password spraying).
# accounts.lockout's handler applies each limit to its own combination (django-axes alone has one limit).
AXES_ADDRESS_FAILURE_LIMIT = int(os.environ.get("AXES_ADDRESS_FAILURE_LIMIT", "20"))
AXES_HANDLER = "accounts.lockout.AccountAndAddressHandler"
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
# The client address: X-Forwarded-For only from these proxies (addresses or networks; default none, so the
# header is ignored). Used by django-axes and the API throttles (accounts/client_address.py).
TRUSTED_PROXIES = env_list("DJANGO_TRUSTED_PROXIES")
AXES_CLIENT_IP_CALLABLE = "accounts.client_address.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"

# Sessions end after 8 hours (a working day) or when the browser closes.
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

LANGUAGE_CODE = "vi"
# Vietnamese for what Django's admin and the audit trail's pages leave in English (locale/vi, `make messages`).
LOCALE_PATHS = [BASE_DIR / "locale"]
# No LocaleMiddleware: the interface is Vietnamese whatever the browser asks for.
LANGUAGES = [("vi", "Tiếng Việt")]
TIME_ZONE = "Asia/Ho_Chi_Minh"
# Dates day first everywhere, dd/mm/yyyy (or ISO), never month first; shown "14/11/2025 07:00": one module,
# also the fallback where no language is active (docs/architecture.md, "Decisions and why": Dates).
FORMAT_MODULE_PATH = ["poverty_tracker.formats"]
DATE_INPUT_FORMATS = vi_formats.DATE_INPUT_FORMATS
DATETIME_INPUT_FORMATS = vi_formats.DATETIME_INPUT_FORMATS
DATE_FORMAT, DATETIME_FORMAT = vi_formats.DATE_FORMAT, vi_formats.DATETIME_FORMAT
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Uploads (imports) above this size are refused with a message, not read into memory.
IMPORT_MAX_UPLOAD_BYTES = int(os.environ.get("IMPORT_MAX_UPLOAD_BYTES", str(40 * 1024 * 1024)))
# An upload whose zip declares more than this unpacked, or a part over 1 MB packed more than RATIO to one, is
# refused before anything is unpacked (a 300 KB file can hold a 300 MB comment). 50,000 households with their
# members and reviews unpack to about 106 MB at 13:1.
IMPORT_MAX_UNCOMPRESSED_BYTES = int(os.environ.get("IMPORT_MAX_UNCOMPRESSED_BYTES", str(256 * 1024 * 1024)))
IMPORT_MAX_COMPRESSION_RATIO = int(os.environ.get("IMPORT_MAX_COMPRESSION_RATIO", "100"))
# A sheet whose used cells reach past this row or column, or whose grid (rows × columns up to its last used
# cell) passes IMPORT_MAX_CELLS, is refused before it is read: the reader holds a sheet as a full grid (32 bytes
# a cell), so one stray value in the last cell (XFD1048576) of a 5 KB file would ask for 512 GiB. The grid is
# bounded by its cells, at most 18,000,000 (about 576 MB), not by its rows: a province's import of 100,000
# households has ~430,000 member rows of 7 columns (issue 27), and 300,000 rows refused it.
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "1000000"))
IMPORT_MAX_COLUMNS = int(os.environ.get("IMPORT_MAX_COLUMNS", "60"))
IMPORT_MAX_CELLS = int(os.environ.get("IMPORT_MAX_CELLS", "18000000"))
# At most this many imports check or write at once on this server (all web processes together); the next
# officer is asked to wait (page 429 with Retry-After; API 429). Uploads nobody committed go after 24 hours.
IMPORT_MAX_CONCURRENT = int(os.environ.get("IMPORT_MAX_CONCURRENT", "2"))
# Where uploads wait between check and commit without a broker (core/jobs/uploads.py; default: the temp folder).
IMPORT_UPLOAD_DIR = os.environ.get("IMPORT_UPLOAD_DIR") or None
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200_000  # the review worksheet posts many fields at once

# Production hardening: on unless debugging (check --deploy passes with these).
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = False  # the worksheet's script reads the token from the form, not the cookie

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: a refused token (wrong, rotated, inactive user) answers 401 with WWW-Authenticate.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.Pagination",
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "core.api.parsers.SafeMultiPartParser",
    ],
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "URL_FORMAT_OVERRIDE": None,  # ?format=xlsx asks a report for its workbook, not for a renderer
    "DEFAULT_THROTTLE_CLASSES": [  # they know the client address from TRUSTED_PROXIES
        "accounts.throttling.AnonRateThrottle",
        "accounts.throttling.UserRateThrottle",
    ],
    "NUM_PROXIES": 0,  # any other DRF throttle: REMOTE_ADDR, never a client-sent X-Forwarded-For
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON", "60/minute"),
        "user": os.environ.get("API_THROTTLE_USER", "6000/minute"),
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "API Quản lý hộ nghèo, hộ cận nghèo",
    "DESCRIPTION": "Hộ nghèo, hộ cận nghèo: sổ theo dõi, rà soát hằng năm, chính sách hỗ trợ, báo cáo.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The schema describes the whole data model: only signed-in users read it (docs/security.md).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # One name for the relation to the head, wherever a field carries it (a member, a move's before and after).
    "ENUM_NAME_OVERRIDES": {"RelationEnum": "households.models.Relation"},
}

# Per-process memory cache; set DJANGO_REDIS_URL (redis://127.0.0.1:6379/1) to share it between workers.
# "imports" holds the state of background import jobs; every web process must see it (core/jobs),
# so it is files on this server, or Redis when there is one (then the report cache is shared too).
IMPORT_JOBS_DIR = Path(os.environ.get("IMPORT_JOBS_DIR", Path(tempfile.gettempdir()) / "poverty_tracker_import_jobs"))


# REDIS_KEY_PREFIX keeps several installations (or test runs) on one Redis apart: every cache key, the job
# queues and Celery's own keys start with it.
REDIS_KEY_PREFIX = os.environ.get("REDIS_KEY_PREFIX", "")


def cache_settings(redis_url, jobs_dir, prefix=""):
    if redis_url:
        return {alias: {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url,
                        "KEY_PREFIX": prefix + alias} for alias in ("default", "imports")}
    return {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 2000}},
        "imports": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(jobs_dir)},
    }


# Celery (docs/deployment.md): with CELERY_BROKER_URL set, imports, exports of the full register, the annual
# package and re-classifications run on Celery workers (core/jobs; the kinds: importing/jobs.py, reports/tasks.py);
# without it (the `make run` default) the same job code runs in a thread of the web process, or in the request.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", "") or CELERY_BROKER_URL or None
# The jobs' progress, their queue and the uploaded files live in Redis, shared by web servers and workers on
# any machine: DJANGO_REDIS_URL, or else the broker's own Redis. A broker that is not Redis needs both.
REDIS_URL = os.environ.get("DJANGO_REDIS_URL", "") or (
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else "")
if CELERY_BROKER_URL and not REDIS_URL:
    raise ImproperlyConfigured("CELERY_BROKER_URL is not a redis:// URL: set DJANGO_REDIS_URL too (the jobs' "
                               "progress and uploads must live in Redis, shared by web servers and workers).")
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "poverty_tracker")
# A running job's heartbeat lasts this long (renewed every twelfth of it): a job whose worker (or web process)
# died is taken up again by another worker, or shown as interrupted, once it runs out (core/jobs/worker.py).
JOB_LEASE_SECONDS = int(os.environ.get("JOB_LEASE_SECONDS", "120"))
CELERY_TASK_ACKS_LATE = True  # a job whose worker dies is given to another worker (an import is all or nothing)
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # a worker takes one long job at a time, not four
CELERY_TASK_IGNORE_RESULT = True  # the jobs keep their own state (core/jobs); nothing waits on results
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The broker hands a message nobody acknowledged (its worker was killed) to another worker after this: twice the
# lease, so that a job whose worker died early is run again even if no page asks after it; a long job's
# message handed out again while its worker lives is dropped (core/jobs/worker.py: its heartbeat is alive).
# Workers look for such messages every 10 s (kombu's default: every 100 s).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * JOB_LEASE_SECONDS,
                                   "unacked_restore_interval": max(1, min(10, JOB_LEASE_SECONDS // 2)),
                                   "unacked_restore_throttle": 1}
if REDIS_KEY_PREFIX:
    CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = REDIS_KEY_PREFIX
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = dict(CELERY_BROKER_TRANSPORT_OPTIONS)
# At most this many jobs of each kind run at once (on the workers together; without a broker, imports on this
# server) and at most this many per officer; the others wait in the queue with their place shown.
IMPORT_MAX_PER_OFFICER = int(os.environ.get("IMPORT_MAX_PER_OFFICER", "1"))
EXPORT_MAX_CONCURRENT = int(os.environ.get("EXPORT_MAX_CONCURRENT", "2"))
EXPORT_MAX_PER_OFFICER = int(os.environ.get("EXPORT_MAX_PER_OFFICER", "1"))

CACHES = cache_settings(REDIS_URL, IMPORT_JOBS_DIR, REDIS_KEY_PREFIX)
# Report results are cached until the data changes (reports/cache.py); 0 switches the cache off.
REPORT_CACHE_SECONDS = int(os.environ.get("REPORT_CACHE_SECONDS", "3600"))
# Single flight: while one request computes a report, the others asking for it wait up to this long for its
# result (the lock's life: a holder that died frees it then) before computing it themselves.
REPORT_LOCK_SECONDS = int(os.environ.get("REPORT_LOCK_SECONDS", "60"))
# After an import commit or a round's change, recompute the dashboard and the poverty report of the areas it
# touched (a Celery task, or a thread without a broker) so that leaders arriving next find them ready.
REPORT_WARMING = env_bool("REPORT_WARMING", True)

# Read replica (poverty_tracker/db_router.py): reports and dashboards read from it, every write and every
# read inside a write's transaction go to the primary.
# READ_REPLICA names the alias reads are sent to (None: everything on "default").
READ_REPLICA = None
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
        conn_health_checks=True)
    DATABASES["replica"]["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS", {}))
    READ_REPLICA = "replica"
DATABASE_ROUTERS = ["poverty_tracker.db_router.ReplicaRouter"]

# The programme's targets shown on the dashboard (reports/targets.py): Decision 90/QĐ-TTg for 2021–2025.
# Per area and period: add entries with "areas": ["612", …] before the general one.
POVERTY_TARGETS = [
    {"first_year": 2021, "last_year": 2025, "areas": None, "poor_rate_down": ("1", "1.5"),
     "ethnic_minority_poor_rate_down_over": "3"},
]

# Review calendar, "MM-DD" days of the review year, each overridable by the environment
# (docs/configuration.md). Defaults: Decision 24/2021/QĐ-TTg — the periodic review runs from 1 September to
# 14 December (Article 3.1.a); the province reports the preliminary result before 15 November and the official
# result before 20 December (Article 7.2 and 7.3). The dates a province sets for its communes' reports in its
# own plan are earlier: set them here (to verify against the provincial calendar).
REVIEW_WINDOW_OPENS = review_day_setting("REVIEW_WINDOW_OPENS", "09-01")
REVIEW_WINDOW_CLOSES = review_day_setting("REVIEW_WINDOW_CLOSES", "12-14")
REVIEW_PRELIMINARY_DEADLINE = review_day_setting("REVIEW_PRELIMINARY_DEADLINE", "11-15")  # before 15 November
REVIEW_OFFICIAL_DEADLINE = review_day_setting("REVIEW_OFFICIAL_DEADLINE", "12-20")  # before 20 December


check_review_calendar(REVIEW_WINDOW_OPENS, REVIEW_WINDOW_CLOSES, REVIEW_PRELIMINARY_DEADLINE, REVIEW_OFFICIAL_DEADLINE)

# The steps of Decision 24/2021 Art. 4 whose figures were not read in the primary text (docs/rules.md): read where
# they are used (review.models.rounds.meeting_majority, review.calendar.day_count), which refuse a bad value by name.
REVIEW_MEETING_MAJORITY = os.environ.get("REVIEW_MEETING_MAJORITY", "at_least_half")
REVIEW_POSTING_WORKING_DAYS = os.environ.get("REVIEW_POSTING_WORKING_DAYS", "3")
REVIEW_LEVEL_ABOVE_ANSWER_DAYS = os.environ.get("REVIEW_LEVEL_ABOVE_ANSWER_DAYS", "3")
REGULAR_REVIEW_DECISION_DAYS = os.environ.get("REGULAR_REVIEW_DECISION_DAYS", "15")
# Households of average living standard are recognised monthly from this day ("none": any day; living_standard).
_from_day = os.environ.get("LIVING_STANDARD_DECISION_FROM_DAY", "15").strip().lower()
LIVING_STANDARD_DECISION_FROM_DAY = None if _from_day in ("", "none") else int(_from_day)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
