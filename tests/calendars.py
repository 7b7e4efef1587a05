"""Reading the application's .ics files as two different clients would: with ``icalendar`` (which
knows the time zone by its TZID) and with ``vobject`` (which reads the VTIMEZONE that came with the
file, as Outlook, Apple and dateutil-based clients do). A calendar is right when both agree."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import icalendar
import vobject


@dataclass(frozen=True)
class Read:
    """One VEVENT as one parser understood it."""

    uid: str
    sequence: int | None
    start: datetime.datetime | datetime.date
    end: datetime.datetime | datetime.date | None
    attendee_names: tuple[str, ...]
    organizer_name: str | None


def with_icalendar(data: bytes) -> list[Read]:
    calendar = icalendar.Calendar.from_ical(data)
    events = []
    for event in calendar.walk("VEVENT"):
        attendees = event.get("attendee", [])
        if not isinstance(attendees, list):
            attendees = [attendees]
        organizer = event.get("organizer")
        events.append(
            Read(
                uid=str(event["uid"]),
                sequence=int(event["sequence"]) if "sequence" in event else None,
                start=event.decoded("dtstart"),
                end=event.decoded("dtend") if "dtend" in event else None,
                attendee_names=tuple(str(a.params["cn"]) for a in attendees),
                organizer_name=str(organizer.params["cn"]) if organizer is not None else None,
            )
        )
    return events


def with_vobject(data: bytes) -> list[Read]:
    calendar = vobject.readOne(data.decode())
    events = []
    for event in calendar.contents.get("vevent", []):
        organizer = event.contents.get("organizer")
        events.append(
            Read(
                uid=event.uid.value,
                sequence=int(event.sequence.value) if "sequence" in event.contents else None,
                start=event.dtstart.value,
                end=event.dtend.value if "dtend" in event.contents else None,
                attendee_names=tuple(a.params["CN"][0] for a in event.contents.get("attendee", [])),
                organizer_name=organizer[0].params["CN"][0] if organizer else None,
            )
        )
    return events


def read_alike(data: bytes) -> list[Read]:
    """The events of ``data``, after checking that both parsers read the same: the same instants
    at the same UTC offsets (a wrong VTIMEZONE shows as the same wall-clock time an hour off)."""
    first, second = with_icalendar(data), with_vobject(data)
    assert [_comparable(e) for e in first] == [_comparable(e) for e in second]
    return first


def _comparable(read: Read) -> Read:
    def moment(value):
        if isinstance(value, datetime.datetime):
            assert value.tzinfo is not None, "a time without a time zone"
            return (value.replace(tzinfo=None), value.utcoffset())
        return value

    return Read(
        read.uid,
        read.sequence,
        moment(read.start),
        moment(read.end),
        read.attendee_names,
        read.organizer_name,
    )
