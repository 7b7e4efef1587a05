"""The record every API test looks at: Alice's case in team A, with the PPR psychologist added
(who may read it but not change it)."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from cases import services as case_services
from cases.models import CaseParticipant
from measures import services as measure_services
from tests.factories import HEARD, CaseFactory, measure_type


@pytest.fixture
def scenario(org):
    case = CaseFactory(team=org.team_a, advisor=org.advisor, opened_on=datetime.date(2025, 1, 6))
    CaseParticipant.objects.create(case=case, user=org.psychologist, note="PPR")
    return SimpleNamespace(case=case, child=case.child)


@pytest.fixture
def with_measure(org, scenario):
    scenario.measure = measure_services.measure_start(
        hearing=HEARD,
        case=scenario.case,
        measure_type=measure_type("family_treatment"),
        start_date=timezone.localdate() - datetime.timedelta(days=40),
        decided_by=org.advisor,
        provider="Familiecenteret",
    )
    return scenario


@pytest.fixture
def with_plan(org, scenario):
    scenario.plan = case_services.plan_create(
        case=scenario.case,
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
    scenario.goal = scenario.plan.goals.get()
    return scenario
