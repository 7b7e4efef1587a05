"""Issue 21 point 3: the movements on the ladder follow from the measures' dates, and are rebuilt
for a case when a measure is started, ended or corrected back in time."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from measures import ladder
from measures.models import LadderMovement, Measure
from measures.services import case_movements_rebuild, measure_end, measure_redate, measure_start
from tests.factories import HEARD, CaseFactory, measure_type

D = datetime.date

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def frozen():
    with time_machine.travel("2026-06-01 10:00 +02:00", tick=False):
        yield


@pytest.fixture
def case(org):
    return CaseFactory(team=org.team_a, advisor=org.advisor, opened_on=D(2025, 12, 1))


def _start(case, code, day, user, **kwargs):
    return measure_start(
        hearing=HEARD, case=case, measure_type=measure_type(code), start_date=day, decided_by=user, **kwargs
    )


def _path(case):
    return [
        (
            m.date,
            m.from_step.number if m.from_step else None,
            m.to_step.number if m.to_step else None,
            m.reason,
        )
        for m in LadderMovement.objects.filter(case=case)
        .select_related("from_step", "to_step")
        .order_by("date")
    ]


def _derived(case):
    spans = [
        ladder.Span(key=m.pk, step=m.measure_type.ladder_step.number, start=m.start_date, end=m.actual_end)
        for m in Measure.objects.filter(case=case).select_related("measure_type__ladder_step")
    ]
    return [(c.date, c.from_step, c.to_step) for c in ladder.step_changes(spans)]


@pytest.fixture
def treated_then_placed(case, org):
    """Family treatment (step 2) 01.01-15.02.2026, then a foster family (step 5) from 01.03.

    Stored: 01.01 none -> 2 (first measure, the advisor's note kept below); 16.02 2 -> none (exit,
    family treatment ended with nothing after it: "home after treatment"); 01.03 none -> 5 (an entry
    again).
    """
    treatment = _start(
        case, "family_treatment", D(2026, 1, 1), org.advisor, movement_note="Aftalt med familien"
    )
    measure_end(
        measure=treatment,
        end_date=D(2026, 2, 15),
        ending_reason=Measure.EndingReason.PLANNED,
        ended_by=org.advisor,
    )
    _start(case, "foster_family", D(2026, 3, 1), org.advisor)
    assert _path(case) == [
        (D(2026, 1, 1), None, 2, "first_measure"),
        (D(2026, 2, 16), 2, None, "home_after_treatment"),
        (D(2026, 3, 1), None, 5, "first_measure"),
    ]
    return treatment


def test_an_end_corrected_back_in_time_rebuilds_the_movements(case, org, treated_then_placed):
    """The treatment in fact ran until 31.03, past the foster family's start on 01.03: the case
    never left the ladder. Derived: 01.01 none -> 2; 01.03 2 -> 5 (a greater need: up from 2); on
    01.04 the treatment ends under the foster family, so the step stays 5 and nothing moves. The
    exit on 16.02 and the entry on 01.03 are gone; the first movement is the one stored, with its
    note."""
    first = LadderMovement.objects.get(case=case, date=D(2026, 1, 1))

    measure_redate(measure=treated_then_placed, actual_end=D(2026, 3, 31), corrected_by=org.advisor)

    assert _path(case) == [
        (D(2026, 1, 1), None, 2, "first_measure"),
        (D(2026, 3, 1), 2, 5, "greater_need"),
    ]
    kept = LadderMovement.objects.get(case=case, date=D(2026, 1, 1))
    assert (kept.pk, kept.note) == (first.pk, "Aftalt med familien")
    assert [m[:3] for m in _path(case)] == _derived(case)
    case.refresh_from_db()
    assert case.current_step.number == 5


def test_a_start_corrected_keeps_the_reason_given_for_a_movement_that_still_happens(
    case, org, treated_then_placed
):
    """The advisor's reason for the exit on 16.02 stays when the foster family's start moves from
    01.03 to 10.03: that exit still happens, only the entry moves."""
    LadderMovement.objects.filter(case=case, date=D(2026, 2, 16)).update(
        reason=LadderMovement.Reason.PROGRESS
    )
    foster = Measure.objects.get(case=case, measure_type__code="foster_family")

    measure_redate(measure=foster, start_date=D(2026, 3, 10), corrected_by=org.advisor)

    assert _path(case) == [
        (D(2026, 1, 1), None, 2, "first_measure"),
        (D(2026, 2, 16), 2, None, "progress"),
        (D(2026, 3, 10), None, 5, "first_measure"),
    ]


def test_a_measure_started_back_in_time_rebuilds_the_later_movements(case, org):
    """An institution from 01.05 (none -> 6); then a foster family is registered as having started
    on 01.04. Derived: 01.04 none -> 5, 01.05 5 -> 6: the stored entry onto step 6 no longer
    happened (the case was on step 5 already) and is replaced."""
    _start(case, "institution", D(2026, 5, 1), org.advisor)
    _start(case, "foster_family", D(2026, 4, 1), org.advisor)
    assert _path(case) == [
        (D(2026, 4, 1), None, 5, "first_measure"),
        (D(2026, 5, 1), 5, 6, "greater_need"),
    ]


def test_rebuilding_movements_that_hold_changes_nothing(case, org, treated_then_placed):
    before = list(LadderMovement.objects.filter(case=case).values_list("pk", "reason", "note"))
    assert case_movements_rebuild(case=case, rebuilt_by=org.advisor) == (0, 0)
    assert list(LadderMovement.objects.filter(case=case).values_list("pk", "reason", "note")) == before


def test_a_correction_is_refused_to_those_who_may_not_edit_the_case(case, org, treated_then_placed):
    with pytest.raises(PermissionDenied):
        measure_redate(measure=treated_then_placed, actual_end=D(2026, 3, 31), corrected_by=org.outsider)


def test_a_running_measure_is_ended_not_corrected(case, org, treated_then_placed):
    foster = Measure.objects.get(case=case, measure_type__code="foster_family")
    with pytest.raises(ValidationError):
        measure_redate(measure=foster, actual_end=D(2026, 4, 30), corrected_by=org.advisor)
