"""The Celery app and the periodic schedule.

The schedule lives here, in code, in one place. The scheduler (``celery beat`` with
django-celery-beat's database scheduler) installs these entries at start-up, so an administrator
can see them and their last run in the admin; a change belongs in this file.
"""

import os
from datetime import timedelta

from celery import Celery
from celery.schedules import crontab
from celery.signals import beat_init, task_postrun, task_prerun, worker_process_init, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "herning.settings")

app = Celery("herning")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Celery's Django fix-up closes every database connection before and after every task: a task
# interrupted in the middle of a query (its soft time limit is a signal) can leave a connection
# Django still takes for usable (celery/celery#9824). A full sweep is some 200 short tasks, and
# each then paid for a new PostgreSQL backend: its start, cold catalogue caches and the statements
# psycopg had prepared. The fix-up is told to close only every so many tasks, and
# ``_database_after_task`` below closes a connection after every task that did not end cleanly.
# (The fix-up reads this name as it is, not through the CELERY_ settings namespace.)
app.conf.CELERY_DB_REUSE_MAX = 1000


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
        # Fixed network-meeting slots nobody booked within their week go back to the calendar
        # (Herningmodellen 1.0, "Netværksmøder og inddragende netværksmøder"). Hourly is close enough
        # to "a week"; the task is idempotent.
        "network-meeting-slot-release": {
            "task": "network_meetings.tasks.release_unbooked_slots",
            "schedule": crontab(minute=7),
            "options": {"expires": 3600},
        },
        # E-mails (invitations, minutes) ordered but not sent because a task was lost: the database
        # knows what is owed, so a broker outage delays them instead of losing them.
        "network-meeting-pending-emails": {
            "task": "network_meetings.tasks.deliver_pending_dispatches",
            "schedule": timedelta(minutes=10),
            "options": {"expires": 600},
        },
        # At night, when nobody reads: deletes access-log entries older than the retention period
        # (HERNING_ACCESS_LOG_RETENTION_DAYS) and records an audit event of its own.
        "purge-access-log": {
            "task": "herning.audit.tasks.purge_access_log",
            "schedule": crontab(hour=3, minute=15),
        },
        # The answers kept for retries of API writes (Idempotency-Key) are read for 24 hours;
        # older ones are deleted within the hour after (a lookup ignores them already).
        "purge-idempotency-keys": {
            "task": "herning.api.tasks.purge_idempotency_keys",
            "schedule": crontab(minute=41),
            "options": {"expires": 3600},
        },
        # The change feed's new events to the webhooks' addresses (herning.api.webhooks): often,
        # so an integration hears of a change within seconds; cheap when nothing changed.
        "dispatch-webhooks": {
            "task": "herning.api.tasks.dispatch_webhooks",
            "schedule": timedelta(seconds=10),
            "options": {"expires": 10},
        },
        # A background DUBU import whose task was lost with the broker is sent again: the database
        # knows which files wait (dubu.jobs).
        "dubu-requeue-stale-imports": {
            "task": "dubu.tasks.requeue_stale_imports",
            "schedule": timedelta(minutes=10),
            "options": {"expires": 600},
        },
        # Each night, the snapshots of the day that has just ended (evaluation figures for past
        # dates read them); it also fills nights missed while no worker ran. Safe to run twice.
        "evaluation-snapshots": {
            "task": "evaluation.tasks.take_snapshots",
            "schedule": crontab(hour=0, minute=30),
        },
        # Reminders of deadlines (followups.sweep): the deadlines that changed or reached a
        # reminder stage since the last run. Cheap when nothing happened, so it runs often.
        "followups-sweep": {
            "task": "followups.sweep",
            "schedule": timedelta(minutes=settings.HERNING["SWEEP_MINUTES"]),
            "kwargs": {"mode": "incremental"},
            "options": {"expires": settings.HERNING["SWEEP_MINUTES"] * 60},
        },
        # Every night: recompute every schedule from the rules and the follow-ups held, then check
        # every open deadline; repairs whatever a failed recomputation or a write that did not
        # announce itself left behind.
        # Each morning, before the working day: every team leader's one mail per team of the
        # missed deadlines escalated since the last one, instead of a mail per escalation
        # (followups.digest). Safe to run twice: what was digested is recorded with the mail.
        "followups-escalation-digest": {
            "task": "followups.send_escalation_digests",
            "schedule": crontab(hour=settings.HERNING["ESCALATION_DIGEST_HOUR"], minute=0),
        },
        "followups-full-sweep": {
            "task": "followups.sweep",
            "schedule": crontab(hour=settings.HERNING["FULL_SWEEP_HOUR"], minute=30),
            "kwargs": {"mode": "full"},
        },
    }


@app.on_after_finalize.connect
def _install_schedule(sender: Celery, **kwargs) -> None:
    sender.conf.beat_schedule = beat_schedule()


@worker_process_init.connect
@worker_ready.connect
def _tune_garbage_collector(**kwargs) -> None:
    """Each pool process once it has started, and the main process (which runs the tasks of the
    solo and threads pools): the collector set for a long-lived process (herning/core/gc_tuning.py;
    it took a fifth of a sweep batch's CPU time)."""
    from herning.core.gc_tuning import tune

    tune()


@beat_init.connect
def _sweep_at_start(sender, **kwargs) -> None:
    """The scheduler's first act is a reminder sweep, so reminders owed while it was down (or, on a
    fresh ``make run``, the demo's) are written at once instead of after the first interval."""
    app.send_task("followups.sweep", kwargs={"mode": "incremental"})


def _eager(task) -> bool:
    return bool(getattr(getattr(task, "request", None), "is_eager", False))


@task_prerun.connect
def _database_before_task(task=None, **kwargs) -> None:
    """Django's own rule between two requests, between two tasks: a connection older than
    CONN_MAX_AGE or broken is closed, and a kept one is health-checked before its first use
    (CONN_HEALTH_CHECKS). An eager task runs inside its caller's connection and is left alone."""
    if _eager(task):
        return
    from django.db import close_old_connections

    close_old_connections()


@task_postrun.connect
def _database_after_task(task=None, state=None, **kwargs) -> None:
    """A connection is kept for the next task only when the task succeeded and the connection
    stands idle outside any transaction, as a finished request leaves it; otherwise it is closed,
    as Celery would close it. A query cut off by a time limit leaves the connection busy or in a
    transaction (and the task failed), so it is never reused."""
    if _eager(task):
        return
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        if state != "SUCCESS" or not _idle(connection):
            connection.close()
        else:
            connection.close_if_unusable_or_obsolete()


def _idle(connection) -> bool:
    """No transaction open and no query under way on ``connection`` (True when it is not open)."""
    if connection.connection is None:
        return True
    if connection.in_atomic_block or not connection.get_autocommit():
        return False
    if connection.vendor != "postgresql":
        # The embedded default's SQLite: its driver says whether a transaction is open.
        return not getattr(connection.connection, "in_transaction", True)
    from psycopg import pq

    return connection.connection.info.transaction_status == pq.TransactionStatus.IDLE
