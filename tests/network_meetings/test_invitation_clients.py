"""The calendar invitation reads alike in every client (issue 18, point 10): the meeting's time in
icalendar and vobject across a change of summer time, names with quotes, commas and semicolons in
CN, and a cancellation with the invitation's UID and a higher SEQUENCE."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from icalendar import Calendar

from network_meetings import services, tasks
from network_meetings.models import Dispatch
from tests.calendars import read_alike
from tests.network_meetings.factories import add, at, case_for, plan

pytestmark = pytest.mark.django_db

NAME = 'Anne "Bedste" Sørensen, skolen; 7.b'
SHOWN = "Anne “Bedste” Sørensen, skolen; 7.b"


def _deliver(kind: str) -> None:
    ids = list(Dispatch.objects.filter(sent_at__isnull=True, kind=kind).values_list("pk", flat=True))
    tasks.deliver_dispatches.apply(args=[ids]).get()


def _ics_to(address: str) -> bytes:
    message = next(m for m in mail.outbox if m.to == [address])
    (_filename, content, _mimetype) = message.attachments[0]
    return content.encode() if isinstance(content, str) else content


@pytest.mark.parametrize(
    ("today", "day", "offset"),
    [
        ("2026-03-20 09:00 +01:00", datetime.date(2026, 3, 30), 2),  # the day after summer time begins
        ("2026-10-16 09:00 +02:00", datetime.date(2026, 10, 26), 1),  # the day after it ends
    ],
)
def test_the_invitation_reads_alike_in_icalendar_and_vobject_across_the_change(org, today, day, offset):
    with time_machine.travel(today, tick=False):
        case = case_for(org)
        meeting = plan(case.child, planned_by=org.advisor, starts_at=at(day, 13), ends_at=at(day, 14, 30))
        add(meeting, name="Anne Sørensen", email="anne@skole.example")
        services.invitation_send(meeting=meeting, by=org.advisor)
        _deliver(Dispatch.Kind.INVITATION)
    data = _ics_to("anne@skole.example")
    (zone,) = Calendar.from_ical(data).walk("VTIMEZONE")
    assert str(zone["tzid"]) == "Europe/Copenhagen"
    (event,) = read_alike(data)
    assert event.start == meeting.starts_at and event.end == meeting.ends_at
    assert event.start.replace(tzinfo=None) == datetime.datetime.combine(day, datetime.time(13))
    assert event.start.utcoffset() == datetime.timedelta(hours=offset)
    assert event.attendee_names == ("Anne Sørensen",)


@time_machine.travel("2026-03-20 09:00 +01:00", tick=False)
def test_names_with_quotes_commas_and_semicolons_read_alike_in_cn(org):
    case = case_for(org)
    meeting = plan(case.child, planned_by=org.advisor, contact_name='Per "Skolen" Olsen; Sunds')
    add(meeting, name=NAME, email="anne@skole.example")
    services.invitation_send(meeting=meeting, by=org.advisor)
    _deliver(Dispatch.Kind.INVITATION)
    data = _ics_to("anne@skole.example")
    assert b"^'" not in data, "RFC 6868's escape, which Outlook and vobject show as it stands"
    (event,) = read_alike(data)
    assert event.attendee_names == (SHOWN,)
    assert event.organizer_name == "Per “Skolen” Olsen; Sunds"


@time_machine.travel("2026-03-20 09:00 +01:00", tick=False)
def test_a_cancellation_keeps_the_uid_with_a_higher_sequence_in_both_parsers(org):
    case = case_for(org)
    meeting = plan(
        case.child,
        planned_by=org.advisor,
        starts_at=at(datetime.date(2026, 3, 30), 13),
        ends_at=at(datetime.date(2026, 3, 30), 14),
    )
    add(meeting, name=NAME, email="anne@skole.example")
    services.invitation_send(meeting=meeting, by=org.advisor)
    _deliver(Dispatch.Kind.INVITATION)
    (invited,) = read_alike(_ics_to("anne@skole.example"))
    mail.outbox.clear()
    services.meeting_cancel(meeting=meeting, by=org.advisor, note="Familien er flyttet")
    _deliver(Dispatch.Kind.CANCELLATION)
    data = _ics_to("anne@skole.example")
    assert Calendar.from_ical(data)["method"] == "CANCEL"
    (cancelled,) = read_alike(data)
    assert cancelled.uid == invited.uid
    assert cancelled.sequence > invited.sequence
    assert cancelled.start == invited.start
    assert cancelled.attendee_names == (SHOWN,)
