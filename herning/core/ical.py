"""What every calendar the application writes has in common (RFC 5545): its times are Danish time,
carried with a VTIMEZONE that every client reads alike, its UIDs name the installation, and a
person's name in a CN parameter comes out in Outlook, Google, Apple and the Python parsers as it
went in.

The deadline feed (followups.calendar) and the network-meeting invitations
(network_meetings.documents) both build on this.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from urllib.parse import urlparse

from django.conf import settings
from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

TZID = "Europe/Copenhagen"
DANISH_TIME = zoneinfo.ZoneInfo(TZID)


def local(moment: datetime.datetime) -> datetime.datetime:
    """``moment`` in Danish time, whatever the server's TIME_ZONE: the VTIMEZONE below is Denmark's."""
    return moment.astimezone(DANISH_TIME)


def vtimezone() -> Timezone:
    """Denmark's time zone as the two yearly rules (the EU's since 1996: summer time from the last
    Sunday of March at 02:00, standard time from the last Sunday of October at 03:00).

    Not ``icalendar``'s ``add_missing_timezones()``: that writes every transition since 1970 as an
    RDATE list, which vobject (and with it dateutil-based clients) reads as standard time all year,
    so a meeting in summer moved an hour. The rules are what Outlook and Google write themselves;
    tests/herning/test_ical.py checks them against the tz database up to 2037, so a
    change of the Danish rules fails a test rather than a meeting.
    """
    zone = Timezone()
    zone.add("tzid", TZID)
    summer = TimezoneDaylight()
    summer.add("dtstart", datetime.datetime(1970, 3, 29, 2, 0))
    summer.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1su"})
    summer.add("tzoffsetfrom", datetime.timedelta(hours=1))
    summer.add("tzoffsetto", datetime.timedelta(hours=2))
    summer.add("tzname", "CEST")
    winter = TimezoneStandard()
    winter.add("dtstart", datetime.datetime(1970, 10, 25, 3, 0))
    winter.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1su"})
    winter.add("tzoffsetfrom", datetime.timedelta(hours=2))
    winter.add("tzoffsetto", datetime.timedelta(hours=1))
    winter.add("tzname", "CET")
    zone.add_component(summer)
    zone.add_component(winter)
    return zone


def uid(local_part: str) -> str:
    """A UID unique across installations: ``local_part`` must be stable for the thing it names."""
    host = urlparse(settings.BASE_URL).hostname or "herning.invalid"
    return f"{local_part}@{host}"


_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def common_name(name: str) -> str:
    """``name`` as it can stand in a CN parameter.

    RFC 5545 wraps a parameter value with a comma, semicolon or colon in double quotes (``icalendar``
    does that), so a double quote inside the name cannot be written. ``icalendar`` then escapes it
    by RFC 6868 (``^'``), which Outlook, vobject and most clients show literally. So the quotes
    become typographic ones (Anne "Bedste" → Anne “Bedste”), a caret (RFC 6868's escape character)
    is dropped, and line breaks and other control characters, which no parameter may hold, become
    spaces.
    """
    name = _CONTROL.sub(" ", name).replace("^", "")
    parts = name.split('"')
    quoted = "".join(part + ("“" if i % 2 == 0 else "”") for i, part in enumerate(parts[:-1]))
    return " ".join((quoted + parts[-1]).split())
