"""Helpers for the follow-up tests: measures started through the real services, follow-ups held."""

from __future__ import annotations

import datetime

from cases.models import Goal, Plan
from cases.services import GoalData, plan_create
from followups import services
from followups.models import Form
from measures.models import Measure
from measures.services import measure_start
from tests.factories import HEARD, CaseFactory, measure_type


def start_measure(org, code: str, start: datetime.date, *, case=None, advisor=None) -> Measure:
    """A measure of ``code`` started on ``start`` on a new case of team A (advisor Alice)."""
    case = case or CaseFactory(team=org.team_a, advisor=advisor or org.advisor)
    return measure_start(
        hearing=HEARD,
        case=case,
        measure_type=measure_type(code),
        start_date=start,
        decided_by=org.team_leader,
    )


def hold(measure: Measure, on: datetime.date, *, by, today: datetime.date | None = None, **overrides):
    """Record a follow-up held on ``on`` with sensible defaults (a meeting with a child conversation)."""
    values = {
        "held_on": on,
        "form": Form.MEETING,
        "participants": "Barnet, mor, kontaktperson",
        "summary": "Det går fremad.",
        "child_conversation_held": True,
        "decision": "continue",
        # Asked at the first follow-up held under Barnets Lov (§ 95, stk. 3); harmless at others.
        "cadence_reason": "Barnet trives; halvårlig lovpligtig opfølgning er nok.",
    }
    values.update(overrides)
    return services.followup_record(
        measure=measure, recorded_by=by, today=today or on, data=services.FollowUpInput(**values)
    )


def plan_with_goals(case, *, by, goals=("Går i skole hver dag",)) -> tuple[Plan, list[Goal]]:
    """The case's plan with ``goals``, written through the cases service (it fills in a plan that
    a placement decision made due)."""
    plan = plan_create(
        case=case,
        kind=Plan.Kind.CHILD_PLAN,
        made_on=min(case.opened_on, datetime.date.today()),
        purpose="Trivsel",
        created_by=by,
        goals=[
            GoalData(
                what=what,
                who="Barnet og skolen",
                how_measured="Fravær under 5 %",
                by_when=datetime.date(2026, 12, 31),
            )
            for what in goals
        ],
    )
    return plan, list(plan.goals.order_by("order", "pk"))


def deadline_rows(skip: set[str]) -> set[tuple]:
    """The deadline table as a set of rows, without the fields ``skip`` names (the moments a run
    stamps); ``details`` (a dict) as its JSON text with sorted keys, so a row can be in a set."""
    import json

    from followups.models import Deadline

    fields = [f.attname for f in Deadline._meta.concrete_fields if f.attname not in skip]
    return {
        tuple(json.dumps(v, sort_keys=True) if isinstance(v, dict) else v for v in row)
        for row in Deadline.objects.values_list(*fields)
    }
