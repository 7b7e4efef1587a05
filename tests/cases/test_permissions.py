"""The write rules (``cases.permissions``): for each action and each kind of person, may they, and
what does a refusal say. The expectations are the rules the pages and the API enforced before the
rules were gathered in one module; a change here is a change of who may do what."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from rest_framework.test import APIClient

from cases import services
from cases.models import CaseParticipant, CaseState, CaseTransfer, Notification
from cases.permissions import Action, Refused, may, reason_for, registered, require
from tests.api.base import problem
from tests.factories import CaseFactory, ChildFactory, Role, staff
from tests.fixtures import login_with_second_factor, make_org

# The kinds of person asked about every action. ``participant``: the PPR psychologist added to the
# case; ``psychologist_elsewhere``: a psychologist not added to it; ``other_municipality``: an
# advisor and team leader of a neighbouring municipality (never anything here).
KINDS = (
    "advisor",  # the case's advisor (team A)
    "colleague",  # another advisor of team A
    "outsider",  # an advisor of team B
    "team_leader",  # leads team A, the case's team
    "other_team_leader",  # leads team B
    "duty_advisor",  # duty in district A (and advisor in team A)
    "case_admin",  # registered the notification
    "management",
    "participant",
    "psychologist_elsewhere",
    "health_visitor",
    "sysadmin",
    "other_municipality_advisor",
    "other_municipality_leader",
)

CASE_WRITERS = {"advisor", "team_leader"}
CREATORS = {
    "advisor",
    "colleague",
    "outsider",
    "team_leader",
    "other_team_leader",
    "duty_advisor",
    "other_municipality_advisor",
    "other_municipality_leader",
}
MEETING_PLANNERS = CREATORS | {"participant", "psychologist_elsewhere", "health_visitor"}
NOTIFICATION_HANDLERS = {"case_admin", "duty_advisor", "team_leader"}
TEAM_LEADERS = {"team_leader", "other_team_leader", "other_municipality_leader"}
# Team A's own staff who plan meetings (the duty advisor is an advisor of team A too).
TEAM_A_PLANNERS = {"advisor", "colleague", "team_leader", "duty_advisor", "participant"} | {
    "psychologist_elsewhere",
    "health_visitor",
}

# Action -> the kinds of person who may do it to the record the ``world`` fixture gives it.
EXPECTED = {
    Action.EDIT_CASE: CASE_WRITERS,
    Action.EDIT_CHILD: CASE_WRITERS,
    Action.ASSIGN: {"team_leader"},
    Action.TRANSFER: CASE_WRITERS,
    Action.RECORD_FOLLOWUP: CASE_WRITERS,
    Action.REQUEST_EXCEPTION: CASE_WRITERS,
    Action.APPROVE_EXCEPTION: {"team_leader"},
    Action.RECORD_SCORES: CASE_WRITERS | {"participant"},
    Action.EDIT_NETWORK_MAP: CASE_WRITERS,
    Action.RECORD_HANDOVER: {"advisor", "team_leader", "other_team_leader"},
    Action.CREATE_CHILD: CREATORS,
    Action.PLAN_MEETING: MEETING_PLANNERS,
    Action.REGISTER_NOTIFICATION: {"case_admin"},
    Action.ASSESS_NOTIFICATION: {"duty_advisor", "team_leader"},
    Action.RECORD_RECEIPT: NOTIFICATION_HANDLERS,
    Action.HANDLE_NOTIFICATION: NOTIFICATION_HANDLERS,
    Action.RECORD_COMPLAINT: CASE_WRITERS,
    # The meeting on the case, planned by its advisor; the participant (the PPR psychologist, staff
    # on the meeting) owns its agreement and marks it done, and changes nothing else of it.
    Action.EDIT_MEETING: CASE_WRITERS,
    Action.MARK_AGREEMENT_DONE: CASE_WRITERS | {"participant"},
    Action.MANAGE_SLOTS: TEAM_A_PLANNERS,
    Action.DUBU_IMPORT: TEAM_LEADERS,
    Action.DUBU_EXPORT: TEAM_LEADERS,
    # The screening (Barnets Lov § 18) and the feedback to the professional notifier (§ 136) are the
    # case's work: those who may write the case of the notification.
    Action.SCREEN_NOTIFICATION: CASE_WRITERS,
    Action.RECORD_FEEDBACK: CASE_WRITERS,
    # A request for access to the case's child is decided by the leader of the case's team only.
    Action.DECIDE_ACCESS_REQUEST: {"team_leader"},
}


@pytest.fixture
def world(org):
    other = make_org(name="Ikast-Brande Kommune", code="756", prefix="ikast_")
    case = CaseFactory(team=org.team_a, advisor=org.advisor)
    CaseParticipant.objects.create(case=case, user=org.psychologist)
    # A second psychologist of team A, not added to the case.
    elsewhere = staff(username="ppr2", municipality=org.municipality, roles=[(Role.PSYCHOLOGIST, org.team_a)])
    # A professional's notification on a child the municipality did not know: it opens a case in
    # team A without an advisor, awaits the duty advisor's assessment and the receipt.
    unknown = ChildFactory(municipality=org.municipality, district=org.district_a)
    notification = services.notification_register(
        child=unknown,
        received_at=timezone.now() - datetime.timedelta(hours=1),
        notifier_kind=Notification.NotifierKind.PROFESSIONAL,
        notifier_name="Lærer Hansen",
        notifier_organisation="Sunds Skole",
        concern="Barnet er bange for at gå hjem.",
        registered_by=org.case_admin,
    )
    # A professional's notification on the child of ``case``: screening and feedback fall to its advisor.
    on_case = services.notification_register(
        child=case.child,
        received_at=timezone.now() - datetime.timedelta(hours=2),
        notifier_kind=Notification.NotifierKind.PROFESSIONAL,
        notifier_name="Sundhedsplejerske Jensen",
        notifier_organisation="Sundhedsplejen",
        concern="Barnet tager ikke på i vægt.",
        registered_by=org.case_admin,
    )
    # A case of team A moved to team B, its handover meeting not yet held.
    moved_case = CaseFactory(team=org.team_a, advisor=org.advisor)
    transfer = CaseTransfer.objects.create(
        case=moved_case,
        from_team=org.team_a,
        to_team=org.team_b,
        from_advisor=org.advisor,
        transferred_on=timezone.localdate(),
        transferred_by=org.advisor,
        handover_due_on=timezone.localdate() + datetime.timedelta(days=14),
    )
    meeting, agreement = _meeting_with_agreement(case, org)
    access_request = services.access_request_create(child=case.child, requested_by=org.outsider)
    people = {
        "advisor": org.advisor,
        "colleague": org.colleague,
        "outsider": org.outsider,
        "team_leader": org.team_leader,
        "other_team_leader": org.other_team_leader,
        "duty_advisor": org.duty_advisor,
        "case_admin": org.case_admin,
        "management": org.management,
        "participant": org.psychologist,
        "psychologist_elsewhere": elsewhere,
        "health_visitor": org.health_visitor,
        "sysadmin": org.sysadmin,
        "other_municipality_advisor": other.advisor,
        "other_municipality_leader": other.team_leader,
    }
    records = {
        Action.EDIT_CASE: case,
        Action.EDIT_CHILD: case,  # the child's open case
        Action.ASSIGN: case,
        Action.TRANSFER: case,
        Action.RECORD_FOLLOWUP: case,
        Action.REQUEST_EXCEPTION: case,
        Action.APPROVE_EXCEPTION: case,
        Action.RECORD_SCORES: case,
        Action.EDIT_NETWORK_MAP: case.child,
        Action.RECORD_HANDOVER: transfer,
        Action.CREATE_CHILD: None,
        Action.PLAN_MEETING: None,
        Action.REGISTER_NOTIFICATION: None,
        Action.ASSESS_NOTIFICATION: notification,
        Action.RECORD_RECEIPT: notification,
        Action.HANDLE_NOTIFICATION: notification,
        Action.RECORD_COMPLAINT: case,
        Action.EDIT_MEETING: meeting,
        Action.MARK_AGREEMENT_DONE: agreement,
        Action.MANAGE_SLOTS: org.team_a,
        Action.DUBU_IMPORT: None,
        Action.DUBU_EXPORT: None,
        Action.SCREEN_NOTIFICATION: on_case,
        Action.RECORD_FEEDBACK: on_case,
        Action.DECIDE_ACCESS_REQUEST: access_request,
    }
    return people, records


def _meeting_with_agreement(case, org):
    from network_meetings import services as meeting_services
    from network_meetings.models import Participant
    from tests.network_meetings.factories import plan

    meeting = plan(case.child, planned_by=org.advisor)
    owner = meeting_services.participant_add(
        meeting=meeting, by=org.advisor, function=Participant.Function.PSYCHOLOGIST, user=org.psychologist
    )
    agreement = meeting_services.agreement_add(
        meeting=meeting,
        by=org.advisor,
        text="Psykologen taler med barnet.",
        owner=owner,
        due_on=timezone.localdate() + datetime.timedelta(days=14),
    )
    return meeting, agreement


def test_every_action_has_a_rule_and_the_matrix_covers_it(world):
    """An action nobody registered would refuse everybody silently; here it fails the suite."""
    _people, records = world
    assert registered() == set(Action)
    assert set(EXPECTED) == set(records) == set(Action)


@pytest.mark.parametrize("action", list(EXPECTED), ids=str)
def test_who_may_do_what(world, action):
    people, records = world
    allowed = {kind for kind in KINDS if may(people[kind], action, records[action])}
    assert allowed == EXPECTED[action]


@pytest.mark.parametrize("action", list(EXPECTED), ids=str)
def test_require_refuses_with_the_reason_exactly_when_may_says_no(world, action):
    people, records = world
    for kind in KINDS:
        user, record = people[kind], records[action]
        if kind in EXPECTED[action]:
            require(user, action, record)
            continue
        with pytest.raises(Refused) as refused:
            require(user, action, record)
        assert isinstance(refused.value, PermissionDenied)
        assert refused.value.action == action
        assert str(refused.value) == reason_for(user, action, record) != ""


@pytest.mark.parametrize(
    "action",
    [
        Action.EDIT_CASE,
        Action.ASSIGN,
        Action.TRANSFER,
        Action.RECORD_FOLLOWUP,
        Action.RECORD_SCORES,
        Action.RECORD_COMPLAINT,
    ],
    ids=str,
)
def test_a_closed_case_is_written_by_nobody(org, action):
    case = CaseFactory(
        team=org.team_a, advisor=org.advisor, state=CaseState.CLOSED, closed_on=timezone.localdate()
    )
    CaseParticipant.objects.create(case=case, user=org.psychologist)
    for user in (org.advisor, org.team_leader, org.psychologist):
        assert not may(user, action, case)


def test_a_closed_case_says_so(org):
    case = CaseFactory(
        team=org.team_a, advisor=org.advisor, state=CaseState.CLOSED, closed_on=timezone.localdate()
    )
    assert reason_for(org.advisor, Action.EDIT_CASE, case) == "Sagen er lukket."
    open_case = CaseFactory(team=org.team_a, advisor=org.advisor)
    assert reason_for(org.colleague, Action.EDIT_CASE, open_case) == "Du kan læse sagen, men ikke ændre den."


def test_a_child_without_an_open_case_is_changed_by_nobody(org):
    assert not may(org.team_leader, Action.EDIT_CHILD, None)


def test_an_assessed_notification_is_not_assessed_again(world, org):
    _people, records = world
    notification = records[Action.ASSESS_NOTIFICATION]
    Notification.objects.filter(pk=notification.pk).update(assessed_at=timezone.now())
    notification.refresh_from_db()
    assert not may(org.duty_advisor, Action.ASSESS_NOTIFICATION, notification)
    assert reason_for(org.duty_advisor, Action.ASSESS_NOTIFICATION, notification) == (
        "Underretningen er allerede vurderet."
    )


# --- The services decide; pages and the API translate the refusal --------------------------------


def test_the_assignment_service_refuses_whoever_does_not_lead_the_cases_team(org):
    case = CaseFactory(team=org.team_a, advisor=None, state=CaseState.NOTIFICATION)
    for person in (org.advisor, org.other_team_leader):
        with pytest.raises(Refused, match="Kun teamlederen for sagens team kan fordele sagen"):
            services.case_assign(case=case, advisor=org.colleague, assigned_by=person)
    services.case_assign(case=case, advisor=org.colleague, assigned_by=org.team_leader)


def test_an_advisor_who_opens_a_case_still_takes_it_themselves(org):
    """Opening a case makes the opening advisor its advisor, without the team leader's right to
    distribute cases."""
    child = ChildFactory(municipality=org.municipality, district=org.district_a)
    case = services.case_open(child=child, opened_by=org.advisor, advisor=org.advisor)
    assert case.advisor == org.advisor


def test_the_transfer_and_handover_services_ask_the_rules(org):
    case = CaseFactory(team=org.team_a, advisor=org.advisor)
    with pytest.raises(Refused):
        services.case_transfer(case=case, to_team=org.team_b, transferred_by=org.colleague)
    moved = services.case_transfer(case=case, to_team=org.team_b, transferred_by=org.advisor)
    with pytest.raises(Refused):
        services.handover_record(transfer=moved, held_on=timezone.localdate(), recorded_by=org.colleague)
    services.handover_record(transfer=moved, held_on=timezone.localdate(), recorded_by=org.other_team_leader)


def test_a_page_answers_403_with_the_reason(org, login):
    case = CaseFactory(team=org.team_a, advisor=org.advisor)
    response = login(org.advisor).get(f"/sager/{case.pk}/fordel/")
    assert response.status_code == 403
    assert "Kun teamlederen for sagens team kan fordele sagen." in response.content.decode()


def test_a_page_answers_404_for_a_case_the_person_cannot_read(org, login):
    case = CaseFactory(team=org.team_a, advisor=org.advisor)
    assert login(org.outsider).get(f"/sager/{case.pk}/fordel/").status_code == 404


def test_the_api_answers_403_with_the_reason(org):
    case = CaseFactory(team=org.team_a, advisor=org.advisor)
    client = login_with_second_factor(APIClient(), org.advisor)
    response = client.post(f"/api/v1/cases/{case.pk}/assign/", {"advisor": org.colleague.pk}, format="json")
    assert response.status_code == 403
    assert problem(response, 403)["detail"] == "Kun teamlederen for sagens team kan fordele sagen."
    closed = CaseFactory(
        team=org.team_a, advisor=org.advisor, state=CaseState.CLOSED, closed_on=timezone.localdate()
    )
    response = client.post(f"/api/v1/cases/{closed.pk}/assign/", {"advisor": org.colleague.pk}, format="json")
    assert problem(response, 403)["detail"] == "Sagen er lukket."
