"""Fixed meeting slots per team and week: offered, booked by staff, released when nobody booked
them within a week (a periodic task, safe to run twice)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from herning.celery import app, beat_schedule
from network_meetings import services, tasks
from network_meetings.models import MeetingSlot
from tests.network_meetings.factories import at, case_for, plan

pytestmark = pytest.mark.django_db

MONDAY_MORNING = "2026-03-02 08:00 +01:00"
TUESDAY = datetime.date(2026, 3, 3)


def _offer(org, *, day=TUESDAY, hour=13, weeks=1, team=None):
    return services.slots_offer(
        team=team or org.team_a,
        by=org.team_leader,
        first_start=at(day, hour),
        duration=datetime.timedelta(minutes=90),
        place="Rådhuset, lokale 3",
        weeks=weeks,
    )


@time_machine.travel(MONDAY_MORNING, tick=False)
def test_an_unbooked_slot_is_released_a_week_after_it_was_offered_and_twice_changes_nothing(org):
    (slot,) = _offer(org, day=TUESDAY + datetime.timedelta(weeks=3))
    (booked,) = _offer(org, day=TUESDAY + datetime.timedelta(weeks=3), hour=9)
    services.slot_book(slot=booked, meeting=plan(case_for(org).child, planned_by=org.advisor), by=org.advisor)
    now = timezone.now()
    assert services.release_unbooked_slots(now=now + datetime.timedelta(days=6, hours=23)) == 0
    assert services.release_unbooked_slots(now=now + datetime.timedelta(days=7)) == 1
    assert services.release_unbooked_slots(now=now + datetime.timedelta(days=7, hours=1)) == 0
    slot.refresh_from_db()
    booked.refresh_from_db()
    assert slot.status == MeetingSlot.Status.RELEASED
    assert slot.released_at == now + datetime.timedelta(days=7)
    assert booked.status == MeetingSlot.Status.BOOKED
    assert slot.history.first().status == MeetingSlot.Status.RELEASED  # the release is in the history


@time_machine.travel(MONDAY_MORNING, tick=False)
def test_the_periodic_task_releases_the_slots(org):
    _offer(org, weeks=2)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=8), tick=False):
        assert tasks.release_unbooked_slots.apply().get() == 2
        assert tasks.release_unbooked_slots.apply().get() == 0


def test_the_release_runs_on_the_beat_schedule():
    entry = beat_schedule()["network-meeting-slot-release"]
    assert entry["task"] == "network_meetings.tasks.release_unbooked_slots"
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
    assert beat_schedule()["network-meeting-pending-emails"]["task"] in app.tasks


@time_machine.travel(MONDAY_MORNING, tick=False)
def test_booking_gives_the_meeting_the_slots_time_and_a_slot_is_booked_once(org):
    (slot,) = _offer(org)
    child = case_for(org).child
    meeting = plan(child, planned_by=org.advisor, slot=slot, starts_at=None, ends_at=None, place="")
    slot.refresh_from_db()
    assert (meeting.starts_at, meeting.ends_at, meeting.place) == (slot.starts_at, slot.ends_at, slot.place)
    assert (
        slot.status == MeetingSlot.Status.BOOKED and slot.meeting == meeting and slot.booked_by == org.advisor
    )
    other = case_for(org, first_name="Ib", last_name="Dam").child
    with pytest.raises(ValidationError, match="ikke længere ledig"):
        plan(other, planned_by=org.colleague, slot=slot, starts_at=None, ends_at=None, place="")
    assert other.network_meetings.count() == 0  # the whole plan was undone


@time_machine.travel(MONDAY_MORNING, tick=False)
def test_cancelling_or_moving_the_meeting_frees_its_slot(org):
    first, second = _offer(org, weeks=2)
    meeting = plan(
        case_for(org).child, planned_by=org.advisor, slot=first, starts_at=None, ends_at=None, place=""
    )
    services.meeting_cancel(meeting=meeting, by=org.advisor)
    first.refresh_from_db()
    assert first.status == MeetingSlot.Status.OPEN and first.meeting is None
    meeting = plan(
        case_for(org, first_name="Ib", last_name="Dam").child,
        planned_by=org.advisor,
        slot=second,
        starts_at=None,
        ends_at=None,
        place="",
    )
    later = meeting.starts_at + datetime.timedelta(days=1)
    services.meeting_update(
        meeting=meeting, by=org.advisor, starts_at=later, ends_at=later + datetime.timedelta(hours=1)
    )
    second.refresh_from_db()
    assert second.status == MeetingSlot.Status.OPEN


@time_machine.travel("2026-03-16 08:00 +01:00", tick=False)
def test_weekly_slots_keep_their_local_time_across_the_change_to_summer_time(org):
    slots = _offer(org, day=datetime.date(2026, 3, 17), weeks=3)  # summer time starts 29 March
    assert [timezone.localtime(s.starts_at).strftime("%d.%m %H:%M") for s in slots] == [
        "17.03 13:00",
        "24.03 13:00",
        "31.03 13:00",
    ]
    assert {s.release_at for s in slots} == {timezone.now() + services.SLOT_RELEASE_AFTER}


@time_machine.travel(MONDAY_MORNING, tick=False)
def test_offering_the_same_time_twice_says_so_in_danish(org):
    _offer(org)
    with pytest.raises(ValidationError, match="allerede en mødetid"):
        _offer(org)


@time_machine.travel(MONDAY_MORNING, tick=False)
@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("advisor", 200),
        ("colleague", 200),
        ("outsider", 200),
        ("team_leader", 200),
        ("psychologist", 200),
        ("management", 403),
        ("case_admin", 403),
    ],
)
def test_the_slot_calendar_per_role(org, login, persona, status):
    _offer(org)
    url = reverse("network_meetings:slots") + f"?team={org.team_a.pk}&uge=2026-W10"
    response = login(getattr(org, persona)).get(url)
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert "13.00–14.30" in body and "Rådhuset, lokale 3" in body and "Book til et møde" in body


@time_machine.travel(MONDAY_MORNING, tick=False)
def test_only_the_teams_own_staff_release_its_slot_early(org, login):
    (slot,) = _offer(org)
    url = reverse("network_meetings:slot_release", args=[slot.pk])
    assert login(org.outsider).post(url).status_code == 403
    assert login(org.advisor).post(url).status_code == 302
    slot.refresh_from_db()
    assert slot.status == MeetingSlot.Status.RELEASED


@time_machine.travel(MONDAY_MORNING, tick=False)
def test_offering_slots_from_the_page(org, login):
    client = login(org.psychologist)
    response = client.post(
        reverse("network_meetings:slot_offer"),
        {
            "team": org.team_a.pk,
            "day": "2026-03-05",
            "start_time": "09:00",
            "end_time": "10:30",
            "place": "PPR",
            "weeks": "4",
        },
    )
    assert response.status_code == 302
    assert MeetingSlot.objects.filter(team=org.team_a, offered_by=org.psychologist).count() == 4
    response = client.post(
        reverse("network_meetings:slot_offer"),
        {
            "team": org.team_a.pk,
            "day": "2026-03-05",
            "start_time": "11:00",
            "end_time": "10:30",
            "weeks": "40",
        },
    )
    body = response.content.decode()
    assert "Tiden skal slutte efter, den er begyndt." in body and "Vælg højst 26 uger." in body


@time_machine.travel(MONDAY_MORNING, tick=False)
def test_a_slot_is_booked_from_the_plan_page(org, login):
    (slot,) = _offer(org)
    child = case_for(org).child
    url = reverse("network_meetings:create") + f"?barn={child.pk}&tid={slot.pk}"
    client = login(org.advisor)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "kind": "network",
            "slot": slot.pk,
            "purpose": "At samle de voksne",
            "reason": "Bekymring for fremmøde",
            "initiator_name": "Per Olsen",
            "initiator_function": "Skoleleder",
            "contact_name": "Alice",
            "contact_phone": "12345678",
        },
    )
    assert response.status_code == 302, response.content.decode()
    slot.refresh_from_db()
    assert slot.status == MeetingSlot.Status.BOOKED
    assert slot.meeting.child == child
