"""Helpers for writing demo rows in bulk with history rows that tell who did it and when."""

from __future__ import annotations

import datetime

from django.utils import timezone


def stamp(obj, user, when):
    """The history row of a bulk-created object shows who did it and when it happened."""
    obj._history_user = user
    obj._history_date = when
    return obj


def noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12, 0)))
