from django.apps import AppConfig


class ReviewConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "review"
    verbose_name = "Rà soát hằng năm"

    def ready(self):
        # Registers the receiver that keeps open assessments in step with their household's members and
        # livelihood (households.services.household_facts_changed).
        from review import services  # noqa: F401
