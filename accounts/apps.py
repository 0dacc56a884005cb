from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    default = True  # this module also holds AxesConfig
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "Tài khoản, vai trò"

    def ready(self):
        from accounts import client_address, tokens  # noqa: F401  (client_address registers its system check)
        from accounts.roles import ensure_role_groups, name_permissions_in_vietnamese
        from core.admin import admin_site_header

        admin_site_header()
        # A password change ends the user's API token (accounts/tokens.py).
        tokens.connect()
        # Role groups are refreshed after every migrate, so a model added later gets its permissions.
        post_migrate.connect(ensure_role_groups, dispatch_uid="accounts.ensure_role_groups")
        post_migrate.connect(name_permissions_in_vietnamese, dispatch_uid="accounts.permission_names")


class AxesConfig(AxesAppConfig):
    """django-axes as installed, named in Vietnamese on the admin's index (its own name is "Axes")."""

    verbose_name = "Đăng nhập sai (chống dò mật khẩu)"
