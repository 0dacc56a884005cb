"""Officers' roles and the areas they work in."""
from django.conf import settings
from django.db import models

from areas.models import Level


class Role(models.TextChoices):
    ADMIN = "admin", "Quản trị viên"
    DISTRICT_OFFICER = "district_officer", "Cán bộ cấp huyện"
    COMMUNE_OFFICER = "commune_officer", "Cán bộ cấp xã"
    LEADER = "leader", "Lãnh đạo (chỉ xem)"
    # Decision 24/2021/QĐ-TTg: the commune chairman (or a vice-chairman) recognises the poor and near-poor
    # households by a decision; the level above the commune (the district until 30 June 2025, the province
    # from 1 July 2025) compiles, and may return or reopen a commune's round (review.services.ROUND_STEPS).
    COMMUNE_CHAIR = "commune_chair", "Chủ tịch/Phó Chủ tịch UBND xã"
    PROVINCE_OFFICER = "province_officer", "Cán bộ cấp tỉnh"


# Roles that enter and correct records (households, members, assessments, support records) in their areas.
EDITING_ROLES = {Role.ADMIN, Role.DISTRICT_OFFICER, Role.COMMUNE_OFFICER}
# Roles that read everything in their areas and move review rounds along, but enter no records: the commune
# chairman recognises, the province officer compiles, returns and reopens.
REVIEWING_ROLES = {Role.COMMUNE_CHAIR, Role.PROVINCE_OFFICER}
# The level of the areas an account of these roles is given (create_officer refuses others).
ROLE_AREA_LEVEL = {Role.COMMUNE_CHAIR: Level.COMMUNE, Role.PROVINCE_OFFICER: Level.PROVINCE}


class Officer(models.Model):
    """The role of a user account; its areas are OfficerScope rows."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="tài khoản", on_delete=models.CASCADE,
        related_name="officer",
    )
    role = models.CharField("vai trò", max_length=20, choices=Role.choices)

    class Meta:
        db_table = "households_officer"  # tables kept their names when the app split (README)
        verbose_name = "cán bộ"
        verbose_name_plural = "cán bộ"

    def __str__(self):
        return f"{self.user.get_username()} ({self.get_role_display()})"


def role_of(user):
    if not user or not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.ADMIN
    officer = getattr(user, "officer", None)
    return officer.role if officer else None


def can_edit(user):
    return role_of(user) in EDITING_ROLES
