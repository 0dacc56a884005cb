"""Whether long jobs go to Celery workers: the one rule every app asks (imports, exports, re-classification)."""
from django.conf import settings


def uses_workers():
    """True when a Celery broker is configured: jobs go to the workers' queue instead of a thread."""
    return bool(getattr(settings, "CELERY_BROKER_URL", ""))
