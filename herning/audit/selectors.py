"""Reads of the access log. Everything starts from ``AccessLog.objects.visible_to(user)``."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from herning.audit.models import AccessLog


def access_log_search(
    *,
    user,
    cpr: str = "",
    staff=None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    channel: str = "",
) -> QuerySet[AccessLog]:
    """Entries matching every criterion given, newest first."""
    entries = AccessLog.objects.visible_to(user).select_related("user", "child", "case")
    if cpr:
        entries = entries.filter(child__cpr=cpr)
    if staff is not None:
        entries = entries.filter(user=staff)
    if start:
        entries = entries.filter(at__date__gte=start)
    if end:
        entries = entries.filter(at__date__lte=end)
    if channel:
        entries = entries.filter(channel=channel)
    return entries.order_by("-at", "-pk")


def citizen_entries(
    *, user, cpr: str, start: datetime.date | None = None, end: datetime.date | None = None
) -> list[AccessLog]:
    """The looks at one citizen's data, oldest first, for a request of insight."""
    return list(access_log_search(user=user, cpr=cpr, start=start, end=end).order_by("at", "pk"))
