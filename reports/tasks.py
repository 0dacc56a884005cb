"""Long report jobs and cache warming, as background jobs (core/jobs), registered from ReportsConfig.ready().

- Exports of the full register (and the members list) and the annual Excel package: with a broker the page
  launches them on the workers and the officer downloads the workbook from the job's page
  (reports/job_views.py); without one they are built in the request as before (`inline`).
- (Re-classification of whole years is the review's own job: review/jobs.py.)
- Cache warming: after an import wrote to the register or a review round changed, the dashboard and the
  poverty report that the officers of the touched areas (and above) open first are computed again, by a
  worker or a thread, so that leaders arriving next find them ready. Single flight (reports/cache.py) makes
  anyone arriving during the warming wait for it instead of computing the same report.
"""
import hashlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import post_save
from django.utils.text import slugify

from areas.map import default_area
from areas.models import AdministrativeUnit, OfficerScope
from core import jobs
from reports.cache import reading_from_replica, scope_signature
from reports.excel import workbook_bytes
from reports.params import BadParameter, available_years
from review.models import ReviewRound

WARM_MAX_VIEWS = 50
# Exports as big as the register: launched as jobs (on the workers when there are workers).
QUEUED_EXPORTS = {"register", "members"}
REFUSED = (BadParameter, ValidationError)  # their message is the job page's answer


# -- the jobs' bodies (the same code on a worker, in a thread or in the request) ------------------------------
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


# -- the jobs, as core/jobs runs them ----------------------------------------------------------------------
def _export_job(job, *, slug, area_code, year, comparable=False, options=None):
    return jobs.Outcome(result={"message": ""}, file=report_export(
        user=job.user, slug=slug, area_code=area_code, year=year, comparable=comparable, options=options))


def _annual_package_job(job, *, area_code, year, comparable=False):
    return jobs.Outcome(result={"message": ""}, file=annual_package(user=job.user, area_code=area_code, year=year,
                                                                     comparable=comparable))


def _warm_job(job, *, area_codes):
    warm(area_codes)


def register():
    """The report jobs' kinds (core/jobs): the register's exports and the annual package share the "export"
    limits (EXPORT_MAX_CONCURRENT, EXPORT_MAX_PER_OFFICER)."""
    jobs.register("export", _export_job, task="reports.export_job", refused=REFUSED)
    jobs.register("package", _annual_package_job, task="reports.annual_package_job", group="export", refused=REFUSED)
    jobs.register("warm", _warm_job, task="reports.warm", tracked=False)


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
    from reports.opening import opening_year
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
            year = opening_year(user=user, area_code=area.code, years=years)  # where both pages open
            dashboard_page(user=user, area_code=area.code, year=year, years=years)
            REPORTS["poverty"].build(user=user, area_code=area.code, year=year)
        except BadParameter:
            continue
    return len(done)


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
    jobs.launch("warm", params={"area_codes": codes})


def _warming_on():
    return getattr(settings, "REPORT_WARMING", False) and getattr(settings, "REPORT_CACHE_SECONDS", 0)


def _after_import(sender, *, user_id, **kwargs):
    """A job wrote to the register (an import's commit): warm the reports of its officer's areas."""
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
    jobs.data_written.connect(_after_import, dispatch_uid="reports.warm.import")
    post_save.connect(_after_round_saved, sender=ReviewRound, dispatch_uid="reports.warm.round")
