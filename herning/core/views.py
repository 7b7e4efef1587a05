from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from herning.core import replica
from herning.core.models import Heartbeat


@never_cache
@require_GET
def health(request):
    """For load balancers and operators: is the database reachable, and is the scheduler alive?

    The page answers 200 as long as the database answers, since pages work without the scheduler
    and statistics fall back to the primary without the replica; a stale heartbeat and a replica
    that is down or behind are reported so that monitoring can alert.
    """
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:  # any failure to reach the database is the answer here
        return JsonResponse({"database": "unavailable"}, status=503)
    beat = Heartbeat.objects.filter(name="scheduler").first()
    if beat is None:
        checks["scheduler"] = "never seen"
    else:
        stale_after = timedelta(seconds=settings.HEARTBEAT_SECONDS * 3)
        checks["scheduler"] = "ok" if timezone.now() - beat.last_seen <= stale_after else "stale"
        checks["scheduler_last_seen"] = beat.last_seen.isoformat()
    checks.update(replica.state(fresh=True).as_health())
    return JsonResponse(checks)
