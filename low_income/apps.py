from django.apps import AppConfig


class LowIncomeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "low_income"
    verbose_name = "Người lao động có thu nhập thấp"
