"""Writing the access log. Call ``log_child_read`` wherever a child's data is shown or sent."""

from __future__ import annotations

from collections.abc import Iterable

from herning.audit.models import AccessLog


def log_child_read(*, user, child, channel: str, purpose: str, case=None, what: str = "") -> None:
    """Record that ``user`` read ``child``'s data through ``channel`` for ``purpose``."""
    AccessLog.objects.create(
        user=user,
        municipality_id=child.municipality_id,
        child=child,
        case=case,
        channel=channel,
        purpose=purpose[:200],
        what=what[:200],
    )


def log_children_read(*, user, children: Iterable, channel: str, purpose: str, what: str = "") -> None:
    """One entry per child, in one statement (exports and lists of many children)."""
    AccessLog.objects.bulk_create(
        AccessLog(
            user=user,
            municipality_id=child.municipality_id,
            child=child,
            channel=channel,
            purpose=purpose[:200],
            what=what[:200],
        )
        for child in children
    )
