from django.apps import AppConfig


class ImportingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "importing"
    verbose_name = "Nhập từ Excel"

    def ready(self):
        from importing import jobs

        jobs.register()  # the import as a background job (core/jobs)
