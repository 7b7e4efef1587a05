"""The one small world the access matrices of every page look at (docs/access.md §2).

Alice's (``advisor``) open case in team A, which shares its cases, so that:

* ``advisor`` (the case's advisor) and ``team_leader`` (team A) read and write;
* ``colleague`` and ``duty_advisor`` (advisors of the sharing team) and ``psychologist`` (added to
  the case) read but do not write: 403 on every change;
* ``outsider`` and ``other_team_leader`` (team B) reach it by id only to get 404, as does
  ``health_visitor`` (team A, not added) and every role without a place on cases
  (``case_admin``, ``management``, ``sysadmin``, ``data_protection``).

On network meetings the health visitor also takes part as staff, which lets them read that
meeting (and no more of the child). Each matrix asks for the records it needs (``needs``), so a
test builds only those.
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from cases import services as case_services
from cases.models import CaseParticipant, CaseState
from tests.access import ANONYMOUS, AccessMatrix, outcome_for_all
from tests.factories import HEARD, CaseFactory, measure_type

READERS = ("advisor", "colleague", "duty_advisor", "team_leader", "psychologist")
WRITERS = ("advisor", "team_leader")
READ_ONLY = ("colleague", "duty_advisor", "psychologist")


def reads(**more: int) -> dict[str, int]:
    """Those who may read the case get 200; everyone else 404."""
    return outcome_for_all(404, **(dict.fromkeys(READERS, 200) | more))


def writes(ok: int = 200, **more: int) -> dict[str, int]:
    """The case's writers get ``ok``; who may read but not write, 403; everyone else 404."""
    return outcome_for_all(404, **(dict.fromkeys(WRITERS, ok) | dict.fromkeys(READ_ONLY, 403) | more))


def api(expected: dict[str, int]) -> dict[str, int]:
    """The API answers the anonymous caller 401 (no redirect to a login page)."""
    return {**expected, ANONYMOUS: 401}


def build(org, *needs: str) -> SimpleNamespace:
    """The shared case and, for each name in ``needs``, that record on it."""
    org.team_a.shares_cases = True
    org.team_a.save()
    case = CaseFactory(
        team=org.team_a, advisor=org.advisor, opened_on=timezone.localdate() - datetime.timedelta(days=60)
    )
    CaseParticipant.objects.create(case=case, user=org.psychologist, note="PPR")
    world = SimpleNamespace(case=case, child=case.child)
    for need in needs:
        BUILDERS[need](world, org)
    return world


def _measure(world, org):
    from measures import services

    world.measure = services.measure_start(
        hearing=HEARD,
        case=world.case,
        measure_type=measure_type("family_treatment"),
        start_date=timezone.localdate() - datetime.timedelta(days=40),
        decided_by=org.advisor,
        provider="Familiecenteret",
    )
    # Family treatment: the first follow-up is due four weeks after the start (the API's id).
    due = world.measure.start_date + datetime.timedelta(weeks=4)
    world.followup_id = f"{world.measure.pk}.followup.{due.isoformat()}"


def _boarding_school(world, org):
    """A measure for which a follow-up exception may be asked, and one asked for."""
    from followups import services as followup_services
    from measures import services

    world.measure = services.measure_start(
        hearing=HEARD,
        case=world.case,
        measure_type=measure_type("boarding_school"),
        start_date=timezone.localdate() - datetime.timedelta(days=40),
        decided_by=org.advisor,
        provider="Efterskolen",
    )
    world.exception = followup_services.exception_request(
        measure=world.measure,
        kind="boarding_school",
        reason="Den unge går på efterskole langt væk.",
        requested_by=org.advisor,
    )


def _later_date(world, org):
    """A follow-up held on a measure with the next date agreed later than the rule allows: a
    request awaiting the team leader (``later``), and the API id of the date it governs."""
    from tests.followups.factories import hold

    _measure(world, org)
    held_on = world.measure.start_date + datetime.timedelta(weeks=4)
    world.later = hold(
        world.measure,
        held_on,
        by=org.advisor,
        today=timezone.localdate(),
        next_agreed_on=world.measure.start_date + datetime.timedelta(days=150),
        later_than_rule_reason="Familien er på ferie.",
    )
    world.later_followup_id = f"{world.measure.pk}.followup.{world.later.later_rule_date.isoformat()}"


