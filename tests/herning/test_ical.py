"""What the deadline feed and the meeting invitations share (herning.core.ical): a VTIMEZONE that
icalendar and vobject read as the tz database says Danish time is, and names that survive in CN."""

from __future__ import annotations

import datetime

import icalendar

from herning.core import ical
from tests.calendars import read_alike, with_vobject

DK = ical.DANISH_TIME


def _calendar(*events: icalendar.Event) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//test//DA")
    calendar.add("version", "2.0")
    calendar.add_component(ical.vtimezone())
    for event in events:
        calendar.add_component(event)
    return calendar.to_ical()


def _event(n: int, start: datetime.datetime, name: str = "Per Olsen") -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"test-{n}")
    event.add("dtstamp", datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    event.add("dtstart", start)
    attendee = icalendar.vCalAddress("mailto:a@skole.example")
    attendee.params["cn"] = icalendar.vText(ical.common_name(name))
    event.add("attendee", attendee)
    return event


def _last_sunday(year: int, month: int) -> datetime.date:
    day = datetime.date(year, month, 31)
    return day - datetime.timedelta(days=(day.weekday() + 1) % 7)


def test_the_vtimezone_is_danish_time_up_to_2037_in_both_parsers():
    # Twice a month, and around each change: the last minute before, the first after.
    starts = [
        datetime.datetime(year, month, day, 12, tzinfo=DK)
        for year in range(2000, 2038)
        for month in range(1, 13)
        for day in (1, 15)
    ]
    for year in range(2000, 2038):
        spring, autumn = _last_sunday(year, 3), _last_sunday(year, 10)
        starts += [datetime.datetime.combine(spring, datetime.time(h, m), DK) for h, m in ((1, 59), (3, 0))]
        starts += [datetime.datetime.combine(autumn, datetime.time(h, m), DK) for h, m in ((1, 59), (3, 0))]
    events = read_alike(_calendar(*(_event(n, start) for n, start in enumerate(starts))))
    for event, start in zip(events, starts, strict=True):
        assert event.start == start and event.start.utcoffset() == start.utcoffset(), start


def test_the_vtimezone_is_what_vobject_reads_not_the_tzid():
    """vobject builds the zone from the VTIMEZONE alone; icalendar's own one (every transition as
    an RDATE) read as winter time in summer, which is why herning.core.ical writes the rules."""
    (event,) = with_vobject(_calendar(_event(1, datetime.datetime(2026, 6, 1, 13, tzinfo=DK))))
    assert event.start.utcoffset() == datetime.timedelta(hours=2)


def test_a_name_with_quotes_commas_semicolons_and_danish_letters_survives_in_cn():
    name = 'Anne "Bedste" Sørensen, skolen; 7.b'
    data = _calendar(_event(1, datetime.datetime(2026, 3, 30, 9, tzinfo=DK), name))
    assert b"^'" not in data, "RFC 6868's escape, which most clients show as it stands"
    (event,) = read_alike(data)
    assert event.attendee_names == ("Anne “Bedste” Sørensen, skolen; 7.b",)


def test_common_name_keeps_what_a_parameter_can_hold():
    assert ical.common_name("Per: Olsen's") == "Per: Olsen's"
    assert ical.common_name('"Mor"') == "“Mor”"
    assert ical.common_name('Et " alene') == "Et “ alene"
    assert ical.common_name("Anne\nSørensen\t^x") == "Anne Sørensen x"
    for name in ("Per: Olsen's", "Anne\nSørensen", "a^b"):
        (event,) = read_alike(_calendar(_event(1, datetime.datetime(2026, 3, 30, 9, tzinfo=DK), name)))
        assert event.attendee_names == (ical.common_name(name),)
