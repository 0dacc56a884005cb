from django.apps import AppConfig


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = "Báo cáo"

    def ready(self):
        from reports import tasks

        tasks.register()  # the report jobs' kinds (core/jobs)
        tasks.connect()  # cache warming after an import commit or a review round's change (reports/tasks.py)
