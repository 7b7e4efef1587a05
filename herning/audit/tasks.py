from celery import shared_task


@shared_task(name="herning.audit.tasks.purge_access_log")
def purge_access_log() -> int:
    """Nightly: delete access-log entries older than the retention period (and record it)."""
    from herning.audit.services import purge_expired_access_log

    return purge_expired_access_log().details["deleted"]
