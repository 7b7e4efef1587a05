"""When reminders fall due, in Danish local time.

A deadline has a due date (``due_on``) and the moment it is overdue (``due_at``: the start of the
next day for a date, the exact time for the 24-hour assessment). Its reminder stages are ``before_n``
at midnight n days before (``HERNING_REMINDER_DAYS_BEFORE``, default 7 and 1), ``due`` at midnight
of the day itself and ``overdue`` at ``due_at``. Midnights are computed in Europe/Copenhagen, so a
change to or from daylight saving time never moves a reminder to another day.
"""

from __future__ import annotations

import datetime

from django.conf import settings

from followups.models import ReminderKind
from herning.core.dates import end_of, local_midnight  # noqa: F401 - end_of: the timing of every deadline


def days_before() -> tuple[int, ...]:
    return tuple(sorted(set(settings.HERNING["REMINDER_DAYS_BEFORE"]), reverse=True))


def stages(due_on: datetime.date, due_at: datetime.datetime, offsets: tuple[int, ...] | None = None) -> list:
    """The reminder stages of a deadline as (kind, moment), in time order."""
    offsets = days_before() if offsets is None else offsets
    result = [
        (ReminderKind.before(n), local_midnight(due_on - datetime.timedelta(days=n)))
        for n in offsets
        if n > 0
    ]
    result.append((ReminderKind.DUE, local_midnight(due_on)))
    result.append((ReminderKind.OVERDUE, due_at))
    return sorted(result, key=lambda s: s[1])


def current_and_next(due_on, due_at, now, offsets=None):
    """The stage reached at ``now`` (or None) and the moment of the next one (or None)."""
    current, upcoming = None, None
    for kind, moment in stages(due_on, due_at, offsets):
        if moment <= now:
            current = (kind, moment)
        elif upcoming is None:
            upcoming = moment
    return current, upcoming


def first_check(due_on, due_at, now, offsets=None) -> datetime.datetime | None:
    """When the sweep must first look at a new or changed deadline: at once if a stage is reached,
    else when the first one is."""
    current, upcoming = current_and_next(due_on, due_at, now, offsets)
    return current[1] if current else upcoming
