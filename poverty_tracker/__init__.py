"""The project package. `celery -A poverty_tracker` finds the Celery app in poverty_tracker/celery.py; it is
loaded only when asked for (`poverty_tracker.celery_app`), so Django alone never imports Celery."""


def __getattr__(name):
    if name == "celery_app":
        from poverty_tracker.celery import app

        return app
    raise AttributeError(name)
