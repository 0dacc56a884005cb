"""Model permissions of each role, kept as Django groups (refreshed after every migrate).

Editing roles may add, change and delete the records of their areas; reference data (areas, ethnic
groups, standards, the program catalogue) is theirs to read only. Leaders read everything. Reviewing roles
(the commune chairman, the province officer) read everything and may change a review round, which only
ever moves through its steps (review.services.ROUND_STEPS decides who takes which step); they enter no
records. The rule is by model, so a model added later is covered without touching this file, unless it is
reference data.
"""
from django.contrib.auth.models import Group, Permission
from django.utils import translation

from accounts.models import REVIEWING_ROLES, Role

ROLE_GROUPS = {
    Role.DISTRICT_OFFICER: "Cán bộ cấp huyện",
    Role.COMMUNE_OFFICER: "Cán bộ cấp xã",
    Role.LEADER: "Lãnh đạo",
    Role.COMMUNE_CHAIR: "Chủ tịch UBND xã",
    Role.PROVINCE_OFFICER: "Cán bộ cấp tỉnh",
}
PROJECT_APPS = ("areas", "accounts", "households", "review", "living_standard", "low_income", "programs", "reports")
REFERENCE_MODELS = {
    "administrativeunit", "administrativeunitversion", "ethnicgroup",
    "povertystandard", "standardline", "indicator", "povertyreason", "program", "lowincomethreshold",
}
HIDDEN_MODELS = {"officer", "officerscope"}
# What reviewing roles may change besides reading: the round (its steps; the round's admin page saves no field).
REVIEWING_PERMISSIONS = {"change_reviewround", "add_reviewcalendar", "change_reviewcalendar"}


def _permissions_for(role):
    perms = Permission.objects.filter(content_type__app_label__in=PROJECT_APPS).select_related("content_type")
    chosen = []
    for perm in perms:
        model = perm.content_type.model
        if model in HIDDEN_MODELS or model.startswith("historical"):
            continue
        action = perm.codename.split("_", 1)[0]
        if role in REVIEWING_ROLES:
            if action == "view" or perm.codename in REVIEWING_PERMISSIONS:
                chosen.append(perm)
        elif role == Role.LEADER or model in REFERENCE_MODELS:
            if action == "view":
                chosen.append(perm)
        else:
            chosen.append(perm)
    return chosen


def ensure_role_groups(**kwargs):
    for role, name in ROLE_GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(_permissions_for(role))


ACTION_NAMES = {"add": "Thêm", "change": "Sửa", "delete": "Xoá", "view": "Xem"}


def name_permissions_in_vietnamese(**kwargs):
    """Django names its permissions "Can add log entry"; administrators pick them by these names."""
    changed = []
    with translation.override("vi"):
        for permission in Permission.objects.select_related("content_type"):
            action = permission.codename.split("_", 1)[0]
            model = permission.content_type.model_class()
            if action not in ACTION_NAMES or model is None:
                continue
            name = f"{ACTION_NAMES[action]} {model._meta.verbose_name}"[:255]
            if permission.name != name:
                permission.name = name
                changed.append(permission)
    Permission.objects.bulk_update(changed, ["name"])
