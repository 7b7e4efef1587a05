"""Every resource of /api/v1/, for every kind of person: list, detail, create, update, delete.

The outcomes are the pages' rules (docs/access.md): the case's advisor and the team leader of its
team read and write; a professional added to the case reads; everyone else gets 404 for the
record; role-bound writes (registering a notification, planning a meeting) are 403 for other
roles; nothing is deleted (405).
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from cases import services as case_services
from cases.models import Case, CaseState, Notification
from network_meetings import services as meeting_services
from tests.access import ANONYMOUS
from tests.api.base import NOT_OFFERED, ResourceMatrix, outcome_for_all
from tests.factories import CaseFactory, ChildFactory, cpr_for

pytestmark = pytest.mark.django_db

READERS = {"advisor": 200, "team_leader": 200, "psychologist": 200}
WRITERS = {"advisor": 200, "team_leader": 200, "psychologist": 403}
EVERYONE_READS = outcome_for_all(200)


def _closed_case_child(org):
    """A child of Alice's whose only case is closed (a new case may be opened for it)."""
    case = CaseFactory(
        team=org.team_a,
        advisor=org.advisor,
        state=CaseState.CLOSED,
        opened_on=datetime.date(2024, 1, 1),
        closed_on=datetime.date(2024, 6, 1),
    )
    return case.child


class TestChildren(ResourceMatrix):
    url = "/api/v1/children/"
    detail = outcome_for_all(404, **READERS)
    create = outcome_for_all(
        403,
        advisor=201,
        colleague=201,
        # Charlie advises in team B: the child of district A gets team A's case, not his.
        outsider=400,
        team_leader=201,
        other_team_leader=201,
        duty_advisor=201,
    )
    update = outcome_for_all(404, **WRITERS)

    @pytest.fixture
    def objects(self, scenario):
        return SimpleNamespace(obj=scenario.child)

    def create_payload(self, objects):
        district = objects.obj.district_id
        return {
            "cpr": cpr_for(datetime.date(2015, 3, 4), 7),
            "first_name": "Ny",
            "last_name": "Nielsen",
            "district": district,
        }

    def update_payload(self, objects):
        return {"address": "Skolegade 1"}


class TestCases(ResourceMatrix):
    url = "/api/v1/cases/"
    detail = outcome_for_all(404, **READERS)
    create = outcome_for_all(
        403,
        advisor=201,
        colleague=400,
        outsider=400,
        team_leader=201,
        other_team_leader=400,
        duty_advisor=400,
    )
    update = outcome_for_all(404, **WRITERS)

    @pytest.fixture
    def objects(self, org, scenario):
        return SimpleNamespace(obj=scenario.case, other_child=_closed_case_child(org))

    def create_payload(self, objects):
        return {"child": objects.other_child.pk, "opened_on": timezone.localdate().isoformat()}

    def update_payload(self, objects):
        return {"state": "clarification"}


class TestNotifications(ResourceMatrix):
    url = "/api/v1/notifications/"
    # The duty advisor of the district reads it while it awaits the 24-hour assessment; the case
    # administrator who registered it reads it (not the child's record).
    detail = outcome_for_all(404, **READERS, duty_advisor=200, case_admin=200)
    create = outcome_for_all(403, case_admin=201)
    update = outcome_for_all(
        404, advisor=403, team_leader=200, psychologist=403, duty_advisor=200, case_admin=403
    )

    @pytest.fixture
    def objects(self, org, scenario):
        notification = case_services.notification_register(
            child=scenario.child,
            received_at=timezone.now() - datetime.timedelta(hours=1),
            notifier_kind=Notification.NotifierKind.PRIVATE,
            concern="Naboen hører råb om natten.",
            registered_by=org.case_admin,
        )
        return SimpleNamespace(obj=notification, district=org.district_a)

    def create_payload(self, objects):
        return {
            "cpr": cpr_for(datetime.date(2016, 5, 6), 3),
            "first_name": "Lise",
            "last_name": "Lund",
            "district": objects.district.pk,
            "received_at": (timezone.now() - datetime.timedelta(hours=2)).isoformat(),
            "notifier_kind": "private",
            "concern": "Barnet går alene rundt om aftenen.",
        }

    def update_payload(self, objects):
        return {"acute_danger": False, "assessment_action": "Talt med skolen; ingen akut fare."}


class TestInvestigations(ResourceMatrix):
    """Read only (written on the case page): its readers read it, everyone else gets 404."""

    url = "/api/v1/investigations/"
    detail = outcome_for_all(404, **READERS)

    @pytest.fixture
    def objects(self, org, scenario):
        investigation = case_services.investigation_open(
            case=scenario.case, decided_on=timezone.localdate(), decided_by=org.advisor
        )
        return SimpleNamespace(obj=investigation)


class TestMeasures(ResourceMatrix):
    url = "/api/v1/measures/"
    detail = outcome_for_all(404, **READERS)
    create = outcome_for_all(400, advisor=201, team_leader=201, psychologist=403, **{ANONYMOUS: 401})
    update = outcome_for_all(404, **WRITERS)

    @pytest.fixture
    def objects(self, with_measure):
        return SimpleNamespace(obj=with_measure.measure)

    def create_payload(self, objects):
        return {
            "case": objects.obj.case_id,
            "measure_type": "contact_person",
            "start_date": timezone.localdate().isoformat(),
            "decision_basis": "with_consent",
            "hearing_on": timezone.localdate().isoformat(),
            "hearing_note": "Barnet vil gerne have en kontaktperson.",
        }

    def update_payload(self, objects):
        return {"provider": "Familiecenteret Nord"}


