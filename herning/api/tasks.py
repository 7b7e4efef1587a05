from celery import shared_task


@shared_task(name="herning.api.tasks.purge_idempotency_keys")
def purge_idempotency_keys() -> int:
    """Hourly: delete the kept answers to writes sent with an Idempotency-Key once a day old."""
    from herning.api.idempotency import purge_expired

    return purge_expired()
