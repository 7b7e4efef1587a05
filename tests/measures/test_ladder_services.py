"""The case's ladder step follows its measures; every change of step is a recorded movement."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from cases.models import CaseState
from measures.models import LadderMovement, Measure
from measures.services import measure_end, measure_start, step_on
from tests.factories import HEARD, CaseFactory, measure_type

D = datetime.date


@pytest.fixture
def case(org):
    return CaseFactory(team=org.team_a, advisor=org.advisor)


@time_machine.travel("2026-03-01 10:00 +01:00", tick=False)
def test_first_measure_moves_case_from_clarification_to_its_step(case, org):
    measure_start(
        hearing=HEARD,
        case=case,
        measure_type=measure_type("family_treatment"),
        start_date=D(2026, 2, 1),
        decided_by=org.advisor,
    )
    case.refresh_from_db()
    assert case.current_step.number == 2
    assert case.state == CaseState.MEASURES
    movement = LadderMovement.objects.get(case=case)
    assert (movement.from_step, movement.to_step.number) == (None, 2)
    assert movement.reason == LadderMovement.Reason.FIRST_MEASURE
    assert movement.date == D(2026, 2, 1)


@time_machine.travel("2026-03-01 10:00 +01:00", tick=False)
def test_step_is_the_highest_of_parallel_measures(case, org):
    measure_start(
        hearing=HEARD,
        case=case,
        measure_type=measure_type("family_treatment"),
        start_date=D(2026, 1, 1),
        decided_by=org.advisor,
    )
    placement = measure_start(
        hearing=HEARD,
        case=case,
        measure_type=measure_type("foster_family"),
        start_date=D(2026, 2, 1),
        decided_by=org.advisor,
    )
    measure_start(
        hearing=HEARD,
        case=case,
        measure_type=measure_type("contact_person"),
        start_date=D(2026, 2, 10),
        decided_by=org.advisor,
    )
    case.refresh_from_db()
    assert case.current_step.number == 5
    # The contact person (step 2) beside a foster family (step 5) moves nothing.
    assert [(m.from_step and m.from_step.number, m.to_step.number) for m in case.movements.all()] == [
        (None, 2),
        (2, 5),
    ]

    measure_end(
        measure=placement,
        end_date=D(2026, 2, 20),
        ending_reason=Measure.EndingReason.BREAKDOWN,
        ended_by=org.advisor,
    )
    case.refresh_from_db()
    assert case.current_step.number == 2
    last = case.movements.last()
    assert (last.from_step.number, last.to_step.number, last.date) == (5, 2, D(2026, 2, 21))
    assert last.reason == LadderMovement.Reason.PLACEMENT_FAILED
    assert last.direction == "down"


@time_machine.travel("2026-03-01 10:00 +01:00", tick=False)
def test_ending_the_last_measure_returns_to_clarification(case, org):
    m = measure_start(
        hearing=HEARD,
        case=case,
        measure_type=measure_type("mst"),
        start_date=D(2026, 1, 1),
        decided_by=org.advisor,
    )
    measure_end(
        measure=m, end_date=D(2026, 2, 1), ending_reason=Measure.EndingReason.PLANNED, ended_by=org.advisor
    )
    case.refresh_from_db()
    assert case.current_step is None
    assert case.movements.last().reason == LadderMovement.Reason.HOME_AFTER_TREATMENT
    assert step_on(case=case, day=D(2026, 1, 15)).number == 2
    assert step_on(case=case, day=D(2026, 2, 2)) is None


def test_a_closed_case_takes_no_new_measure(case, org):
    case.state = CaseState.CLOSED
    case.closed_on = D(2026, 1, 1)
    case.save()
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        measure_start(
            hearing=HEARD,
            case=case,
            measure_type=measure_type("mst"),
            start_date=D(2026, 1, 2),
            decided_by=org.advisor,
        )
