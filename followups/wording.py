"""What a reminder says about its deadline, counted when it is read (docs/deadlines.md, "Reminders").

A reminder is written when a stage is reached (7 days before, the day before, the day itself,
overdue), but it is read later: an e-mail waits in the outbox or is retried, a deadline created
four days before it falls due reaches the 7-day stage at once, the in-app list is opened days
after. So the words never come from the stage: the days left (or overdue) are counted from the
deadline's own date to the moment the text is made, in Danish local time. One place for the
e-mail's subject and lead and for the in-app list.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from followups.models import Deadline, ReminderKind

OVERDUE, TODAY, COMING = "overdue", "today", "coming"


def standing(deadline: Deadline, now: datetime.datetime | None = None) -> tuple[str, int]:
    """Where ``deadline`` stands at ``now``: (``OVERDUE``, whole days since its date), (``TODAY``, 0)
    or (``COMING``, whole days left). Overdue begins at ``due_at`` (the next midnight for a date,
    the exact hour for the 24-hour assessment)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if now >= deadline.due_at:
        return OVERDUE, max((today - deadline.due_on).days, 0)
    left = (deadline.due_on - today).days
    return (TODAY, 0) if left <= 0 else (COMING, left)


def when(deadline: Deadline, now: datetime.datetime | None = None) -> str:
    """ "om 4 dage", "i morgen", "i dag", "overskredet for 2 dage siden" …"""
    state, days = standing(deadline, now)
    if state == OVERDUE:
        if days == 0:
            return _("overskredet")
        return ngettext("overskredet for %(days)d dag siden", "overskredet for %(days)d dage siden", days) % {
            "days": days
        }
    if state == TODAY:
        return _("i dag")
    if days == 1:
        return _("i morgen")
    return ngettext("om %(days)d dag", "om %(days)d dage", days) % {"days": days}


def headline(reminder, now: datetime.datetime | None = None) -> str:
    """The reminder's headline: "Frist om 4 dage", "Frist overskredet for 2 dage siden", or, to the
    team leader, "Overskredet frist i dit team"."""
    if reminder.kind == ReminderKind.ESCALATION:
        return _("Overskredet frist i dit team")
    return _("Frist %(when)s") % {"when": when(reminder.deadline, now)}


def lead(reminder, now: datetime.datetime | None = None) -> str:
    """The e-mail's first sentence: "Du har en frist om 4 dage: opfølgning." …"""
    deadline = reminder.deadline
    values = {"when": when(deadline, now), "kind": deadline.get_kind_display().lower()}
    if reminder.kind == ReminderKind.ESCALATION:
        return _("En frist i dit team er %(when)s: %(kind)s.") % values
    if standing(deadline, now)[0] == OVERDUE:
        return _("Din frist er %(when)s: %(kind)s.") % values
    return _("Du har en frist %(when)s: %(kind)s.") % values
