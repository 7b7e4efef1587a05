import datetime

import pytest
from django.utils import timezone

from cases import services as case_services
from followups.models import Reminder
from network_meetings import services as meeting_services
from tests.cases.factories import NotificationFactory
from tests.factories import CaseFactory
from tests.followups.factories import start_measure
from tests.network_meetings.factories import plan


def fill_the_day(org, *, advisor=None) -> dict:
    """One of everything "Min dag" lists for ``advisor`` (Alice): a measure whose follow-up is
    overdue, an investigation near its 4 months, a placement with its plan due, a notification
    whose receipt is due, an agreement from a network meeting, a case moved away with its handover,
    an unread reminder, and a notification waiting for the duty advisor's assessment."""
    advisor = advisor or org.advisor
    today = timezone.localdate()
    measure = start_measure(org, "preventive", today - datetime.timedelta(days=60), advisor=advisor)
    inquiry = CaseFactory(team=org.team_a, advisor=advisor, opened_on=today - datetime.timedelta(days=120))
    investigation = case_services.investigation_open(
        case=inquiry, decided_on=today - datetime.timedelta(days=110), decided_by=advisor
    )
    placement = start_measure(org, "institution", today - datetime.timedelta(days=3), advisor=advisor)
    notification = NotificationFactory(
        case=CaseFactory(team=org.team_a, advisor=advisor), registered_by=org.case_admin
    )
    meeting = plan(measure.case.child, planned_by=advisor)
    agreement = meeting_services.agreement_add(
        meeting=meeting,
        by=advisor,
        text="Ringe til skolen om fremmødet",
        owner=meeting.participants.get(user=advisor),
        due_on=today + datetime.timedelta(days=3),
    )
    moved = case_services.case_transfer(
        case=CaseFactory(team=org.team_a, advisor=advisor), to_team=org.team_b, transferred_by=advisor
    )
    Reminder.objects.create(
        deadline=investigation.case.deadlines.first(),
        due_on=investigation.deadline,
        recipient=advisor,
        kind="before_7",
    )
    # A name no other child of the day has: the tests look for it on pages that must not show it,
    # and two of Faker's names met once in CI ("Yngve Clausen" on Alice's own notification).
    waiting = NotificationFactory(
        case=CaseFactory(
            team=org.team_a, advisor=None, child__first_name="Ventende", child__last_name="Vurderingsbarn"
        ),
        registered_by=org.case_admin,
    )
    return {
        "measure": measure,
        "investigation": investigation,
        "placement": placement,
        "notification": notification,
        "agreement": agreement,
        "transfer": moved,
        "waiting": waiting,
    }


@pytest.fixture
def day(org):
    return fill_the_day(org)
