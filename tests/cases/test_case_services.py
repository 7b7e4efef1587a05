"""The case: one open per child, assignment, states, and closing (read-only afterwards)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from cases import services
from cases.models import Case, CaseParticipant, CaseState
from cases.permissions import can_edit_case
from measures.services import measure_end, measure_start
from tests.factories import HEARD, CaseFactory, ChildFactory, TeamFactory, cpr_for, measure_type

D = datetime.date


def test_a_child_has_at_most_one_open_case_and_closed_ones_are_kept(org, case):
    with pytest.raises(ValidationError) as error:
        services.case_open(child=case.child, opened_by=org.advisor, advisor=org.advisor)
    assert "allerede en åben sag" in str(error.value)

    services.case_close(
        case=case, closed_on=case.opened_on, closing_reason=Case.ClosingReason.NO_NEED, closed_by=org.advisor
    )
    second = services.case_open(child=case.child, opened_by=org.advisor, advisor=org.advisor)
    assert list(Case.objects.filter(child=case.child).order_by("pk").values_list("state", flat=True)) == [
        CaseState.CLOSED,
        second.state,
    ]


def test_a_new_case_goes_to_the_advisors_team_in_the_childs_district(org):
    child = ChildFactory(municipality=org.municipality, district=org.district_a)
    case = services.case_open(child=child, opened_by=org.advisor, advisor=org.advisor)
    assert (case.team, case.district, case.advisor, case.state) == (
        org.team_a,
        org.district_a,
        org.advisor,
        CaseState.CLARIFICATION,
    )
    assert case.legal_basis.citation == "SEL § 11 / BL § 19"


def test_an_advisor_of_another_team_cannot_be_made_responsible(org, case):
    with pytest.raises(ValidationError) as error:
        services.case_assign(case=case, advisor=org.outsider, assigned_by=org.team_leader)
    assert "advisor" in error.value.error_dict


def test_assignment_takes_a_notification_case_into_clarification_and_tells_the_advisor(
    org, outbox, django_capture_on_commit_callbacks
):
    case = CaseFactory(team=org.team_a, advisor=None, state=CaseState.NOTIFICATION)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_assign(case=case, advisor=org.colleague, assigned_by=org.team_leader)
    case.refresh_from_db()
    assert (case.advisor, case.state) == (org.colleague, CaseState.CLARIFICATION)
    assert [m.to for m in outbox] == [[org.colleague.email]]
    assert case.child.first_name not in outbox[0].body and case.child.cpr not in outbox[0].body
    assert case.history.first().history_user == org.team_leader


@time_machine.travel("2026-03-01 10:00 +01:00", tick=False)
def test_closing_is_refused_while_a_measure_runs_and_the_case_is_read_only_afterwards(org):
    case = CaseFactory(team=org.team_a, advisor=org.advisor, opened_on=D(2026, 1, 2))
    measure = measure_start(
        hearing=HEARD,
        case=case,
        measure_type=measure_type("mst"),
        start_date=D(2026, 1, 5),
        decided_by=org.advisor,
    )
    with pytest.raises(ValidationError) as error:
        services.case_close(
            case=case,
            closed_on=D(2026, 3, 1),
            closing_reason=Case.ClosingReason.GOALS_MET,
            closed_by=org.advisor,
        )
    assert "ikke er afsluttet" in str(error.value)

    measure_end(measure=measure, end_date=D(2026, 2, 28), ending_reason="goals_met", ended_by=org.advisor)
    services.case_close(
        case=case, closed_on=D(2026, 3, 1), closing_reason=Case.ClosingReason.GOALS_MET, closed_by=org.advisor
    )
    case.refresh_from_db()
    assert (case.state, case.closed_on) == (CaseState.CLOSED, D(2026, 3, 1))
    assert not can_edit_case(org.advisor, case)
    with pytest.raises(ValidationError):
        services.journal_add(case=case, heading="note", text="Efter lukning", written_by=org.advisor)
    with pytest.raises(ValidationError):
        measure_start(
            hearing=HEARD,
            case=case,
            measure_type=measure_type("mst"),
            start_date=D(2026, 3, 1),
            decided_by=org.advisor,
        )


def test_closing_is_refused_while_an_investigation_runs(org, case):
    services.investigation_open(case=case, decided_on=case.opened_on, decided_by=org.advisor)
    with pytest.raises(ValidationError):
        services.case_close(
            case=case,
            closed_on=case.opened_on,
            closing_reason=Case.ClosingReason.NO_NEED,
            closed_by=org.advisor,
        )


def test_closing_needs_a_reason_and_a_date_not_before_the_opening(org, case):
    with pytest.raises(ValidationError) as error:
        services.case_close(
            case=case,
            closed_on=case.opened_on - datetime.timedelta(days=1),
            closing_reason="",
            closed_by=org.advisor,
        )
    assert set(error.value.error_dict) == {"closed_on", "closing_reason"}


@time_machine.travel("2026-03-01 10:00 +01:00", tick=False)
def test_aftercare_is_a_state_for_young_people_of_18_to_22(org):
    young = CaseFactory(team=org.team_a, advisor=org.advisor, child__cpr=cpr_for(D(2007, 5, 1), 1))
    child = CaseFactory(team=org.team_a, advisor=org.advisor, child__cpr=cpr_for(D(2012, 5, 1), 2))
    services.case_set_state(case=young, state=CaseState.AFTERCARE, changed_by=org.advisor)
    young.refresh_from_db()
    assert young.state == CaseState.AFTERCARE
    assert young.legal_basis.citation == "SEL § 76 / BL §§ 114-116"
    with pytest.raises(ValidationError) as error:
        services.case_set_state(case=child, state=CaseState.AFTERCARE, changed_by=org.advisor)
    assert "18 og 22" in str(error.value)


def test_the_measures_state_needs_an_active_measure_and_investigation_has_its_own_service(org, case):
    with pytest.raises(ValidationError):
        services.case_set_state(case=case, state=CaseState.MEASURES, changed_by=org.advisor)
    with pytest.raises(ValidationError):
        services.case_set_state(case=case, state=CaseState.INVESTIGATION, changed_by=org.advisor)


def test_a_professional_of_another_municipality_cannot_join_the_case(org, case):
    from tests.factories import Role, staff

    stranger = staff(
        username="x", municipality=TeamFactory().district.municipality, roles=[(Role.PSYCHOLOGIST, None)]
    )
    with pytest.raises(ValidationError):
        services.case_participant_add(case=case, user=stranger, added_by=org.advisor)
    participant = services.case_participant_add(
        case=case, user=org.psychologist, note="PPR", added_by=org.advisor
    )
    services.case_participant_remove(participant=participant, removed_by=org.advisor)
    assert not case.case_participants.exists()
    assert CaseParticipant.history.filter(case_id=case.pk, history_type="-").get().history_user == org.advisor
