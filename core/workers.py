"""Whether long jobs go to Celery workers. Kept for review/admin.py until it asks core.jobs.on_workers()."""
from core.jobs.store import on_workers as uses_workers

__all__ = ["uses_workers"]
