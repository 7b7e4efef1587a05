"""The write rules are the services' own (issue 16: "services check it, views and the API only
translate the refusal"): every write service of network meetings, called straight (as a task, an
import or a future page would), refuses a person the rule refuses with ``Refused`` and its reason,
and writes nothing. The pages' and the API's answers are in ``test_access_matrix.py``."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from cases.permissions import Action, Refused, reason_for
from network_meetings import services
from network_meetings.models import (
    Agreement,
    Consent,
    Dispatch,
    MeetingSlot,
    Minutes,
    NetworkMap,
    NetworkMapPerson,
    NetworkMeeting,
    Participant,
)
from tests.network_meetings.factories import at, case_for, plan

pytestmark = pytest.mark.django_db

WEEK = datetime.timedelta(days=7)


@pytest.fixture
def world(org):
    """A meeting on Alice's case with a teacher and an agreement Alice owns, the child's network map
    with one person, and an open slot of team A."""
    case = case_for(org)
    meeting = plan(case.child, planned_by=org.advisor)
    teacher = services.participant_add(
        meeting=meeting, by=org.advisor, function=Participant.Function.TEACHER, name="Lærer Hansen"
    )
    agreement = services.agreement_add(
        meeting=meeting,
        by=org.advisor,
        text="Læreren ringer til familien.",
        owner=teacher,
        due_on=timezone.localdate() + WEEK,
    )
    network_map = services.network_map_new_version(child=case.child, by=org.advisor)
    person = services.network_map_person_add(
        network_map=network_map,
        by=org.advisor,
        name="Karin Dahl",
        kind=NetworkMapPerson.Kind.FAMILY,
        significance="resource",
    )
    [slot] = services.slots_offer(
        team=org.team_a,
        by=org.advisor,
        first_start=timezone.now() + 2 * WEEK,
        duration=datetime.timedelta(hours=1),
    )
    return SimpleNamespace(
        case=case,
        child=case.child,
        meeting=meeting,
        teacher=teacher,
        agreement=agreement,
        network_map=network_map,
        person=person,
        slot=slot,
    )


def _counts() -> tuple:
    return tuple(
        model.objects.for_system().count()
        for model in (
            NetworkMeeting,
            Participant,
            Consent,
            Dispatch,
            Minutes,
            Agreement,
            NetworkMap,
            NetworkMapPerson,
        )
    )


# Each write service, called by ``who`` on the ``world``: (name, action asked, the call).
MEETING_CALLS = {
    "meeting_update": lambda w, who: services.meeting_update(meeting=w.meeting, by=who, place="Rådhuset"),
    "meeting_set_roles": lambda w, who: services.meeting_set_roles(
        meeting=w.meeting, by=who, chair=w.teacher, minute_taker=None
    ),
    "meeting_cancel": lambda w, who: services.meeting_cancel(meeting=w.meeting, by=who),
    "meeting_plan_follow_up": lambda w, who: services.meeting_plan_follow_up(
        previous=w.meeting,
        planned_by=who,
        starts_at=at(timezone.localdate() + 3 * WEEK, 9),
        ends_at=at(timezone.localdate() + 3 * WEEK, 10),
        place="Sunds Skole",
    ),
    "participant_add": lambda w, who: services.participant_add(
        meeting=w.meeting, by=who, function=Participant.Function.TEACHER, name="Pædagog Ib"
    ),
    "participant_update": lambda w, who: services.participant_update(
        participant=w.teacher, by=who, name="Ib"
    ),
    "participant_set_status": lambda w, who: services.participant_set_status(
        participant=w.teacher, by=who, status=Participant.InvitationStatus.DECLINED
    ),
    "participant_remove": lambda w, who: services.participant_remove(participant=w.teacher, by=who),
    "participants_from_network_map": lambda w, who: services.participants_from_network_map(
        meeting=w.meeting, by=who, people=[w.person]
    ),
    "consent_record": lambda w, who: services.consent_record(
        meeting=w.meeting, by=who, given_by_name="Mor", given_on=timezone.localdate(), method="oral"
    ),
    "invitation_send": lambda w, who: services.invitation_send(meeting=w.meeting, by=who),
    "minutes_save": lambda w, who: services.minutes_save(
        meeting=w.meeting, by=who, concerns="Fravær.", working="", want_to_see=""
    ),
    "minutes_send": lambda w, who: services.minutes_send(meeting=w.meeting, by=who),
    "agreement_add": lambda w, who: services.agreement_add(
        meeting=w.meeting, by=who, text="Ring.", owner=w.teacher, due_on=timezone.localdate() + WEEK
    ),
    "agreement_remove": lambda w, who: services.agreement_remove(agreement=w.agreement, by=who),
    "slot_book": lambda w, who: services.slot_book(slot=w.slot, meeting=w.meeting, by=who),
}
MAP_CALLS = {
    "network_map_new_version": lambda w, who: services.network_map_new_version(child=w.child, by=who),
    "network_map_update": lambda w, who: services.network_map_update(
        network_map=w.network_map, by=who, note="x"
    ),
    "network_map_person_add": lambda w, who: services.network_map_person_add(
        network_map=w.network_map,
        by=who,
        name="Ole",
        kind=NetworkMapPerson.Kind.FRIEND,
        significance="resource",
    ),
    "network_map_person_update": lambda w, who: services.network_map_person_update(
        person=w.person, by=who, name="Karin D."
    ),
    "network_map_person_remove": lambda w, who: services.network_map_person_remove(person=w.person, by=who),
}


def _refused(call, world, who, action, record):
    before = _counts()
    with pytest.raises(Refused) as refused:
        call(world, who)
    assert refused.value.action == action
    assert str(refused.value) == reason_for(who, action, record)
    assert _counts() == before


@pytest.mark.parametrize("name", list(MEETING_CALLS))
def test_a_meeting_service_refuses_whoever_may_not_change_the_meeting(world, org, name):
    """Bob, a colleague of Alice's team, and the health visitor read the case's meetings; neither
    planned this one or may write the case, so neither may change it."""
    for who in (org.colleague, org.health_visitor):
        _refused(MEETING_CALLS[name], world, who, Action.EDIT_MEETING, world.meeting)


@pytest.mark.parametrize("name", list(MAP_CALLS))
def test_a_network_map_service_refuses_whoever_may_not_write_the_case(world, org, name):
    for who in (org.colleague, org.psychologist):
        _refused(MAP_CALLS[name], world, who, Action.EDIT_NETWORK_MAP, world.child)


def test_marking_an_agreement_done_is_for_its_owner_and_the_meetings_writers(world, org):
    _refused(
        lambda w, who: services.agreement_mark_done(agreement=w.agreement, by=who),
        world,
        org.colleague,
        Action.MARK_AGREEMENT_DONE,
        world.agreement,
    )
    services.agreement_mark_done(agreement=world.agreement, by=org.team_leader)
    assert Agreement.objects.for_system().get(pk=world.agreement.pk).is_done


def test_planning_is_one_change_with_the_planner_in_the_chair(org):
    """The planner chairs from the start: one history row, which names the chair (the chair is a
    participant, written after the meeting, but planning is one act)."""
    meeting = plan(case_for(org).child, planned_by=org.advisor)
    [row] = meeting.history.all()
    assert (row.history_type, row.chair_id) == ("+", meeting.chair_id)
    assert meeting.chair.user == org.advisor


def test_planning_is_refused_to_a_role_that_does_not_plan_meetings(world, org):
    before = _counts()
    with pytest.raises(Refused) as refused:
        plan(world.child, planned_by=org.case_admin)
    assert refused.value.action == Action.PLAN_MEETING
    assert _counts() == before


def test_a_follow_up_meeting_is_planned_by_whoever_may_change_the_previous_one(world, org):
    """The team leader of the meeting's team did not plan it, and plans the next one."""
    meeting = services.meeting_plan_follow_up(
        previous=world.meeting,
        planned_by=org.team_leader,
        starts_at=at(timezone.localdate() + 3 * WEEK, 9),
        ends_at=at(timezone.localdate() + 3 * WEEK, 10),
        place="Sunds Skole",
    )
    assert meeting.previous_meeting == world.meeting


