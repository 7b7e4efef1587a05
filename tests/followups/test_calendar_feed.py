"""The deadline feed reads alike in every client (issue 18, point 10): the time zone travels as a
VTIMEZONE, a deadline on a date is a whole day, and a deadline keeps its UID when its date moves,
with a newer LAST-MODIFIED, so a calendar moves the entry instead of showing two."""

from __future__ import annotations

import datetime
from urllib.parse import urlparse

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from cases import obligations
from cases.models import Notification
from followups import services
from followups.models import DeadlineKind
from herning.core.ical import DANISH_TIME
from tests.calendars import read_alike
from tests.factories import ChildFactory
from tests.followups.factories import hold, start_measure

D = datetime.date
pytestmark = pytest.mark.django_db


def _feed(client, user) -> bytes:
    token = services.calendar_token_create(user=user)
    response = client.get(reverse("followups:calendar_feed", kwargs={"token": token}))
    assert response.status_code == 200
    return response.content


def _notification(org) -> Notification:
    """A notification received now: its 24-hour assessment falls due at a time of day."""
    received = timezone.now()
    notification = Notification.objects.create(
        municipality=org.municipality,
        child=ChildFactory(municipality=org.municipality, district=org.district_a),
        district=org.district_a,
        received_at=received,
        notifier_kind=Notification.NotifierKind.PROFESSIONAL,
        concern="Bekymring fra skolen",
        registered_by=org.case_admin,
        duty_advisor=org.duty_advisor,
        assessment_due_at=received + datetime.timedelta(hours=24),
        receipt_due_on=timezone.localdate() + datetime.timedelta(days=7),
    )
    obligations.changed("notification", [notification.pk])
    return notification


def _assessment(events):
    """The 24-hour assessment: the feed's one deadline at a time of day."""
    (event,) = [e for e in events if isinstance(e.start, datetime.datetime)]
    return event


def _followup(calendar: Calendar):
    """The municipality's next follow-up of the measure (not the law's: "Lovpligtig opfølgning")."""
    (event,) = [e for e in calendar.walk("VEVENT") if str(e["summary"]).startswith("Opfølgning")]
    return event


@pytest.mark.parametrize(
    ("received", "due_local", "offset"),
    [
        # Received the day before summer time begins (29 March 2026): 24 hours on is 11.00 summer time.
        ("2026-03-28 10:00 +01:00", datetime.datetime(2026, 3, 29, 11, 0), 2),
        # Received the day before standard time returns (25 October 2026): 24 hours on is 9.00.
        ("2026-10-24 10:00 +02:00", datetime.datetime(2026, 10, 25, 9, 0), 1),
    ],
)
def test_a_deadline_at_a_time_reads_alike_in_icalendar_and_vobject_across_the_change(
    client, org, received, due_local, offset
):
    with time_machine.travel(received, tick=False):
        notification = _notification(org)
        data = _feed(client, org.duty_advisor)
    assert b"DTSTART;TZID=Europe/Copenhagen:" in data
    (zone,) = Calendar.from_ical(data).walk("VTIMEZONE")
    assert str(zone["tzid"]) == "Europe/Copenhagen"
    event = _assessment(read_alike(data))
    assert event.end == notification.assessment_due_at
    assert event.end.replace(tzinfo=None) == due_local
    assert event.end.utcoffset() == datetime.timedelta(hours=offset)
    assert event.start == event.end - datetime.timedelta(minutes=30)
    assert event.end.tzinfo.utcoffset(event.end) == DANISH_TIME.utcoffset(due_local)


@time_machine.travel("2026-01-06 09:00 +01:00", tick=False)
def test_a_deadline_on_a_date_is_a_whole_day_in_both_parsers(client, org):
    measure = start_measure(org, "institution", D(2026, 1, 5))
    data = _feed(client, org.advisor)
    assert b"DTSTART;VALUE=DATE:20260119" in data
    events = read_alike(data)
    host = urlparse(settings.BASE_URL).hostname
    assert {e.uid for e in events} >= {
        f"frist-{kind}-{measure.pk}@{host}" for kind in (DeadlineKind.FOLLOWUP, DeadlineKind.SUPERVISION)
    }
    (event,) = [e for e in events if e.start == D(2026, 1, 19)]
    assert event.end == D(2026, 1, 20)


def test_a_deadline_keeps_its_uid_when_its_date_moves(client, org):
    with time_machine.travel("2026-01-06 09:00 +01:00", tick=False):
        measure = start_measure(org, "institution", D(2026, 1, 5))
        before = Calendar.from_ical(_feed(client, org.advisor))
    with time_machine.travel("2026-01-20 09:00 +01:00", tick=False):
        hold(measure, D(2026, 1, 20), by=org.advisor)  # the next follow-up moves to 3 March
        after = Calendar.from_ical(_feed(client, org.advisor))

    old, new = _followup(before), _followup(after)
    assert (old.decoded("dtstart"), new.decoded("dtstart")) == (D(2026, 1, 19), D(2026, 3, 3))
    assert str(old["uid"]) == str(new["uid"])
    assert new.decoded("last-modified") > old.decoded("last-modified")
    assert new.decoded("dtstamp") > old.decoded("dtstamp")
    # Unchanged deadlines say so: their stamp is when they last changed, not when the feed was read.
    (supervision,) = [e for e in after.walk("VEVENT") if str(e["summary"]).startswith("Tilsynsbesøg")]
    assert supervision.decoded("dtstamp") < datetime.datetime(2026, 1, 7, tzinfo=datetime.UTC)