class TestMeasureTypes(ResourceMatrix):
    url = "/api/v1/measure-types/"
    lookup = "code"
    detail = EVERYONE_READS

    @pytest.fixture
    def objects(self, db):
        from measures.models import MeasureType

        return SimpleNamespace(obj=MeasureType.objects.get(code="foster_family"))


class TestLadderMovements(ResourceMatrix):
    url = "/api/v1/ladder-movements/"
    detail = outcome_for_all(404, **READERS)

    @pytest.fixture
    def objects(self, with_measure):
        return SimpleNamespace(obj=with_measure.case.movements.get())


class TestPlans(ResourceMatrix):
    url = "/api/v1/plans/"
    detail = outcome_for_all(404, **READERS)
    create = outcome_for_all(400, advisor=201, team_leader=201, **{ANONYMOUS: 401})
    update = NOT_OFFERED  # a revision is a new version: POST /plans/{id}/revise/

    @pytest.fixture
    def objects(self, org, with_plan):
        other = CaseFactory(team=org.team_a, advisor=org.advisor)
        return SimpleNamespace(obj=with_plan.plan, other_case=other)

    def create_payload(self, objects):
        return {
            "case": objects.other_case.pk,
            "kind": "barnets_plan",
            "made_on": timezone.localdate().isoformat(),
            "goals": [
                {
                    "what": "Barnet har en fast voksen i fritiden",
                    "who": "Kontaktpersonen",
                    "how_measured": "Ugentlige samtaler",
                    "by_when": (timezone.localdate() + datetime.timedelta(days=60)).isoformat(),
                }
            ],
        }


class TestGoals(ResourceMatrix):
    url = "/api/v1/goals/"
    detail = outcome_for_all(404, **READERS)
    update = outcome_for_all(404, **WRITERS)

    @pytest.fixture
    def objects(self, with_plan):
        return SimpleNamespace(obj=with_plan.goal)

    def update_payload(self, objects):
        return {"status": "in_progress", "status_note": "Fraværet er halveret."}


class TestFollowUps(ResourceMatrix):
    url = "/api/v1/followups/"
    detail = outcome_for_all(404, **READERS)

    @pytest.fixture
    def objects(self, with_measure):
        measure = with_measure.measure
        # Family treatment: first follow-up 4 weeks after the start, which lay 40 days ago.
        due = measure.start_date + datetime.timedelta(weeks=4)
        return SimpleNamespace(obj=SimpleNamespace(id=f"{measure.pk}.followup.{due.isoformat()}"))


class TestNetworkMeetings(ResourceMatrix):
    url = "/api/v1/network-meetings/"
    detail = outcome_for_all(404, **READERS)
    create = outcome_for_all(
        403,
        advisor=201,
        colleague=400,
        outsider=400,
        team_leader=201,
        other_team_leader=400,
        duty_advisor=400,
        psychologist=201,
        health_visitor=400,
    )
    update = outcome_for_all(404, **WRITERS)

    @pytest.fixture
    def objects(self, org, scenario):
        meeting = meeting_services.meeting_plan(child=scenario.child, planned_by=org.advisor, **_meeting())
        return SimpleNamespace(obj=meeting, child=scenario.child)

    def create_payload(self, objects):
        data = _meeting(days=14)
        return {"child": objects.child.pk, **data} | {
            f: data[f].isoformat() for f in ("starts_at", "ends_at")
        }

    def update_payload(self, objects):
        return {"place": "Mødelokale 2, Sunds Skole"}


def _meeting(days: int = 7) -> dict:
    starts = (timezone.now() + datetime.timedelta(days=days)).replace(microsecond=0)
    return {
        "kind": "network",
        "starts_at": starts,
        "ends_at": starts + datetime.timedelta(hours=1),
        "place": "Sunds Skole",
        "purpose": "At samle de voksne omkring barnet.",
        "reason": "Barnet har meget fravær.",
        "initiator_name": "Lærer Hansen",
        "initiator_function": "Klasselærer",
        "contact_name": "Lærer Hansen",
        "contact_phone": "12345678",
    }


class TestCaseload(ResourceMatrix):
    url = "/api/v1/caseload/"
    lookup = "advisor"
    detail = outcome_for_all(404, advisor=200, team_leader=200)

    @pytest.fixture
    def objects(self, org, scenario):
        return SimpleNamespace(obj=SimpleNamespace(advisor=org.advisor.pk))


def test_the_cases_of_a_closed_child_stay_closed_for_writes(org, scenario, login):
    """A closed case is read-only for everybody: its advisor gets 403 on PATCH."""
    case = scenario.case
    Case.objects.filter(pk=case.pk).update(state=CaseState.CLOSED, closed_on=timezone.localdate())
    client = login(org.advisor)
    etag = client.get(f"/api/v1/cases/{case.pk}/")["ETag"]
    response = client.patch(
        f"/api/v1/cases/{case.pk}/",
        {"state": "clarification"},
        content_type="application/json",
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 403


def test_child_factory_is_not_visible_without_a_case(org, login):
    child = ChildFactory(municipality=org.municipality, district=org.district_a)
    assert login(org.advisor).get(f"/api/v1/children/{child.pk}/").status_code == 404
