"""Moving a case between districts (issue 5, point 2; Herningmodellen 1.0 "Praksis ved flytning af
socialrådgivernes sager mellem distrikter"): placement and aftercare cases stay; other cases go to
the receiving district's team without an advisor, its team leader assigns; the advisor who gave
the case away gets a handover-meeting deadline."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Case, CaseParticipant, CaseState, CaseTransfer
from followups.models import Deadline, DeadlineKind
from followups.selectors import my_deadlines
from measures.services import measure_start
from tests.access import ANONYMOUS, AccessMatrix, outcome_for_all
from tests.factories import HEARD, CaseFactory, ChildFactory, Role, measure_type, staff
from tests.pages import with_folds


@pytest.fixture
def case(org):
    return CaseFactory(team=org.team_a, advisor=org.advisor)


def transfer(org, case, **kwargs):
    return services.case_transfer(case=case, to_team=org.team_b, transferred_by=org.advisor, **kwargs)


def test_a_case_moves_to_the_new_districts_team_without_an_advisor(org, case):
    moved = transfer(org, case, note="Familien er flyttet til Distrikt B.")
    case.refresh_from_db()
    assert (case.team, case.district, case.advisor) == (org.team_b, org.district_b, None)
    assert (moved.from_team, moved.to_team, moved.from_advisor) == (org.team_a, org.team_b, org.advisor)
    assert moved.transferred_on == timezone.localdate()
    assert moved.note == "Familien er flyttet til Distrikt B."
    assert case.history.first().history_user == org.advisor


def test_the_receiving_team_leader_finds_it_to_distribute_and_is_told(
    org, case, login, django_capture_on_commit_callbacks
):
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        transfer(org, case)
    page = login(org.other_team_leader).get(reverse("cases:distribution")).content.decode()
    assert case.child.full_name in page
    assert "Charlie" in page  # the suggestion: the receiving team's advisor
    [message] = [m for m in mail.outbox if org.other_team_leader.email in m.to]
    assert f"Sag nr. {case.pk} er flyttet til Team B" == message.subject
    assert case.child.first_name not in message.body
    assert "overleveringsmøde" in message.body


def test_the_giving_advisor_gets_a_handover_meeting_deadline(org, case):
    moved = transfer(org, case)
    due = timezone.localdate() + datetime.timedelta(days=14)
    assert moved.handover_due_on == due
    row = Deadline.objects.get(kind=DeadlineKind.HANDOVER, source_id=moved.pk)
    assert (row.responsible, row.due_on, row.case, row.team, row.is_open) == (
        org.advisor,
        due,
        case,
        org.team_b,
        True,
    )
    assert "overleveringsmøde" in row.explanation and "Team A til Team B" in row.explanation
    assert [d.kind for d in my_deadlines(org.advisor)] == [DeadlineKind.HANDOVER]


def test_the_handover_date_may_be_chosen_but_not_in_the_past(org, case):
    with pytest.raises(ValidationError) as refused:
        transfer(org, case, handover_due_on=timezone.localdate() - datetime.timedelta(days=1))
    assert "handover_due_on" in refused.value.message_dict
    moved = transfer(org, case, handover_due_on=timezone.localdate() + datetime.timedelta(days=5))
    assert moved.handover_due_on == timezone.localdate() + datetime.timedelta(days=5)


def test_a_case_without_an_advisor_moves_without_a_handover(org):
    case = CaseFactory(team=org.team_a, advisor=None)
    moved = services.case_transfer(case=case, to_team=org.team_b, transferred_by=org.team_leader)
    assert moved.handover_due_on is None and moved.from_advisor is None
    assert not Deadline.objects.filter(kind=DeadlineKind.HANDOVER).exists()


def test_a_placement_case_stays_in_its_district(org, case):
    measure_start(
        hearing=HEARD,
        case=case,
        measure_type=measure_type("foster_family"),
        start_date=timezone.localdate() - datetime.timedelta(days=30),
        decided_by=org.team_leader,
    )
    with pytest.raises(ValidationError) as refused:
        transfer(org, case)
    assert "Anbringelsessager bliver i distriktet" in refused.value.message_dict["to_team"][0]
    case.refresh_from_db()
    assert case.team == org.team_a and not CaseTransfer.objects.exists()


def test_a_case_with_a_measure_at_home_moves(org, case):
    measure_start(
        hearing=HEARD,
        case=case,
        measure_type=measure_type("family_treatment"),
        start_date=timezone.localdate() - datetime.timedelta(days=30),
        decided_by=org.team_leader,
    )
    transfer(org, case)
    case.refresh_from_db()
    assert case.team == org.team_b


def test_an_aftercare_case_stays_in_its_district(org):
    young = ChildFactory(
        municipality=org.municipality, district=org.district_a, cpr="0101054123", first_name="Ung"
    )
    case = CaseFactory(team=org.team_a, advisor=org.advisor, child=young, state=CaseState.AFTERCARE)
    with pytest.raises(ValidationError) as refused:
        transfer(org, case)
    assert "Efterværnssager bliver i distriktet" in refused.value.message_dict["to_team"][0]


def test_a_case_cannot_move_within_its_own_district(org, case):
    with pytest.raises(ValidationError) as refused:
        services.case_transfer(case=case, to_team=org.team_a, transferred_by=org.advisor)
    assert "hører allerede til Distrikt A" in refused.value.message_dict["to_team"][0]


def test_a_closed_case_does_not_move(org, case):
    services.case_close(
        case=case, closed_on=timezone.localdate(), closing_reason="no_need", closed_by=org.advisor
    )
    with pytest.raises(ValidationError):
        transfer(org, case)


def test_the_giving_advisor_reads_the_case_until_the_handover_is_recorded(org, case):
    moved = transfer(org, case)
    assert Case.objects.visible_to(org.advisor).filter(pk=case.pk).exists()
    participant = CaseParticipant.objects.get(case=case, user=org.advisor)
    assert "overleveringsmødet" in participant.note
    services.case_assign(case=case, advisor=org.outsider, assigned_by=org.other_team_leader)
    services.handover_record(transfer=moved, held_on=timezone.localdate(), recorded_by=org.advisor)
    assert not Case.objects.visible_to(org.advisor).filter(pk=case.pk).exists()
    row = Deadline.objects.get(kind=DeadlineKind.HANDOVER, source_id=moved.pk)
    assert not row.is_open
    with pytest.raises(ValidationError):
        services.handover_record(transfer=moved, held_on=timezone.localdate(), recorded_by=org.advisor)


def test_a_handover_cannot_be_dated_before_the_move_or_in_the_future(org, case):
    moved = transfer(org, case)
    for day in (
        moved.transferred_on - datetime.timedelta(days=1),
        timezone.localdate() + datetime.timedelta(days=1),
    ):
        with pytest.raises(ValidationError) as refused:
            services.handover_record(transfer=moved, held_on=day, recorded_by=org.advisor)
        assert "handover_held_on" in refused.value.message_dict


def test_the_receiving_leaders_assignment_keeps_the_handover_with_the_giving_advisor(org, case):
    moved = transfer(org, case)
    services.case_assign(case=case, advisor=org.outsider, assigned_by=org.other_team_leader)
    row = Deadline.objects.get(kind=DeadlineKind.HANDOVER, source_id=moved.pk)
    assert row.responsible == org.advisor and row.is_open


def test_closing_the_case_closes_the_handover_deadline(org, case):
    moved = transfer(org, case)
    services.case_close(
        case=case, closed_on=timezone.localdate(), closing_reason="moved", closed_by=org.other_team_leader
    )
    assert not Deadline.objects.get(kind=DeadlineKind.HANDOVER, source_id=moved.pk).is_open


# --- Pages ------------------------------------------------------------------------------------


def test_the_advisor_moves_a_case_from_the_page(org, case, login):
    client = login(org.advisor)
    url = reverse("cases:case_transfer", args=[case.pk])
    assert url in with_folds(client, reverse("cases:child_detail", args=[case.child_id]))
    colleague = login(org.colleague, client=Client())
    assert url not in colleague.get(reverse("cases:child_detail", args=[case.child_id])).content.decode()
    page = client.get(url).content.decode()
    assert "Team B (Distrikt B)" in page and "Team A (Distrikt A)" not in page
    response = client.post(url, {"to_team": org.team_b.pk, "handover_due_on": "", "note": ""})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.team == org.team_b


def test_the_page_warns_that_a_placement_case_stays_and_refuses_it(org, case, login):
    measure_start(
        hearing=HEARD,
        case=case,
        measure_type=measure_type("institution"),
        start_date=timezone.localdate(),
        decided_by=org.team_leader,
    )
    client = login(org.advisor)
    url = reverse("cases:case_transfer", args=[case.pk])
    assert "Anbringelsessager bliver i distriktet" in client.get(url).content.decode()
    response = client.post(url, {"to_team": org.team_b.pk})
    assert (
        response.status_code == 200 and "Anbringelsessager bliver i distriktet" in response.content.decode()
    )
    case.refresh_from_db()
    assert case.team == org.team_a


def test_the_handover_is_recorded_from_its_page(org, case, login):
    moved = transfer(org, case)
    client = login(org.advisor)
    url = reverse("cases:handover_record", args=[moved.pk])
    assert "overleveringsmøde senest" in client.get(url).content.decode()
    response = client.post(url, {"handover_held_on": timezone.localdate().isoformat(), "next": "/min-dag/"})
    assert response["Location"] == "/min-dag/"
    moved.refresh_from_db()
    assert moved.handover_held_on == timezone.localdate() and moved.handover_recorded_by == org.advisor


class TestTransferPage(AccessMatrix):
    url = lambda objects: reverse("cases:case_transfer", args=[objects.case.pk])  # noqa: E731
    expected = outcome_for_all(404, advisor=200, team_leader=200, colleague=404, outsider=404)
    expected[ANONYMOUS] = 302

    @pytest.fixture
    def objects(self, org):
        return SimpleNamespace(case=CaseFactory(team=org.team_a, advisor=org.advisor))


class TestHandoverPage(AccessMatrix):
    """The giving advisor and both team leaders record it; the receiving team's advisor reads the
    case only once assigned, and then may not record the handover."""

    url = lambda objects: reverse("cases:handover_record", args=[objects.transfer.pk])  # noqa: E731
    expected = outcome_for_all(404, advisor=200, team_leader=404, other_team_leader=200, outsider=403)
    expected[ANONYMOUS] = 302

    @pytest.fixture
    def objects(self, org):
        case = CaseFactory(team=org.team_a, advisor=org.advisor)
        moved = services.case_transfer(case=case, to_team=org.team_b, transferred_by=org.advisor)
        services.case_assign(case=case, advisor=org.outsider, assigned_by=org.other_team_leader)
        return SimpleNamespace(transfer=moved)


def test_a_team_leader_of_another_municipality_cannot_record_it(org, case):
    from cases.permissions import can_record_handover
    from tests.factories import DistrictFactory, MunicipalityFactory, TeamFactory

    moved = transfer(org, case)
    elsewhere = MunicipalityFactory(name="Ikast-Brande", code="756")
    team = TeamFactory(district=DistrictFactory(municipality=elsewhere))
    leader = staff(username="tl_ikast", municipality=elsewhere, roles=[(Role.TEAM_LEADER, team)])
    assert not can_record_handover(leader, moved)
