"""The one door for reads by area: every queryset shown to a user passes through `visible_to(user)`.

A user's scope is a set of areas (OfficerScope rows). It covers those areas and everything that is,
or ever was, under them: a district officer of Đắk Tô (612) keeps seeing the communes that the 2025
reform re-parented to the province, because their history still names 612 as parent; and the
officer of a merged commune sees the records of the communes merged into it (their `successor`).
"""
from areas.models import (
    SCOPE_CACHE_ATTR,
    ScopedQuerySet,
    can_see_area,
    forget_scope,
    sees_everything,
    visible_area_codes,
)

__all__ = ["SCOPE_CACHE_ATTR", "ScopedQuerySet", "can_see_area", "forget_scope", "sees_everything",
           "visible_area_codes"]
