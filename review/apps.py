from django.apps import AppConfig


class ReviewConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "review"
    verbose_name = "Rà soát hằng năm"

    def ready(self):
        # review.movements registers the receiver that keeps open assessments in step with their household's
        # members and livelihood (households.services.household_facts_changed); review.calendar registers the
        # start-up check of the review calendar settings.
        from review import calendar, jobs, movements  # noqa: F401

        jobs.register()  # re-classification of whole years as a background job (core/jobs)
