"""Celery tasks: thin, taking no objects, safe to run twice (the database decides what is done)."""

from __future__ import annotations

from celery import shared_task

from followups.models import SweepRun


@shared_task(
    name="followups.sweep",
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=3,
)
def sweep(mode: str = SweepRun.Mode.INCREMENTAL) -> dict:
    """Find the deadlines whose reminders are due and write them; then queue their delivery."""
    from followups.sweep import run

    result = run(mode=mode)
    return {
        "mode": result.mode,
        "checked": result.deadlines_checked,
        "changed": result.deadlines_changed,
        "reminders": result.reminders_created,
        "errors": result.errors,
    }


@shared_task(
    name="followups.deliver_reminders",
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def deliver_reminders() -> int:
    """E-mail the pending reminders; returns how many were sent."""
    from followups.delivery import deliver_pending

    return deliver_pending()


@shared_task(
    name="followups.send_escalation_digests",
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def send_escalation_digests() -> int:
    """Each team leader's daily mail per team of the escalations waiting for it; returns how many
    mails were sent. Run twice, the second run sends nothing (``followups.digest``)."""
    from followups.digest import send_digests

    return send_digests()
