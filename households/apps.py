from django.apps import AppConfig
from django.db.models.signals import post_migrate


class HouseholdsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "households"
    verbose_name = "Hộ gia đình và rà soát"

    def ready(self):
        from households.admin.mixins import admin_site_header
        from households.roles import ensure_role_groups

        admin_site_header()
        post_migrate.connect(ensure_role_groups, dispatch_uid="households.ensure_role_groups")
