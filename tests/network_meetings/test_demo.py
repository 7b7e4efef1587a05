"""The demo step works on whatever children and cases exist, and running it again changes nothing."""

from __future__ import annotations

import datetime
import io
import random

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from herning.organisation.demo import seed_organisation
from network_meetings import demo
from network_meetings.models import Agreement, MeetingSlot, NetworkMap, NetworkMeeting
from tests.factories import CaseFactory, ChildFactory
from tests.network_meetings.factories import InvestigationFactory, RelationFactory

pytestmark = pytest.mark.django_db

NOW = "2026-03-02 09:00 +01:00"


def _counts():
    return (
        NetworkMeeting.objects.count(),
        Agreement.objects.count(),
        NetworkMap.objects.count(),
        MeetingSlot.objects.count(),
        NetworkMeeting.history.count(),
    )


def _run(org):
    demo.seed(org=org, today=timezone.localdate(), rng=random.Random("test"), stdout=io.StringIO())


@time_machine.travel(NOW, tick=False)
def test_the_demo_step_without_any_children_offers_slots_only():
    org = seed_organisation(today=timezone.localdate(), roster_days_back=0, roster_days_ahead=0)
    _run(org)
    assert NetworkMeeting.objects.count() == 0
    assert MeetingSlot.objects.count() == 3 * 3 * 2  # three teams, three weeks, two a week


@time_machine.travel(NOW, tick=False)
def test_the_demo_step_makes_meetings_and_maps_from_existing_cases_and_is_idempotent():
    org = seed_organisation(today=timezone.localdate(), roster_days_back=0, roster_days_ahead=0)
    team = org.teams["Team Nord"]
    for n, advisor in enumerate(["anne", "bo", "camilla", "dorte", "anne", "bo"]):
        child = ChildFactory(
            municipality=org.municipality, district=team.district, first_name=f"Barn{n}", last_name="Demo"
        )
        RelationFactory(child=child, name=f"Mor{n} Hansen", email=f"mor{n}@example.dk")
        case = CaseFactory(team=team, advisor=org.users[advisor], child=child)
        InvestigationFactory(
            case=case,
            decided_by=org.users[advisor],
            decided_on=timezone.localdate() - datetime.timedelta(days=20),
        )
    _run(org)
    before = _counts()
    assert before[0] >= 6 and before[1] > 0 and before[2] == 4
    assert NetworkMeeting.objects.filter(
        status=NetworkMeeting.Status.HELD, consent_given_at__isnull=False
    ).exists()
    assert NetworkMeeting.objects.filter(
        status=NetworkMeeting.Status.PLANNED, consent_given_at__isnull=True
    ).exists()
    assert NetworkMeeting.objects.filter(previous_meeting__isnull=False).exists()
    assert MeetingSlot.objects.filter(status=MeetingSlot.Status.BOOKED).exists()
    assert mail.outbox == []  # demo data sends no e-mail
    _run(org)
    assert _counts() == before
