"""Erasure of a child's record after the retention period: the one way a child's data is deleted.

An administrator procedure (``python manage.py erase_child``), never a page or the API. It
requires a reason and a system administrator's name, refuses while any case is open or the last
activity is younger than the retention period (``HERNING_CASE_RETENTION_YEARS``), deletes every
row of every content model that leads to the child (cases, notifications, measures, plans,
journal, the access log and the history tables, whatever app they are in: ``herning.core.privacy``),
and writes an ``AuditEvent`` that holds ids and counts, no personal data.
"""

from __future__ import annotations

import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from cases import obligations
from cases.models import Case, Child, Notification
from herning.api import feed
from herning.api.models import ApiToken
from herning.audit.models import AuditEvent
from herning.audit.services import access_log_deletable
from herning.core.privacy import content_models
from herning.organisation.models import Role, User

MIN_REASON_LENGTH = 20


class ErasureRefused(Exception):
    pass


def erasable_from(child) -> datetime.date | None:
    """The first day ``child`` may be erased, or None while a case is open."""
    cases = Case.objects.for_system().filter(child=child)
    if cases.open().exists():
        return None
    last = [timezone.localtime(child.created_at).date()]
    last.append(cases.aggregate(last=Max("closed_on"))["last"])
    received = (
        Notification.objects.for_system().filter(child=child).aggregate(last=Max("received_at"))["last"]
    )
    if received:
        last.append(timezone.localtime(received).date())
    return max(d for d in last if d) + relativedelta(years=settings.HERNING["CASE_RETENTION_YEARS"])


def rows_to_erase(child) -> dict[type, set]:
    """Every row of every content model that leads to ``child``, by model."""
    targets: dict[type, set] = {type(child): {child.pk}}
    changed = True
    while changed:
        changed = False
        for model in content_models():
            condition = Q(pk__in=[])
            for field in model._meta.concrete_fields:
                if field.is_relation and field.related_model in targets:
                    condition |= Q(**{f"{field.attname}__in": targets[field.related_model]})
            recorded = _recorded_by(model)
            if recorded in targets:
                condition |= Q(**{f"{recorded._meta.pk.attname}__in": targets[recorded]})
            found = set(model._base_manager.filter(condition).values_list("pk", flat=True))
            new = found - targets.get(model, set())
            if new:
                targets.setdefault(model, set()).update(new)
                changed = True
    return targets


def _recorded_by(model):
    """The model a simple-history table records, if ``model`` is one."""
    return getattr(model, "instance_type", None) if hasattr(model, "history_id") else None


def _deletion_order(targets: dict[type, set]) -> list[type]:
    """Models that point at others first, so no PROTECT reference is left dangling."""
    remaining = set(targets)
    order = []
    while remaining:
        free = [
            model
            for model in remaining
            if not any(
                other is not model
                and any(
                    f.is_relation
                    and f.related_model is model
                    and f.remote_field.on_delete.__name__ != "DO_NOTHING"
                    for f in other._meta.concrete_fields
                )
                for other in remaining
            )
        ]
        if not free:
            raise ErasureRefused("The content models reference each other in a cycle; erase by hand.")
        order.extend(sorted(free, key=lambda m: m._meta.label))
        remaining -= set(free)
    return order


def feed_readers(child) -> list[int]:
    """The users who read the change feed (those holding a usable API token, a few service users)
    and could read ``child`` before its erasure: only they are told of its deletions
    (``herning.api.feed.deletions_readable_by``), nobody else learns that it existed."""
    users = User.objects.filter(
        pk__in=ApiToken.objects.usable().values("user_id"), municipality_id=child.municipality_id
    )
    return [user.pk for user in users if Child.objects.visible_to(user).filter(pk=child.pk).exists()]


def erase_child(*, child, reason: str, by, today: datetime.date | None = None) -> AuditEvent:
    """Deletes ``child`` and everything that leads to it; see the module docstring."""
    today = today or timezone.localdate()
    if len(reason.strip()) < MIN_REASON_LENGTH:
        raise ErasureRefused(f"Give a reason of at least {MIN_REASON_LENGTH} characters.")
    if not (by.is_active and by.has_role(Role.SYSTEM_ADMINISTRATOR)):
        raise ErasureRefused(f"{by.username} is not an active system administrator.")
    if by.municipality_id not in (None, child.municipality_id):
        raise ErasureRefused(f"{by.username} belongs to another municipality.")
    allowed = erasable_from(child)
    if allowed is None:
        raise ErasureRefused(f"Child {child.pk} has an open case.")
    if today < allowed:
        raise ErasureRefused(f"Child {child.pk} may be erased from {allowed:%Y-%m-%d} (retention period).")
    child_id = child.pk
    readers = feed_readers(child)
    with transaction.atomic(), access_log_deletable(), feed.deletions_readable_by(readers):
        targets = rows_to_erase(child)
        counts = {}
        records = {model: pks for model, pks in targets.items() if _recorded_by(model) is None}
        for model in _deletion_order(records):
            model._base_manager.filter(pk__in=records[model]).delete()
            counts[model._meta.label] = len(records[model])
            # A deadline that came from a deleted record closes (the key is the model's name).
            obligations.changed(model._meta.model_name, records[model])
        # History last: deleting a recorded row above wrote one more history row ("-") for it.
        for model in targets.keys() - records.keys():
            recorded = _recorded_by(model)
            ids = targets.get(recorded, set())
            deleted, _ = model._base_manager.filter(
                Q(pk__in=targets[model]) | Q(**{f"{recorded._meta.pk.attname}__in": ids})
            ).delete()
            counts[model._meta.label] = deleted
        return AuditEvent.objects.create(
            kind=AuditEvent.Kind.ERASURE,
            actor=by,
            municipality_id=by.municipality_id,
            reason=reason.strip(),
            details={
                "child_id": child_id,
                "erasable_from": allowed.isoformat(),
                "retention_years": settings.HERNING["CASE_RETENTION_YEARS"],
                "deleted": counts,
            },
        )
