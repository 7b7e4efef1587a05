"""Writing the access log, and the two procedures that delete from the records: the nightly purge
of old log entries and the erasure of a child after the retention period (``cases.erasure``).
``log_reads`` is the one writer, wherever a child's data is shown or sent (pages call it through
``herning.audit.looks.log_look``, the API through ``herning.api.viewsets.AuditedMixin``)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from herning.audit.models import AccessLog, AuditEvent
from herning.core import arrays
from herning.core.logging import mask_cpr
from herning.core.privacy import deletion_permitted

ENTRY_FIELDS = ("user_id", "municipality_id", "child_id", "case_id", "channel", "purpose", "what", "at")


@dataclass(frozen=True, slots=True)
class ChildRef:
    """A child as ``log_reads`` needs it, by its ids: for a reader that read the ids as columns of
    its own query rather than the child's row (``herning.api.viewsets.AuditedMixin``)."""

    pk: int
    municipality_id: int


@dataclass(frozen=True, slots=True)
class CaseRef:
    """A case as ``log_reads`` needs it, by its id."""

    pk: int


def log_reads(*, user, shown: Iterable, channel: str, purpose: str, what: str = "") -> int:
    """The one writer of the access log, for pages, the API, exports and e-mails alike: one entry
    per child shown, in one statement, however many rows the response shows (so a list's queries
    stay constant). ``shown`` holds children, or ``(child, case)`` pairs where the case is known
    (instances, or ``ChildRef`` and ``CaseRef``);
    a child shown twice (two of its cases on one list) is logged once, with the first case met.
    Returns the number of entries written."""
    # By id, as rows of values: a page passes what it read (``cases.selectors.children_of_cases``
    # reads values, not instances), and the entries go in as arrays, one statement, with no
    # instance built for each (a team overview logs some 100 children on every load).
    entries: dict[int, tuple] = {}
    purpose, what = _clean(purpose), _clean(what)
    for item in shown:
        child, case = item if isinstance(item, tuple) else (item, None)
        if child is None or child.pk in entries:
            continue
        entries[child.pk] = (
            user.pk,
            child.municipality_id,
            child.pk,
            case.pk if case is not None else None,
            str(channel),
            purpose,
            what,
        )
    if entries:
        at = timezone.now()  # one moment for the whole response: it was one look
        arrays.insert(AccessLog, ENTRY_FIELDS, [(*entry, at) for entry in entries.values()])
    return len(entries)


def log_child_read(*, user, child, channel: str, purpose: str, case=None, what: str = "") -> None:
    """Record that ``user`` read ``child``'s data through ``channel`` for ``purpose``."""
    log_reads(user=user, shown=[(child, case)], channel=channel, purpose=purpose, what=what)


def log_children_read(*, user, children: Iterable, channel: str, purpose: str, what: str = "") -> None:
    """One entry per child, in one statement (exports and lists of many children)."""
    log_reads(user=user, shown=children, channel=channel, purpose=purpose, what=what)


def record_access_event(*, kind: str, actor, subject, reason: str, details: dict | None = None) -> AuditEvent:
    """Record that ``actor`` changed ``subject``'s access (a password set, a two-factor device
    reset, an API token issued, rotated or revoked): who, whom and when, in the subject's
    municipality, where its system administrator reads it. Call it inside the change's transaction,
    so the event and the change are written together or not at all."""
    return AuditEvent.objects.create(
        kind=kind,
        actor=actor,
        subject=subject,
        municipality_id=subject.municipality_id,
        reason=reason,
        details=details or {},
    )


def record_shared_configuration_change(*, actor, action: str, obj, change) -> AuditEvent:
    """Record that ``actor`` (the national operator) added, changed or deleted ``obj``, a record
    of the configuration every municipality shares. Installation-wide (no municipality), so every
    municipality's system administrator reads it; the values themselves are in the record's
    history. Call it inside the change's transaction (the admin's views are atomic)."""
    return AuditEvent.objects.create(
        kind=AuditEvent.Kind.SHARED_CONFIGURATION_CHANGE,
        actor=actor,
        reason="Fælles opsætning ændret i administrationen.",
        details={
            "action": action,
            "model": obj._meta.label,
            "id": str(obj.pk),
            "object": _clean(obj),
            "change": change,
        },
    )


def record_national_operator(*, user, granted: bool, reason: str) -> AuditEvent:
    """Record that ``user`` was made (or no longer is) the installation's national operator, on the
    server (``manage.py grant_national_operator``): no person of the product did it, so no actor."""
    kind = AuditEvent.Kind.NATIONAL_OPERATOR_GRANT if granted else AuditEvent.Kind.NATIONAL_OPERATOR_REVOKE
    return AuditEvent.objects.create(kind=kind, subject=user, reason=reason)


def _clean(text: str) -> str:
    # The log is shown to citizens and the data-protection staff: no CPR number, ever.
    return mask_cpr(str(text))[:200]


def purge_expired_access_log(*, now: datetime.datetime | None = None) -> AuditEvent:
    """Deletes the entries older than the retention period (settings.HERNING) and records that it
    did, with the cut-off and the count, even when there was nothing to delete. Safe to run twice."""
    now = now or timezone.now()
    days = settings.HERNING["ACCESS_LOG_RETENTION_DAYS"]
    cutoff = now - datetime.timedelta(days=days)
    with transaction.atomic(), access_log_deletable():
        deleted, _ = AccessLog.objects.for_system().filter(at__lt=cutoff).delete()
        return AuditEvent.objects.create(
            at=now,
            kind=AuditEvent.Kind.ACCESS_LOG_PURGE,
            reason=f"Opbevaringsperioden for adgangsloggen er {days} dage (HERNING_ACCESS_LOG_RETENTION_DAYS).",
            details={"cutoff": cutoff.isoformat(), "retention_days": days, "deleted": deleted},
        )


# The session setting the database's trigger asks before it lets entries be deleted
# (herning/audit/migrations/0005_access_log_append_only.py).
DELETION_SETTING = "herning.purge"


@contextmanager
def access_log_deletable() -> Iterator[None]:
    """Inside a transaction, lets access-log entries be deleted: the code's guard
    (``deletion_permitted``) and, on PostgreSQL, the trigger that otherwise refuses every UPDATE
    and DELETE of the log. Only the nightly purge and the erasure of a child use it. The setting
    is local to the transaction and switched off again at the end of the block (after an error,
    the rollback of the surrounding transaction ends it)."""
    if not connection.in_atomic_block:
        raise RuntimeError("access_log_deletable() must be used inside transaction.atomic().")
    with deletion_permitted():
        _set_deletion(True)
        yield
        _set_deletion(False)


def _set_deletion(on: bool) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, true)", [DELETION_SETTING, "on" if on else "off"])
