"""Report results cached until the data changes.

The audit trail is the change log: every write in this system leaves a history row, so the newest history
id of the tables a report reads is a version of the data. A cached result is keyed by the report, its
parameters, the user's scope and that version; any officer's save makes the next request recompute.
Set REPORT_CACHE_SECONDS=0 to switch caching off (the benchmark measures uncached work).
"""
import functools
import hashlib

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from areas.scoping import visible_area_codes

VERSIONED_MODELS = [
    "review.Assessment", "households.Household", "review.ReviewRound", "review.StandardLine",
    "areas.AdministrativeUnit", "programs.Benefit", "programs.BudgetAllocation", "programs.TrainingCourse",
    "programs.Trainee", "programs.CooperativeGroup", "programs.GroupMembership", "programs.CommunityProject",
    "programs.Commendation", "reports.HouseholdCount",
]


def data_version():
    """One query: the newest history id of every table reports read."""
    parts = []
    for label in VERSIONED_MODELS:
        table = apps.get_model(label).history.model._meta.db_table
        parts.append(f"SELECT MAX(history_id) FROM {connection.ops.quote_name(table)}")
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts))
        return ".".join(str(row[0] or 0) for row in cursor.fetchall())


def scope_signature(user):
    codes = visible_area_codes(user)
    if codes is None:
        return "all"
    return hashlib.sha1(",".join(sorted(codes)).encode()).hexdigest()


def cached_report(function):
    @functools.wraps(function)
    def wrapper(*, user, area_code, year, comparable=False, **options):
        seconds = getattr(settings, "REPORT_CACHE_SECONDS", 0)
        if not seconds:
            return function(user=user, area_code=area_code, year=year, comparable=comparable, **options)
        key = "report:" + hashlib.sha1(
            f"{function.__module__}.{function.__name__}|{area_code}|{year}|{comparable}|{sorted(options.items())}|"
            f"{scope_signature(user)}|{data_version()}".encode()).hexdigest()
        result = cache.get(key)
        if result is None:
            result = function(user=user, area_code=area_code, year=year, comparable=comparable, **options)
            cache.set(key, result, seconds)
        return result
    return wrapper
