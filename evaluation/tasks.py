"""Background work of the evaluation app: thin tasks that call a service and are safe to run twice."""

from celery import shared_task

from evaluation.services import snapshot_catch_up


@shared_task(acks_late=True)
def take_snapshots() -> int:
    """The nightly snapshots of every open case (and any night missed within the catch-up window)."""
    return snapshot_catch_up()
