"""The Celery application: `celery -A poverty_tracker worker` (docs/deployment.md).

Configured from Django's settings, every name starting with CELERY_ (CELERY_BROKER_URL, CELERY_RESULT_BACKEND,
CELERY_TASK_DEFAULT_QUEUE …: poverty_tracker/settings.py). The tasks are the job kinds of core/jobs, each
registered under its stable name by the app that owns it when Django starts (importing/jobs.py,
reports/tasks.py: AppConfig.ready). Without CELERY_BROKER_URL nothing sends tasks: the web process runs the
same job code in a thread, so a single office needs no broker and no worker.
"""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "poverty_tracker.settings")

app = Celery("poverty_tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
