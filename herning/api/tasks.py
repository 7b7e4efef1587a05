from celery import shared_task


@shared_task(name="herning.api.tasks.purge_idempotency_keys")
def purge_idempotency_keys() -> int:
    """Hourly: delete the kept answers to writes sent with an Idempotency-Key once a day old."""
    from herning.api.idempotency import purge_expired

    return purge_expired()


@shared_task(name="herning.api.tasks.dispatch_webhooks")
def dispatch_webhooks() -> int:
    """Every few seconds: the change feed's new events become deliveries to the subscriptions."""
    from herning.api.webhooks import dispatch

    return dispatch()


@shared_task(bind=True, name="herning.api.tasks.deliver_webhook", acks_late=True)
def deliver_webhook(self, delivery_id: int) -> str:
    """One delivery, tried again after a growing pause until it is taken or dead (dead letter)."""
    from herning.api.models import WebhookDelivery
    from herning.api.webhooks import attempt, backoff_seconds

    delivery = (
        WebhookDelivery.objects.select_related("subscription", "event")
        .filter(pk=delivery_id, state=WebhookDelivery.State.PENDING)
        .first()
    )
    if delivery is None:
        return "gone"
    if attempt(delivery):
        return "delivered"
    if delivery.state == WebhookDelivery.State.DEAD:
        return "dead"
    raise self.retry(countdown=backoff_seconds(delivery.attempts), max_retries=None)
