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
def sweep(mode: str = SweepRun.Mode.INCREMENTAL, recompute_all: bool = False, dispatch: bool = True) -> dict:
    """Find the deadlines whose reminders are due and write them; then queue their delivery.

    A full sweep only plans its batches here and queues a ``sweep_batch`` task for each: every
    worker running shares the work, and the last batch done finishes the run (``followups.sweep``).
    """
    from django.conf import settings

    from followups.sweep import run

    result = run(
        mode=mode,
        distributed=mode == SweepRun.Mode.FULL,
        recompute_all=recompute_all,
        batch_size=settings.HERNING["SWEEP_BATCH_SIZE"],
        dispatch=dispatch,
    )
    return {
        "run": result.pk,
        "batches": result.batches_total,
        "mode": result.mode,
        "checked": result.deadlines_checked,
        "changed": result.deadlines_changed,
        "reminders": result.reminders_created,
        "errors": result.errors,
    }


@shared_task(
    name="followups.sweep_batch",
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=3,
)
def sweep_batch(batch_id: int) -> bool:
    """One batch of a full sweep: a source's records to recompute, or deadlines to remind of.
    Claimed in the database (SKIP LOCKED) and marked done with its work, so a second delivery of
    the task does nothing; returns whether this delivery did the batch."""
    from followups.sweep import run_batch

    return run_batch(batch_id)


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
