"""Investigations (four months, a network map warned about), the child's plan in versions with
SMART goals and their status over time, and a journal that is corrected openly, never silently."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from cases import extensions, services
from cases.models import CaseState, Goal, JournalNote, Plan
from cases.selectors import goal_status_history, plans_of
from measures.models import Measure
from measures.services import measure_start
from tests.factories import HEARD, CaseFactory, cpr_for, measure_type

D = datetime.date


@pytest.fixture
def old_case(org):
    return CaseFactory(team=org.team_a, advisor=org.advisor, opened_on=D(2025, 9, 1))


@time_machine.travel("2026-03-01 10:00 +01:00", tick=False)
def test_an_investigation_is_due_four_calendar_months_after_the_municipality_became_aware(org, old_case):
    investigation = services.investigation_open(
        case=old_case, decided_on=D(2025, 11, 3), aware_on=D(2025, 10, 31), decided_by=org.advisor
    )
    assert investigation.deadline == D(2026, 2, 28)
    old_case.refresh_from_db()
    assert old_case.state == CaseState.INVESTIGATION
    assert old_case.legal_basis.citation == "SEL § 50 / BL § 20"
    with pytest.raises(ValidationError):
        services.investigation_open(case=old_case, decided_on=D(2026, 1, 1), decided_by=org.advisor)


@time_machine.travel("2026-03-01 10:00 +01:00", tick=False)
def test_completing_an_investigation_returns_the_case_to_clarification_or_its_measures(org, old_case):
    investigation = services.investigation_open(
        case=old_case, decided_on=D(2025, 11, 1), decided_by=org.advisor
    )
    with pytest.raises(ValidationError) as error:
        services.investigation_complete(
            investigation=investigation, completed_on=D(2025, 10, 1), conclusion="", completed_by=org.advisor
        )
    assert set(error.value.error_dict) == {"completed_on", "conclusion"}
    services.investigation_complete(
        investigation=investigation,
        completed_on=D(2026, 2, 1),
        conclusion="Behov for støtte.",
        completed_by=org.advisor,
    )
    old_case.refresh_from_db()
    assert old_case.state == CaseState.CLARIFICATION

    second = services.investigation_open(case=old_case, decided_on=D(2026, 2, 2), decided_by=org.advisor)
    measure_start(
        hearing=HEARD,
        case=old_case,
        measure_type=measure_type("family_treatment"),
        start_date=D(2026, 2, 10),
        decided_by=org.advisor,
    )
    services.investigation_complete(
        investigation=second, completed_on=D(2026, 2, 20), conclusion="Fortsæt.", completed_by=org.advisor
    )
    old_case.refresh_from_db()
    assert old_case.state == CaseState.MEASURES


@pytest.fixture
def network_maps():
    """Restore the registry after a test that wires a network-map check."""
    saved = list(extensions._network_map_check)
    yield
    extensions._network_map_check[:] = saved


def test_an_investigation_has_no_network_map_until_the_owner_of_maps_says_so(org, case, network_maps):
    investigation = services.investigation_open(case=case, decided_on=case.opened_on, decided_by=org.advisor)
    assert investigation.has_network_map is False
    extensions.register_network_map_check(lambda i: i.pk == investigation.pk)
    assert investigation.has_network_map is True


@time_machine.travel("2026-03-01 10:00 +01:00", tick=False)
def test_a_placement_sets_the_deadline_of_the_childs_plan_three_months_ahead(org, old_case):
    measure_start(
        hearing=HEARD,
        case=old_case,
        measure_type=measure_type("foster_family"),
        start_date=D(2026, 1, 31),
        decided_by=org.advisor,
    )
    plan = Plan.objects.get(case=old_case)
    assert (plan.due_on, plan.made_on, plan.version) == (D(2026, 4, 30), None, 1)
    assert plan.kind == Plan.Kind.CHILD_PLAN
    # A second placement does not ask for another plan.
    measure_start(
        hearing=HEARD,
        case=old_case,
        measure_type=measure_type("institution"),
        start_date=D(2026, 2, 15),
        decided_by=org.advisor,
    )
    assert Plan.objects.filter(case=old_case).count() == 1


@time_machine.travel("2026-03-01 10:00 +01:00", tick=False)
def test_a_placement_without_consent_needs_the_plan_before_the_decision_and_a_youth_gets_an_ungeplan(org):
    youth = CaseFactory(
        team=org.team_a, advisor=org.advisor, opened_on=D(2026, 1, 1), child__cpr=cpr_for(D(2010, 1, 1), 3)
    )
    start = {
        "hearing": HEARD,
        "case": youth,
        "measure_type": measure_type("institution"),
        "start_date": D(2026, 2, 1),
        "decision_basis": "without_consent",
        "decided_by": org.advisor,
    }
    # Barnets Lov § 91, stk. 2, 3. pkt.: no plan, no decision ...
    with pytest.raises(ValidationError) as refused:
        measure_start(**start)
    assert "plan_exception" in refused.value.message_dict
    assert not Measure.objects.filter(case=youth).exists()
    # ... unless the reason it could not wait is recorded; the plan is then due within 3 months.
    measure_start(**start, plan_exception="Foreløbig afgørelse (Barnets Lov § 143): barnet kunne ikke vente.")
    plan = Plan.objects.get(case=youth)
    assert (plan.kind, plan.due_on) == (Plan.Kind.YOUTH_PLAN, D(2026, 5, 1))


@time_machine.travel("2023-06-01 10:00 +02:00", tick=False)
def test_before_barnets_lov_the_plan_is_a_handleplan(org):
    case = CaseFactory(team=org.team_a, advisor=org.advisor, opened_on=D(2023, 1, 1))
    measure_start(
        hearing=HEARD,
        case=case,
        measure_type=measure_type("foster_family"),
        start_date=D(2023, 5, 1),
        decided_by=org.advisor,
    )
    assert Plan.objects.get(case=case).kind == Plan.Kind.ACTION_PLAN


GOAL_DATE = D(2026, 9, 1)


def goal(what, by_when=GOAL_DATE, **extra):
    return services.GoalData(
        what=what, who="Barnet og forældre", how_measured="Fravær under 5 %", by_when=by_when, **extra
    )


@time_machine.travel("2026-03-01 10:00 +01:00", tick=False)
def test_a_revised_plan_is_a_new_version_and_each_goals_status_is_followed_over_time(org, old_case):
    measure_start(
        hearing=HEARD,
        case=old_case,
        measure_type=measure_type("foster_family"),
        start_date=D(2026, 1, 31),
        decided_by=org.advisor,
    )
    first = services.plan_create(
        case=old_case,
        kind=Plan.Kind.CHILD_PLAN,
        made_on=D(2026, 2, 20),
        goals=[goal("Skolegang"), goal("Fritid")],
        created_by=org.advisor,
    )
    assert (first.version, first.made_on, first.due_on) == (1, D(2026, 2, 20), D(2026, 4, 30))
    with pytest.raises(ValidationError):
        services.plan_create(
            case=old_case,
            kind=Plan.Kind.CHILD_PLAN,
            made_on=D(2026, 2, 21),
            goals=[goal("Igen")],
            created_by=org.advisor,
        )
    school, leisure = first.goals.order_by("order")
    services.goal_update_status(
        goal=school, status=Goal.Status.IN_PROGRESS, note="Bedre fremmøde", updated_by=org.advisor
    )

    second = services.plan_revise(
        plan=first,
        made_on=D(2026, 3, 1),
        goals=[goal("Skolegang", status=Goal.Status.PARTLY_MET, carried_from=school), goal("Venskaber")],
        revised_by=org.colleague,
    )
    assert second.version == 2
    # The first version is kept as it was, goals included.
    first.refresh_from_db()
    assert [g.what for g in first.goals.order_by("order")] == ["Skolegang", "Fritid"]
    assert leisure.status == Goal.Status.NOT_STARTED
    # Only the newest version's goals change.
    with pytest.raises(ValidationError):
        services.goal_update_status(goal=leisure, status=Goal.Status.MET, updated_by=org.advisor)
    with pytest.raises(ValidationError):
        services.plan_revise(plan=first, made_on=D(2026, 3, 1), goals=[goal("X")], revised_by=org.advisor)

    carried = second.goals.get(what="Skolegang")
    services.goal_update_status(goal=carried, status=Goal.Status.MET, updated_by=org.advisor)
    history = goal_status_history(plans_of(old_case))[carried.pk]
    assert [h.status for h in history] == [
        Goal.Status.NOT_STARTED,
        Goal.Status.IN_PROGRESS,
        Goal.Status.PARTLY_MET,
        Goal.Status.MET,
    ]
    assert history[1].history_user == org.advisor


def test_a_plan_needs_a_goal(org, case):
    with pytest.raises(ValidationError) as error:
        services.plan_create(
            case=case, kind=Plan.Kind.CHILD_PLAN, made_on=case.opened_on, goals=[], created_by=org.advisor
        )
    assert "goals" in error.value.error_dict


def test_a_journal_note_is_corrected_openly_and_its_first_wording_kept(org, case):
    note = services.journal_add(
        case=case, heading=JournalNote.Heading.CHILD_CONVERSATION, text="Første tekst", written_by=org.advisor
    )
    with pytest.raises(ValidationError) as error:
        services.journal_correct(note=note, text="Rettet tekst", reason="", corrected_by=org.advisor)
    assert "correction_reason" in error.value.error_dict
    services.journal_correct(
        note=note, text="Rettet tekst", reason="Forkert dato for samtalen", corrected_by=org.team_leader
    )
    note.refresh_from_db()
    assert (note.text, note.corrected_by, note.correction_reason) == (
        "Rettet tekst",
        org.team_leader,
        "Forkert dato for samtalen",
    )
    versions = list(note.history.order_by("history_date").values_list("text", "history_user__username"))
    assert versions == [("Første tekst", "alice"), ("Rettet tekst", "tl")]


def test_a_journal_note_cannot_be_dated_in_the_future(org, case):
    with pytest.raises(ValidationError):
        services.journal_add(
            case=case,
            heading=JournalNote.Heading.NOTE,
            text="x",
            occurred_on=D(2999, 1, 1),
            written_by=org.advisor,
        )
