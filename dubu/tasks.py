from celery import shared_task


# The largest file accepted (100,000 rows) takes minutes; the default limit of a task is 10.
@shared_task(name="dubu.tasks.import_job", acks_late=True, soft_time_limit=3600, time_limit=3660)
def import_job(run_id: int) -> str:
    """Import the file of a background DUBU import (``dubu.jobs``); safe to run twice."""
    from dubu.jobs import run_import_job

    return run_import_job(run_id)


@shared_task(name="dubu.tasks.requeue_stale_imports")
def requeue_stale_imports() -> int:
    """Send again the background imports whose task was lost (the broker went away)."""
    from dubu.jobs import requeue_stale

    return requeue_stale()
