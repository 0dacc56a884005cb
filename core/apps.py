from django.apps import AppConfig


class CoreConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = "Dùng chung"

    def ready(self):
        from core import lookups, sqlite

        lookups.register()
        sqlite.register()