def test_the_meeting_writers_pass_the_services_rule(world, org):
    """The team leader of the case's team may change a meeting they did not plan."""
    services.meeting_update(meeting=world.meeting, by=org.team_leader, place="Rådhuset")
    assert NetworkMeeting.objects.for_system().get(pk=world.meeting.pk).place == "Rådhuset"


def test_slots_are_offered_and_released_by_the_teams_own_staff(world, org):
    start = timezone.now() + 3 * WEEK
    hour = datetime.timedelta(hours=1)
    for who, reason in (
        (org.outsider, "Kun teamets egne medarbejdere kan udbyde og frigive teamets tider."),
        (org.case_admin, reason_for(org.case_admin, Action.PLAN_MEETING)),
    ):
        with pytest.raises(Refused) as refused:
            services.slots_offer(team=org.team_a, by=who, first_start=start, duration=hour)
        assert (refused.value.action, str(refused.value)) == (Action.MANAGE_SLOTS, reason)
        with pytest.raises(Refused):
            services.slot_release(slot=world.slot, by=who)
    assert MeetingSlot.objects.for_system().count() == 1
    assert MeetingSlot.objects.for_system().get().status == MeetingSlot.Status.OPEN
    services.slot_release(slot=world.slot, by=org.psychologist)  # team A's own
    assert MeetingSlot.objects.for_system().get().status == MeetingSlot.Status.RELEASED


def test_a_person_without_a_team_is_told_so(org):
    assert reason_for(org.case_admin, Action.MANAGE_SLOTS) != ""
    from tests.factories import staff

    loose = staff(username="loose", municipality=org.municipality, roles=[("duty_advisor", None)])
    assert reason_for(loose, Action.MANAGE_SLOTS) == "Du er ikke medlem af et team."
