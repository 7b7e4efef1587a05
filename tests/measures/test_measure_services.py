"""Changing a measure moves the case once; early support leaves the case in clarification; every
change of step is a movement, the same as the pure ladder computation says."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from cases import services as case_services
from cases.models import Case, CaseState
from measures.ladder import Span, step_changes, step_on
from measures.models import LadderMovement, Measure
from measures.services import measure_change, measure_end, measure_start
from tests.factories import HEARD, CaseFactory, measure_type

D = datetime.date


@pytest.fixture
def case(org):
    return CaseFactory(team=org.team_a, advisor=org.advisor, opened_on=D(2025, 6, 1))


def movements(case):
    return [
        (m.date, m.from_step and m.from_step.number, m.to_step and m.to_step.number, m.reason)
        for m in LadderMovement.objects.filter(case=case).select_related("from_step", "to_step")
    ]


@time_machine.travel("2026-03-01 10:00 +01:00", tick=False)
def test_moving_from_an_institution_to_a_foster_family_is_one_movement_down(org, case):
    institution = measure_start(
        hearing=HEARD,
        case=case,
        measure_type=measure_type("institution"),
        start_date=D(2025, 9, 1),
        decided_by=org.advisor,
    )
    foster = measure_change(
        hearing=HEARD,
        measure=institution,
        change_date=D(2026, 2, 1),
        ending_reason=Measure.EndingReason.CHILDS_WISH,
        new_measure_type=measure_type("foster_family"),
        provider="Plejefamilien Holm",
        decided_by=org.advisor,
    )
    institution.refresh_from_db()
    assert (institution.actual_end, institution.ending_reason) == (
        D(2026, 1, 31),
        Measure.EndingReason.CHILDS_WISH,
    )
    assert (foster.start_date, foster.provider) == (D(2026, 2, 1), "Plejefamilien Holm")
    assert movements(case) == [
        (D(2025, 9, 1), None, 6, LadderMovement.Reason.FIRST_MEASURE),
        (D(2026, 2, 1), 6, 5, LadderMovement.Reason.CHILDS_WISH),
    ]
    case.refresh_from_db()
    assert case.current_step.number == 5


@time_machine.travel("2026-03-01 10:00 +01:00", tick=False)
def test_changing_up_the_ladder_records_a_greater_need(org, case):
    support = measure_start(
        hearing=HEARD,
        case=case,
        measure_type=measure_type("family_treatment"),
        start_date=D(2025, 9, 1),
        decided_by=org.advisor,
    )
    measure_change(
        hearing=HEARD,
        measure=support,
        change_date=D(2026, 1, 1),
        ending_reason=Measure.EndingReason.CHANGED_MEASURE,
        new_measure_type=measure_type("foster_family"),
        decided_by=org.advisor,
    )
    assert movements(case)[-1] == (D(2026, 1, 1), 2, 5, LadderMovement.Reason.GREATER_NEED)


def test_a_change_must_come_after_the_start(org, case):
    m = measure_start(
        hearing=HEARD,
        case=case,
        measure_type=measure_type("mst"),
        start_date=D(2025, 9, 1),
        decided_by=org.advisor,
    )
    with pytest.raises(ValidationError) as error:
        measure_change(
            hearing=HEARD,
            measure=m,
            change_date=D(2025, 9, 1),
            ending_reason="changed_measure",
            new_measure_type=measure_type("mst"),
            decided_by=org.advisor,
        )
    assert "change_date" in error.value.error_dict


@time_machine.travel("2026-03-01 10:00 +01:00", tick=False)
def test_early_support_is_given_while_the_case_is_still_being_clarified(org):
    case = CaseFactory(
        team=org.team_a, advisor=org.advisor, state=CaseState.NOTIFICATION, opened_on=D(2026, 2, 1)
    )
    measure_start(
        hearing=HEARD,
        case=case,
        measure_type=measure_type("early_support"),
        start_date=D(2026, 2, 10),
        decided_by=org.advisor,
    )
    case.refresh_from_db()
    assert (case.state, case.current_step.number) == (CaseState.CLARIFICATION, 1)


@time_machine.travel("2026-03-01 10:00 +01:00", tick=False)
def test_the_cases_legal_basis_follows_its_highest_measure(org, case):
    measure_start(
        hearing=HEARD,
        case=case,
        measure_type=measure_type("contact_person"),
        start_date=D(2025, 9, 1),
        decided_by=org.advisor,
    )
    measure_start(
        hearing=HEARD,
        case=case,
        measure_type=measure_type("foster_family"),
        start_date=D(2025, 10, 1),
        decided_by=org.advisor,
    )
    case.refresh_from_db()
    assert case.legal_basis.citation == "SEL § 52, stk. 3, nr. 7 / BL § 46"


@time_machine.travel("2026-03-01 10:00 +01:00", tick=False)
def test_every_step_change_of_a_busy_case_is_a_movement_as_the_pure_ladder_says(org, case):
    mst = measure_start(
        hearing=HEARD,
        case=case,
        measure_type=measure_type("mst"),
        start_date=D(2025, 7, 1),
        decided_by=org.advisor,
    )
    respite = measure_start(
        hearing=HEARD,
        case=case,
        measure_type=measure_type("respite_care"),
        start_date=D(2025, 7, 15),
        decided_by=org.advisor,
    )
    short = measure_start(
        hearing=HEARD,
        case=case,
        measure_type=measure_type("short_term_placement"),
        start_date=D(2025, 8, 1),
        decided_by=org.advisor,
    )
    measure_end(measure=short, end_date=D(2025, 9, 30), ending_reason="planned", ended_by=org.advisor)
    measure_end(measure=mst, end_date=D(2025, 11, 30), ending_reason="planned", ended_by=org.advisor)
    own_room = measure_start(
        hearing=HEARD,
        case=case,
        measure_type=measure_type("own_room"),
        start_date=D(2025, 12, 1),
        decided_by=org.advisor,
    )
    measure_end(measure=respite, end_date=D(2026, 1, 15), ending_reason="planned", ended_by=org.advisor)
    measure_end(measure=own_room, end_date=D(2026, 2, 15), ending_reason="breakdown", ended_by=org.advisor)

    stored = movements(case)
    spans = [
        Span(m.pk, m.measure_type.ladder_step.number, m.start_date, m.actual_end)
        for m in Measure.objects.filter(case=case).select_related("measure_type__ladder_step")
    ]
    assert [(c.date, c.from_step, c.to_step) for c in step_changes(spans)] == [
        (d, a, b) for d, a, b, _ in stored
    ]
    assert stored == [
        (D(2025, 7, 1), None, 2, LadderMovement.Reason.FIRST_MEASURE),
        (D(2025, 8, 1), 2, 6, LadderMovement.Reason.GREATER_NEED),
        (D(2025, 10, 1), 6, 2, LadderMovement.Reason.SHORT_TERM_ENDED),
        (D(2025, 12, 1), 2, 3, LadderMovement.Reason.GREATER_NEED),
        (D(2026, 2, 16), 3, None, LadderMovement.Reason.PLACEMENT_FAILED),
    ]
    case.refresh_from_db()
    assert case.current_step is None


def test_the_pure_ladder_counts_parallel_measures_by_their_highest_step():
    spans = [
        Span("a", 2, D(2026, 1, 1)),
        Span("b", 5, D(2026, 2, 1), D(2026, 2, 28)),
        Span("c", 2, D(2026, 2, 10)),
    ]
    assert step_on(spans, D(2026, 2, 15)) == 5
    changes = step_changes(spans)
    assert [(c.date, c.from_step, c.to_step, c.started, c.ended) for c in changes] == [
        (D(2026, 1, 1), None, 2, ("a",), ()),
        (D(2026, 2, 1), 2, 5, ("b",), ()),
        (D(2026, 3, 1), 5, 2, (), ("b",)),
    ]
    assert [c.is_up for c in changes] == [True, True, False]


def test_a_measure_of_a_closed_case_cannot_be_ended_again(org, case):
    m = measure_start(
        hearing=HEARD,
        case=case,
        measure_type=measure_type("mst"),
        start_date=D(2025, 7, 1),
        decided_by=org.advisor,
    )
    measure_end(measure=m, end_date=D(2025, 8, 1), ending_reason="planned", ended_by=org.advisor)
    case_services.case_close(
        case=case, closed_on=D(2025, 8, 2), closing_reason=Case.ClosingReason.GOALS_MET, closed_by=org.advisor
    )
    with pytest.raises(ValidationError):
        measure_end(measure=m, end_date=D(2025, 8, 3), ending_reason="planned", ended_by=org.advisor)


@time_machine.travel("2026-03-01 10:00 +01:00", tick=False)
def test_the_next_followup_date_is_stored_and_cleared_by_the_measures_app(org, case):
    from measures.services import next_followup_due_clear, next_followup_due_set

    first = measure_start(
        hearing=HEARD,
        case=case,
        measure_type=measure_type("family_treatment"),
        start_date=D(2026, 1, 5),
        decided_by=org.advisor,
    )
    other = measure_start(
        hearing=HEARD,
        case=case,
        measure_type=measure_type("contact_person"),
        start_date=D(2026, 1, 5),
        decided_by=org.advisor,
    )
    next_followup_due_set(due={first.pk: D(2026, 4, 1), other.pk: D(2026, 5, 1)})
    assert dict(Measure.objects.filter(case=case).values_list("pk", "next_followup_due")) == {
        first.pk: D(2026, 4, 1),
        other.pk: D(2026, 5, 1),
    }
    assert next_followup_due_clear(first=first.pk, last=max(first.pk, other.pk), keep={first.pk}) >= 1
    assert dict(Measure.objects.filter(case=case).values_list("pk", "next_followup_due")) == {
        first.pk: D(2026, 4, 1),
        other.pk: None,
    }


@time_machine.travel("2026-03-01 10:00 +01:00", tick=False)
def test_a_measure_identical_to_a_running_one_is_refused_at_its_start(org, case):
    def start(type_code="mst", day=None):
        day = day or D(2025, 7, 1)
        return measure_start(
            hearing=HEARD,
            case=case,
            measure_type=measure_type(type_code),
            start_date=day,
            decided_by=org.advisor,
        )

    first = start()
    with pytest.raises(ValidationError) as refused:
        start()
    assert "start_date" in refused.value.error_dict
    assert Measure.objects.filter(case=case).count() == 1
    # Another day or another type is another decision.
    start(day=D(2025, 7, 2))
    start(type_code="family_treatment")
    # Once the first has ended, the same type from the same day is no longer a repeat of it.
    measure_end(measure=first, end_date=D(2025, 7, 1), ending_reason="planned", ended_by=org.advisor)
    start()
    assert Measure.objects.filter(case=case).count() == 4
