"""One transition rule for the case's state, whichever app's event moves it."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from cases.models import Case, CaseState
from cases.services import Event, case_transition, investigation_open, state_after
from measures.services import measure_start
from tests.factories import HEARD, CaseFactory, measure_type

D = datetime.date
S = CaseState


@pytest.mark.parametrize(
    ("state", "event", "active", "after"),
    [
        (S.NOTIFICATION, Event.ASSIGNED, False, S.CLARIFICATION),
        (S.INVESTIGATION, Event.ASSIGNED, False, S.INVESTIGATION),
        (S.NOTIFICATION, Event.INVESTIGATION_OPENED, False, S.INVESTIGATION),
        (S.CLARIFICATION, Event.INVESTIGATION_OPENED, False, S.INVESTIGATION),
        (S.MEASURES, Event.INVESTIGATION_OPENED, False, S.MEASURES),
        (S.INVESTIGATION, Event.INVESTIGATION_COMPLETED, True, S.MEASURES),
        (S.INVESTIGATION, Event.INVESTIGATION_COMPLETED, False, S.CLARIFICATION),
        (S.MEASURES, Event.INVESTIGATION_COMPLETED, False, S.MEASURES),
        (S.NOTIFICATION, Event.MEASURE_STARTED, False, S.MEASURES),
        (S.INVESTIGATION, Event.MEASURE_STARTED, False, S.MEASURES),
        (S.AFTERCARE, Event.MEASURE_STARTED, False, S.AFTERCARE),
        (S.NOTIFICATION, Event.EARLY_SUPPORT_STARTED, False, S.CLARIFICATION),
        (S.CLARIFICATION, Event.EARLY_SUPPORT_STARTED, False, S.CLARIFICATION),
    ],
)
def test_state_after_an_event(state, event, active, after):
    assert state_after(state, event, has_active_measures=active) == after


def test_an_unknown_event_is_refused():
    with pytest.raises(ValueError, match="unknown case event"):
        state_after(S.CLARIFICATION, "closed_by_magic")


@pytest.mark.django_db
def test_a_transition_brings_the_legal_basis_of_the_new_state(org):
    case = CaseFactory(team=org.team_a, advisor=org.advisor, state=S.NOTIFICATION)
    case_transition(case=case, event=Event.ASSIGNED, by=org.advisor)
    case.refresh_from_db()
    assert (case.state, case.legal_basis.code) == (S.CLARIFICATION, "clarification")
    assert case.history.first().history_user == org.advisor


@pytest.mark.django_db
@time_machine.travel("2026-03-01 10:00 +01:00", tick=False)
def test_the_measures_and_cases_paths_use_the_same_rule(org):
    """A measure started on a case under investigation moves it as ``state_after`` says."""
    case = CaseFactory(team=org.team_a, advisor=org.advisor, opened_on=D(2026, 1, 1))
    investigation_open(case=case, decided_on=D(2026, 2, 1), decided_by=org.advisor)
    case.refresh_from_db()
    assert case.state == S.INVESTIGATION
    measure_start(
        hearing=HEARD,
        case=case,
        measure_type=measure_type("family_treatment"),
        start_date=D(2026, 2, 15),
        decided_by=org.advisor,
    )
    case = Case.objects.get(pk=case.pk)
    assert case.state == state_after(S.INVESTIGATION, Event.MEASURE_STARTED) == S.MEASURES
    assert case.current_step is not None
