"""The Celery app and the periodic schedule.

The schedule lives here, in code, in one place. The scheduler (``celery beat`` with
django-celery-beat's database scheduler) installs these entries at start-up, so an administrator
can see them and their last run in the admin; a change belongs in this file.
"""

import os
from datetime import timedelta

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "herning.settings")

app = Celery("herning")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def beat_schedule() -> dict:
    """Every periodic task of the product, with why it runs when it does."""
    from django.conf import settings

    return {
        # Proves the scheduler and a worker are alive; the health page reads the result.
        "heartbeat": {
            "task": "herning.core.tasks.heartbeat",
            "schedule": timedelta(seconds=settings.HEARTBEAT_SECONDS),
            "options": {"expires": settings.HEARTBEAT_SECONDS},
        },
        # Each night, the snapshots of the day that has just ended (evaluation figures for past
        # dates read them); it also fills nights missed while no worker ran. Safe to run twice.
        "evaluation-snapshots": {
            "task": "evaluation.tasks.take_snapshots",
            "schedule": crontab(hour=0, minute=30),
        },
    }


@app.on_after_finalize.connect
def _install_schedule(sender: Celery, **kwargs) -> None:
    sender.conf.beat_schedule = beat_schedule()
