from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "Tài khoản, vai trò"

    def ready(self):
        from accounts.roles import ensure_role_groups
        from core.admin import admin_site_header

        admin_site_header()
        # Role groups are refreshed after every migrate, so a model added later gets its permissions.
        post_migrate.connect(ensure_role_groups, dispatch_uid="accounts.ensure_role_groups")
