from django.apps import AppConfig


class LivingStandardConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "living_standard"
    verbose_name = "Hộ có mức sống trung bình"
