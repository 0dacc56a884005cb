"""Shared fixtures: a small area tree with two districts, and one user per role."""
import datetime
import os

import pytest

from accounts.services import officer_save
from areas.services import areas_import_text

AREAS_CSV = """code,name,level,kind,parent_code,valid_from,valid_to,successor_code,note
90,Tỉnh Thử,province,tỉnh,,,,,
901,Huyện Một,district,huyện,90,,,,
902,Huyện Hai,district,huyện,90,,,,
90101,Đắk Tô,commune,thị trấn,901,,,,
90102,Xã Hai,commune,xã,901,,,,
90201,Xã Ba,commune,xã,902,,,,
90101-01,Thôn Một,village,thôn,90101,,,,
90102-01,Thôn Hai,village,thôn,90102,,,,
90201-01,Làng Ba,village,làng,90201,,,,
"""


@pytest.fixture
def areas(db):
    areas_import_text(AREAS_CSV)
    from areas.models import AdministrativeUnit

    return AdministrativeUnit.objects.in_bulk()


@pytest.fixture
def moved_village(areas):
    from areas.models import AdministrativeUnit, AdministrativeUnitVersion

    """Thôn Năm: under 90102 until the 2025 reform (30 June 2025), under 90101 since."""
    moved = AdministrativeUnit.objects.create(code="90102-05", name="Năm", kind="thôn", level="village",
                                              parent_id="90101", valid_from=None)
    AdministrativeUnitVersion.objects.create(unit=moved, valid_from=None, valid_to=datetime.date(2025, 6, 30),
                                             name="Năm", kind="thôn", parent_id="90102")
    return moved


@pytest.fixture
def users(areas):
    """admin; district officer of 901; commune officers of 90101 and 90201; leader of 901."""
    specs = {
        "admin": ("admin", []),
        "district": ("district_officer", ["901"]),
        "commune": ("commune_officer", ["90101"]),
        "other_commune": ("commune_officer", ["90201"]),
        "leader": ("leader", ["901"]),
    }
    return {
        name: officer_save(username=name, role=role, area_codes=codes, password="x", check_password=False)[0]
        for name, (role, codes) in specs.items()
    }


# Slow tests, by file name or "file name::test name" (a file moved to another folder keeps its mark):
# `make test-fast` leaves them out (-m "not slow"), `make test` and CI run them. Also slow: the browser tests
# (marker "browser"), any file named *_race*.py (two connections racing for locks), and the modules and tests
# of tests/ that say so themselves (pytest.mark.slow). Measured with --durations: each of these takes over ~5 s.
SLOW = {
    "test_celery_jobs.py",  # a real Celery worker and web server started by the test
    "test_celery_restart.py",
    "test_single_flight.py::test_with_redis_a_second_process_waits_for_the_first_ones_result",  # two processes
    "test_new_roles_walk.py",  # every page as each new role
    "test_certificates.py::test_two_issuers_in_one_commune_never_draw_the_same_number",  # two connections
    "test_regular_review.py::test_the_demo_shows_a_household_recognised_mid_year_and_a_request",  # seeds the demo
    "test_pages.py::test_progress_is_reported_while_the_job_runs",
    "test_pages.py::test_worksheet_queries_do_not_grow_with_households",
}
# Tests that share one Redis database and clear it (Django's RedisCache.clear() flushes the whole database):
# under pytest-xdist they run on one worker, one after another (`--dist loadgroup` in the Makefile).
REDIS_FILES = {"test_redis.py", "test_celery_jobs.py", "test_celery_restart.py", "test_single_flight.py"}


@pytest.hookimpl(tryfirst=True)  # before -m deselects and xdist groups by the marks
def pytest_collection_modifyitems(config, items):
    for item in items:
        name = item.path.name
        if (name in SLOW or f"{name}::{getattr(item, 'originalname', item.name)}" in SLOW or "_race" in name
                or item.get_closest_marker("browser")):
            item.add_marker(pytest.mark.slow)
        if name in REDIS_FILES:
            item.add_marker(pytest.mark.xdist_group("redis"))


def pytest_report_header(config):
    return [f"database: {os.environ.get('DATABASE_URL') or 'SQLite (DATABASE_URL unset)'}"]


def pytest_terminal_summary(terminalreporter):
    """Which browser tests were skipped and why, at any verbosity: `-q` (the suite's default) lists no skip, so a
    run without chromium would pass looking complete (issue 26.10). Runs on the xdist controller too."""
    skipped = [report for report in terminalreporter.stats.get("skipped", []) if "browser" in report.keywords]
    if not skipped:
        return
    by_reason = {}
    for report in skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        by_reason.setdefault(reason.removeprefix("Skipped: "), []).append(report.nodeid)
    terminalreporter.write_sep("=", f"{len(skipped)} browser tests skipped", yellow=True)
    for reason, nodeids in by_reason.items():
        terminalreporter.write_line(f"{len(nodeids)} skipped because: {reason}")
        for nodeid in sorted(nodeids):
            terminalreporter.write_line(f"  {nodeid}")


@pytest.fixture(autouse=True)
def _own_upload_folder(settings, tmp_path):
    """Uploads and the server's import slots (flock files) in a folder of the test's own: tests on other xdist
    workers, or another run on this machine, neither see nor hold them."""
    settings.IMPORT_UPLOAD_DIR = str(tmp_path / "uploads")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Tests roll back, and SQLite then reuses history ids: start every test with an empty report cache."""
    from django.core.cache import cache

    cache.clear()
    yield