def _plan(world, org):
    world.plan = case_services.plan_create(
        case=world.case,
        kind="barnets_plan",
        made_on=timezone.localdate(),
        goals=[
            case_services.GoalData(
                what="Barnet kommer i skole hver dag",
                who="Forældrene og skolen",
                how_measured="Fraværet i skolens system",
                by_when=timezone.localdate() + datetime.timedelta(days=90),
            )
        ],
        created_by=org.advisor,
    )
    world.goal = world.plan.goals.get()


def _investigation(world, org):
    world.investigation = case_services.investigation_open(
        case=world.case, decided_on=timezone.localdate(), decided_by=org.advisor
    )


def _journal(world, org):
    world.note = case_services.journal_add(
        case=world.case, heading="phone_call", text="Fraværet er faldet.", written_by=org.advisor
    )


def _relation(world, org):
    world.relation = case_services.relation_add(
        child=world.child, kind="mother", name="Hanne Jensen", has_custody=True, added_by=org.advisor
    )


def _participant(world, org):
    world.participant = CaseParticipant.objects.create(case=world.case, user=org.health_visitor)


def _notification(world, org):
    """A professional's notification on the child, awaiting the duty advisor's 24-hour assessment."""
    from cases.models import Notification

    world.notification = case_services.notification_register(
        child=world.child,
        received_at=timezone.now() - datetime.timedelta(hours=1),
        notifier_kind=Notification.NotifierKind.PROFESSIONAL,
        notifier_name="Lærer Hansen",
        notifier_organisation="Sunds Skole",
        concern="Barnet kommer sultent i skole.",
        registered_by=org.case_admin,
    )


def _meeting(world, org):
    """A meeting on the case, planned by Alice, with a teacher and the health visitor (as staff),
    and an agreement the health visitor is to carry out."""
    from network_meetings import services
    from network_meetings.models import Participant
    from tests.network_meetings.factories import plan

    world.meeting = plan(world.child, planned_by=org.advisor)
    world.teacher = services.participant_add(
        meeting=world.meeting, by=org.advisor, function=Participant.Function.TEACHER, name="Lærer Hansen"
    )
    world.visitor = services.participant_add(
        meeting=world.meeting,
        by=org.advisor,
        function=Participant.Function.HEALTH_VISITOR,
        user=org.health_visitor,
    )
    world.agreement = services.agreement_add(
        meeting=world.meeting,
        by=org.advisor,
        text="Sundhedsplejersken ringer til familien.",
        owner=world.visitor,
        due_on=timezone.localdate() + datetime.timedelta(days=14),
    )


def _network_map(world, org):
    from network_meetings import services
    from network_meetings.models import NetworkMapPerson

    first = services.network_map_new_version(child=world.child, by=org.advisor)
    world.old_map = first
    world.network_map = services.network_map_new_version(child=world.child, by=org.advisor)
    world.map_person = services.network_map_person_add(
        network_map=world.network_map,
        by=org.advisor,
        name="Karin Dahl",
        kind=NetworkMapPerson.Kind.FAMILY,
        relation="Moster",
        significance="resource",
    )


def _closed(world, org):
    """The case closed (read-only for everyone), so a new case may be opened for the child."""
    world.case.state = CaseState.CLOSED
    world.case.closed_on = timezone.localdate()
    world.case.save()


def _access_request(world, org):
    """Team B's advisor asked for access to the child by registering its CPR number."""
    world.access_request = case_services.access_request_create(
        child=world.child, requested_by=org.outsider, purpose="Skolen har ringet om barnet."
    )


BUILDERS = {
    "access_request": _access_request,
    "measure": _measure,
    "boarding_school": _boarding_school,
    "later_date": _later_date,
    "plan": _plan,
    "investigation": _investigation,
    "journal": _journal,
    "relation": _relation,
    "participant": _participant,
    "notification": _notification,
    "meeting": _meeting,
    "network_map": _network_map,
    "closed": _closed,
}


class OnTheCase(AccessMatrix):
    """A matrix on the shared case; ``needs`` names the records built on it (``BUILDERS``)."""

    needs: tuple[str, ...] = ()

    @pytest.fixture
    def objects(self, org):
        return build(org, *self.needs)
