"""Long report jobs and cache warming, on Celery workers when CELERY_BROKER_URL is set.

- Exports of the full register (and the members list) and the annual Excel package: with a broker the page
  queues them (reports/job_views.py) and the officer downloads the workbook from the job's page; without one
  they are built in the request as before.
- Re-classification of a whole year (review.services.year_reclassify): a job too, on a worker or in a thread.
- Cache warming: after an import wrote to the register or a review round changed, the dashboard and the
  poverty report that the officers of the touched areas (and above) open first are computed again, by a
  worker or a thread, so that leaders arriving next find them ready. Single flight (reports/cache.py) makes
  anyone arriving during the warming wait for it instead of computing the same report.

Every job keeps its state where the imports keep theirs (importing/jobs.py); a file it produced stays in the
same Redis (or file cache) for FILE_SECONDS.
"""
import hashlib
import logging
import threading

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache, caches
from django.core.exceptions import ValidationError
from django.db import connections, transaction
from django.db.models.signals import post_save
from django.utils.text import slugify

from areas.map import default_area
from areas.models import AdministrativeUnit, OfficerScope
from importing import jobs
from importing.tasks import send, worker_job
from reports.cache import reading_from_replica, scope_signature
from reports.excel import workbook_bytes
from reports.params import BadParameter, available_years
from review.models import ReviewRound

log = logging.getLogger(__name__)
FILE_SECONDS = 3600
WARM_MAX_VIEWS = 50
# Exports as big as the register: queued for the workers when there are workers.
QUEUED_EXPORTS = {"register", "members"}


def _file_key(token):
    return f"job-file:{token}"


def stored_file(token):
    """(bytes, filename) of a finished export job, or None once it expired."""
    return caches["imports"].get(_file_key(token))


def _finish(token, job, **values):
    jobs._save(token, **{**job, "queued": False, **values})


def run_report_job(token, body):
    """Run `body()` → (message, (content, filename) or None) and keep its outcome in the job's state."""
    job = jobs.state(token) or {}
    try:
        message, produced = body()
    except (BadParameter, ValidationError) as error:
        text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        _finish(token, job, status="failed", phase=text, done=0, total=0, result=None)
        return
    except Exception:
        log.exception("report job %s failed", token)
        _finish(token, job, status="failed", phase="Lỗi hệ thống: hãy thử lại.", done=0, total=0, result=None)
        return
    finally:
        connections.close_all()
    result = {"message": message}
    if produced is not None:
        content, filename = produced
        caches["imports"].set(_file_key(token), (content, filename), FILE_SECONDS)
        result.update(filename=filename, size=len(content))
    _finish(token, jobs.state(token) or job, status="done", phase="Xong", done=1, total=1, result=result)


# -- the jobs' bodies (the same code on a worker, in a thread or in the request) ------------------------------
def _user(user_id):
    return get_user_model().objects.get(pk=user_id)


def report_export(*, user, slug, area_code, year, comparable=False, options=None):
    """One report's workbook: (bytes, file name without extension)."""
    from reports.registry import REPORTS, report_table

    report = REPORTS[slug]
    options = options or {}
    with reading_from_replica():
        result = report.build(user=user, area_code=area_code, year=year, comparable=comparable, **options)
        content = workbook_bytes([report_table(report, result, year)])
    suffix = "".join(f"-{slugify(value)}" for value in options.values())
    return content, f"{slug}-{area_code}-{year}{suffix}"


def annual_package(*, user, area_code, year, comparable=False):
    """Every report of the year in one workbook, on one map: (bytes, file name without extension)."""
    from reports.registry import REPORTS, report_table

    tables = []
    with reading_from_replica():
        for report in REPORTS.values():
            result = report.build(user=user, area_code=area_code, year=year, comparable=comparable)
            tables.append(report_table(report, result, year))
        content = workbook_bytes(tables)
    suffix = "-dia-gioi-hien-nay" if comparable else ""
    return content, f"bao-cao-nam-{year}-{slugify(area_code)}{suffix}"


def reclassify(*, user, years):
    """year_reclassify of each year in turn, and what it did in words. A year refused (a locked round) stops
    there; the years before it are done and the message says so."""
    from review.services import held_back_notice, year_reclassify

    done = []
    for year in years:
        try:
            outcome = year_reclassify(acting_user=user, year=year)
        except ValidationError as error:
            raise ValidationError(" ".join([*done, f"Năm {year}: {'; '.join(error.messages)}"])) from error
        message = f"Năm {year}: {outcome.changed} hộ đổi phân loại."
        if outcome.held_back:
            message += " " + held_back_notice(outcome.held_back, reclassify=True)
        done.append(message)
    return " ".join(done)


