"""The one door for reads by area: every queryset shown to a user passes through `visible_to(user)`.

A user's scope is a set of areas (OfficerScope rows). It covers those areas and everything that is,
or ever was, under them: a district officer of Đắk Tô (612) keeps seeing the communes that the 2025
reform re-parented to the province, because their history still names 612 as parent; and the
officer of a merged commune sees the records of the communes merged into it (their `successor`).
"""
from django.db import models

SCOPE_CACHE_ATTR = "_poverty_tracker_area_codes"


def sees_everything(user):
    return bool(user and user.is_active and user.is_superuser)


def visible_area_codes(user):
    """The codes of every area the user may see, or None when the user sees everything.

    Computed once per user object (one query per tree level), then cached on it.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    if sees_everything(user):
        return None
    cached = getattr(user, SCOPE_CACHE_ATTR, None)
    if cached is not None:
        return cached
    from areas.models import OfficerScope, codes_under  # the models' querysets build on this module

    result = frozenset(codes_under(OfficerScope.objects.filter(user=user).values_list("area_id", flat=True)))
    setattr(user, SCOPE_CACHE_ATTR, result)
    return result


def forget_scope(user):
    """Drop the cached scope (after the user's scope rows change)."""
    if hasattr(user, SCOPE_CACHE_ATTR):
        delattr(user, SCOPE_CACHE_ATTR)


def can_see_area(user, area_code):
    codes = visible_area_codes(user)
    return codes is None or area_code in codes


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows the path from its rows to their commune (`scope_path`)."""

    scope_path = None  # e.g. "commune", "household__commune"

    def visible_to(self, user):
        codes = visible_area_codes(user)
        if codes is None:
            return self
        if not codes:
            return self.none()
        return self.filter(**{f"{self.scope_path}__in": codes})
