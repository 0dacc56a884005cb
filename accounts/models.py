"""Officers' roles and the areas they work in."""
from django.conf import settings
from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Quản trị viên"
    DISTRICT_OFFICER = "district_officer", "Cán bộ cấp huyện"
    COMMUNE_OFFICER = "commune_officer", "Cán bộ cấp xã"
    LEADER = "leader", "Lãnh đạo (chỉ xem)"


EDITING_ROLES = {Role.ADMIN, Role.DISTRICT_OFFICER, Role.COMMUNE_OFFICER}


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
