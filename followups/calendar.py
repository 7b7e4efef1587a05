"""An advisor's deadlines as an iCalendar feed (RFC 5545), for Outlook and other calendars.

The feed says what kind of deadline falls due when and for which case number, with a link; it
names no child and carries no CPR number, since a subscribed calendar leaves the municipality's
systems.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from followups.models import Deadline, DeadlineKind
from followups.selectors import deadline_url


def feed(deadlines: list[Deadline], *, now: datetime.datetime | None = None) -> bytes:
    now = now or timezone.now()
    with translation.override(settings.LANGUAGE_CODE):
        cal = Calendar()
        cal.add("prodid", "-//Herning//Frister//DA")
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        cal.add("x-wr-calname", _("Frister i Herning"))
        cal.add("x-wr-timezone", settings.TIME_ZONE)
        for deadline in deadlines:
            event = Event()
            event.add("uid", f"frist-{deadline.pk}-{deadline.due_on:%Y%m%d}@herning")
            event.add("dtstamp", now)
            summary = deadline.get_kind_display()
            if deadline.case_id:
                summary += " – " + _("sag %(case)s") % {"case": deadline.case_id}
            event.add("summary", summary)
            if deadline.kind == DeadlineKind.ASSESSMENT:
                # The 24-hour assessment falls due at a time of day, not on a date.
                event.add("dtstart", timezone.localtime(deadline.due_at) - datetime.timedelta(minutes=30))
                event.add("dtend", timezone.localtime(deadline.due_at))
            else:
                event.add("dtstart", deadline.due_on)
                event.add("dtend", deadline.due_on + datetime.timedelta(days=1))
            url = settings.BASE_URL + deadline_url(deadline)
            event.add("url", url)
            event.add("description", _("Se fristen i Herning: %(url)s") % {"url": url})
            event.add("transp", "TRANSPARENT")
            cal.add_component(event)
    return cal.to_ical()
