"""Writing the access log, and the two procedures that delete from the records: the nightly purge
of old log entries and the erasure of a child after the retention period (``cases.erasure``). Call
``log_child_read`` wherever a child's data is shown or sent."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from herning.audit.models import AccessLog, AuditEvent
from herning.core.logging import mask_cpr
from herning.core.privacy import deletion_permitted


def log_child_read(*, user, child, channel: str, purpose: str, case=None, what: str = "") -> None:
    """Record that ``user`` read ``child``'s data through ``channel`` for ``purpose``."""
    AccessLog.objects.create(
        user=user,
        municipality_id=child.municipality_id,
        child=child,
        case=case,
        channel=channel,
        purpose=_clean(purpose),
        what=_clean(what),
    )


def log_children_read(*, user, children: Iterable, channel: str, purpose: str, what: str = "") -> None:
    """One entry per child, in one statement (exports and lists of many children)."""
    AccessLog.objects.bulk_create(
        AccessLog(
            user=user,
            municipality_id=child.municipality_id,
            child=child,
            channel=channel,
            purpose=_clean(purpose),
            what=_clean(what),
        )
        for child in children
    )


def record_event(*, kind: str, actor=None, reason: str, details: dict | None = None) -> AuditEvent:
    """Write an ``AuditEvent``: ids and counts in ``details``, never a name or a CPR number."""
    return AuditEvent.objects.create(
        kind=kind, actor=actor, reason=mask_cpr(str(reason)), details=details or {}
    )


def _clean(text: str) -> str:
    # The log is shown to citizens and the data-protection staff: no CPR number, ever.
    return mask_cpr(str(text))[:200]


def purge_expired_access_log(*, now: datetime.datetime | None = None) -> AuditEvent:
    """Deletes the entries older than the retention period (settings.HERNING) and records that it
    did, with the cut-off and the count, even when there was nothing to delete. Safe to run twice."""
    now = now or timezone.now()
    days = settings.HERNING["ACCESS_LOG_RETENTION_DAYS"]
    cutoff = now - datetime.timedelta(days=days)
    with transaction.atomic(), deletion_permitted():
        deleted, _ = AccessLog.objects.for_system().filter(at__lt=cutoff).delete()
        return AuditEvent.objects.create(
            at=now,
            kind=AuditEvent.Kind.ACCESS_LOG_PURGE,
            reason=f"Opbevaringsperioden for adgangsloggen er {days} dage (HERNING_ACCESS_LOG_RETENTION_DAYS).",
            details={"cutoff": cutoff.isoformat(), "retention_days": days, "deleted": deleted},
        )
