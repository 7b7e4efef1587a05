from celery import shared_task
from django.db.models import F
from django.utils import timezone


@shared_task(name="herning.core.tasks.heartbeat")
def heartbeat(name: str = "scheduler") -> None:
    """Record that the scheduler fired and a worker ran the task; safe to run twice."""
    from herning.core.models import Heartbeat

    updated = Heartbeat.objects.filter(name=name).update(last_seen=timezone.now(), runs=F("runs") + 1)
    if not updated:
        Heartbeat.objects.update_or_create(name=name, defaults={"last_seen": timezone.now(), "runs": 1})


@shared_task(name="herning.core.tasks.echo")
def echo(value):
    """Returns its argument: lets tests and the health check prove a round trip through the broker."""
    return value