@shared_task(name="reports.export_job", acks_late=True, reject_on_worker_lost=True)
def export_job(*, token, user_id, slug, area_code, year, comparable=False, options=None):
    with worker_job(token, "export"):
        run_report_job(token, lambda: ("", report_export(user=_user(user_id), slug=slug, area_code=area_code,
                                                          year=year, comparable=comparable, options=options)))


@shared_task(name="reports.annual_package_job", acks_late=True, reject_on_worker_lost=True)
def annual_package_job(*, token, user_id, area_code, year, comparable=False):
    with worker_job(token, "export"):
        run_report_job(token, lambda: ("", annual_package(user=_user(user_id), area_code=area_code, year=year,
                                                          comparable=comparable)))


@shared_task(name="reports.reclassify_job", acks_late=True, reject_on_worker_lost=True)
def reclassify_job(*, token, user_id, years=None, year=None):
    # `year`: a job queued by the previous release (one year per job) still runs after an upgrade.
    with worker_job(token, "reclassify"):
        run_report_job(token, lambda: (reclassify(user=_user(user_id), years=years or [year]), None))


# -- cache warming ------------------------------------------------------------------------------------------
def _with_ancestors(codes):
    units = {}
    pending = set(codes)
    while pending:
        found = {unit.code: unit for unit in AdministrativeUnit.objects.filter(code__in=pending)}
        units.update(found)
        pending = {unit.parent_id for unit in found.values() if unit.parent_id and unit.parent_id not in units}
    return set(units)


def warm(area_codes):
    """Compute the dashboard and the poverty report that the officers over these areas open first (their
    default area and year): each scope once, at most WARM_MAX_VIEWS views."""
    from reports.dashboard import dashboard_page
    from reports.registry import REPORTS

    areas = _with_ancestors(area_codes)
    users = list(get_user_model().objects.filter(is_active=True, pk__in=OfficerScope.objects.filter(
        area_id__in=areas).values("user_id")).order_by("pk"))
    admin = get_user_model().objects.filter(is_active=True, is_superuser=True).order_by("pk").first()
    if admin is not None:
        users.append(admin)
    done = set()
    for user in users:
        if len(done) >= WARM_MAX_VIEWS:
            break
        area = default_area(user)
        if area is None:
            continue
        years = available_years(user)
        view = (scope_signature(user), area.code, years[-1])
        if view in done:
            continue
        done.add(view)
        try:
            dashboard_page(user=user, area_code=area.code, year=years[-1], years=years, pick_year=True)
            REPORTS["poverty"].build(user=user, area_code=area.code, year=years[-1])
        except BadParameter:
            continue
    return len(done)


@shared_task(name="reports.warm", ignore_result=True)
def warm_task(*, area_codes):
    try:
        warm(area_codes)
    finally:
        connections.close_all()


def _warm_in_thread(area_codes):
    try:
        warm(area_codes)
    except Exception:
        log.exception("warming the report cache")
    finally:
        connections.close_all()


def warm_after_write(area_codes):
    """After a commit that changed these areas' data: warm their reports on a worker, or in a thread."""
    if not _warming_on():
        return
    codes = sorted(set(area_codes))
    if not codes:
        return
    # A burst of saves (a round's households one after the other) warms once every few seconds, not per save.
    if not cache.add("warm:" + hashlib.sha1(",".join(codes).encode()).hexdigest(), 1, 5):
        return
    if jobs.uses_workers():
        try:
            send("reports.warm", {"area_codes": codes})
            return
        except Exception:
            log.warning("warming: the broker does not answer, warming here", exc_info=True)
    threading.Thread(target=_warm_in_thread, args=(codes,), name="warm-reports", daemon=True).start()


def _warming_on():
    return getattr(settings, "REPORT_WARMING", False) and getattr(settings, "REPORT_CACHE_SECONDS", 0)


def _after_import(sender, *, user_id, **kwargs):
    if not _warming_on():
        return
    codes = list(OfficerScope.objects.filter(user_id=user_id).values_list("area_id", flat=True))
    if not codes:  # an administrator: the provinces
        codes = list(AdministrativeUnit.objects.filter(parent__isnull=True).values_list("code", flat=True))
    warm_after_write(codes)


def _after_round_saved(sender, instance, **kwargs):
    if not _warming_on():
        return
    commune = instance.commune_id
    transaction.on_commit(lambda: warm_after_write([commune]))


def connect():
    """Called once from ReportsConfig.ready()."""
    jobs.import_committed.connect(_after_import, dispatch_uid="reports.warm.import")
    post_save.connect(_after_round_saved, sender=ReviewRound, dispatch_uid="reports.warm.round")


def start_thread(token, body):
    """Without a broker: run a report job's body in a thread of the web process."""
    thread = threading.Thread(target=run_report_job, args=(token, body), name=f"job-{token[:8]}", daemon=True)
    thread.start()
    return thread
