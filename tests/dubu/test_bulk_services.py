"""The bulk services an import writes through keep the rules and consequences of the single-record
services: ladder movements at every change of step, the case's state, step and legal basis."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from cases.models import Case
from measures import bulk, services
from measures.models import LadderMovement
from tests.factories import HEARD, CaseFactory, measure_type

pytestmark = pytest.mark.django_db
D = datetime.date


def _moves(case):
    return [
        (
            m.date,
            m.from_step.number if m.from_step else None,
            m.to_step.number if m.to_step else None,
            m.reason,
        )
        for m in LadderMovement.objects.filter(case=case).order_by("date", "pk")
    ]


def test_a_historic_measure_moves_the_case_up_and_back_down(org):
    case = CaseFactory(team=org.team_a, advisor=org.advisor)
    bulk.measures_start(
        measures=[
            bulk.NewMeasure(
                case=case,
                measure_type=measure_type("institution"),
                start_date=D(2025, 1, 1),
                end_date=D(2025, 6, 30),
                ending_reason="breakdown",
            )
        ],
        decided_by=org.team_leader,
    )
    assert _moves(case) == [
        (D(2025, 1, 1), None, 6, "first_measure"),
        (D(2025, 7, 1), 6, None, "placement_failed"),
    ]
    case.refresh_from_db()
    assert (case.state, case.current_step) == ("measures", None)
    assert case.history.first().history_user == org.team_leader


def test_new_measures_join_the_ones_a_case_has(org):
    case = CaseFactory(team=org.team_a, advisor=org.advisor)
    services.measure_start(
        hearing=HEARD,
        case=case,
        measure_type=measure_type("family_treatment"),
        start_date=D(2025, 1, 1),
        decided_by=org.advisor,
    )
    bulk.measures_start(
        measures=[
            bulk.NewMeasure(case=case, measure_type=measure_type("foster_family"), start_date=D(2025, 3, 1)),
            bulk.NewMeasure(case=case, measure_type=measure_type("mst"), start_date=D(2025, 2, 1)),
        ],
        decided_by=org.advisor,
    )
    # MST on step 2 beside family treatment on step 2 moves nothing; the foster family moves up.
    assert _moves(case) == [
        (D(2025, 1, 1), None, 2, "first_measure"),
        (D(2025, 3, 1), 2, 5, "greater_need"),
    ]
    case = Case.objects.get(pk=case.pk)
    assert (case.current_step.number, case.legal_basis.code) == (5, "placement_with_consent")
    assert case.plans.get().due_on == D(2025, 6, 1)


def test_a_closed_case_refuses_new_measures(org):
    case = CaseFactory(team=org.team_a, advisor=org.advisor, state="closed", closed_on=D(2025, 1, 1))
    with pytest.raises(ValidationError):
        bulk.measures_start(
            measures=[bulk.NewMeasure(case=case, measure_type=measure_type("mst"), start_date=D(2025, 2, 1))],
            decided_by=org.advisor,
        )
