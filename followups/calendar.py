"""An advisor's deadlines as an iCalendar feed (RFC 5545), for Outlook and other calendars.

The feed says what kind of deadline falls due when and for which case number, with a link; it
names no child and carries no CPR number, since a subscribed calendar leaves the municipality's
systems.

A deadline keeps its UID for as long as it exists, whatever its date (the UID is made of its kind
and the record it comes from, the same pair that makes it unique in the table), so a calendar moves
the entry when the date moves instead of showing the old and the new date side by side. Its
DTSTAMP and LAST-MODIFIED are the time the deadline last changed, so a client sees which entries
are new. There is no SEQUENCE: that number belongs to scheduling (invitations), and a subscribed
feed is read whole at every refresh.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from followups.models import Deadline, DeadlineKind
from followups.selectors import deadline_url
from herning.core import ical


def deadline_uid(deadline: Deadline) -> str:
    return ical.uid(f"frist-{deadline.kind}-{deadline.source_id}")


def feed(deadlines: list[Deadline]) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        cal = Calendar()
        cal.add("prodid", "-//Herning//Frister//DA")
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        cal.add("x-wr-calname", _("Frister i Herning"))
        cal.add("x-wr-timezone", ical.TZID)
        cal.add_component(ical.vtimezone())
        for deadline in deadlines:
            event = Event()
            event.add("uid", deadline_uid(deadline))
            event.add("dtstamp", deadline.updated_at)
            event.add("last-modified", deadline.updated_at)
            summary = deadline.get_kind_display()
            if deadline.case_id:
                summary += " – " + _("sag %(case)s") % {"case": deadline.case_id}
            event.add("summary", summary)
            if deadline.kind == DeadlineKind.ASSESSMENT:
                # The 24-hour assessment falls due at a time of day, not on a date.
                due_at = ical.local(deadline.due_at)
                event.add("dtstart", due_at - datetime.timedelta(minutes=30))
                event.add("dtend", due_at)
            else:
                event.add("dtstart", deadline.due_on)
                event.add("dtend", deadline.due_on + datetime.timedelta(days=1))
            url = settings.BASE_URL + deadline_url(deadline)
            event.add("url", url)
            event.add("description", _("Se fristen i Herning: %(url)s") % {"url": url})
            event.add("transp", "TRANSPARENT")
            cal.add_component(event)
    return cal.to_ical()
