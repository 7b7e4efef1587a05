"""Writing the planned stories in bulk: children, relations, cases, notifications, investigations,
measures, journal notes, participants, plans and goals (the ladder movements by ``measures.demo``)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from cases import deadlines
from cases.demo.common import noon, stamp
from cases.demo.data import PROVIDERS
from cases.demo.story import ChildPlan
from cases.models import (
    Case,
    CaseParticipant,
    CaseState,
    Child,
    Goal,
    Investigation,
    JournalNote,
    LegalBasis,
    Notification,
    Plan,
    Relation,
)
from cases.services import STATE_LEGAL_BASIS
from herning.core.history import bulk_create_with_history
from measures.ladder import Span, step_on
from measures.models import LadderStep, Measure, MeasureType


def _hearing(m: dict) -> dict:
    """The child heard five days before the measure (Barnets Lov § 5, stk. 3), or the law's reason
    why not when the demo says so (``hearing_omitted``)."""
    if m.get("hearing_omitted"):
        return {
            "hearing_omitted": m["hearing_omitted"],
            "hearing_omitted_note": m.get("hearing_omitted_note", ""),
        }
    return {
        "hearing_on": m["start"] - datetime.timedelta(days=5),
        "hearing_note": "Barnet er hørt og har fortalt, hvad det mener om indsatsen.",
    }


def write(plans: list[ChildPlan], *, org, today) -> None:
    secretary = org.users["sekretaer"]
    team_leader = org.users["tl.nord"]
    types = {t.code: t for t in MeasureType.objects.select_related("ladder_step", "legal_basis")}
    steps = {s.number: s for s in LadderStep.objects.all()}
    bases = {b.code: b for b in LegalBasis.objects.all()}
    staff = {"psychologist": org.users["psykolog"], "health_visitor": org.users["sundhed"]}

    children = bulk_create_with_history(
        [stamp(p.child, secretary, noon(p.cases[0].opened_on)) for p in plans],
        Child,
        default_user=secretary,
    )
    relations = []
    for plan, child in zip(plans, children, strict=True):
        for r in plan.relations:
            r.child = child
            relations.append(stamp(r, plan.cases[0].advisor or secretary, noon(plan.cases[0].opened_on)))
    bulk_create_with_history(relations, Relation, default_user=secretary)

    # The cases with their state, step and legal basis as of today.
    case_rows, case_plans = [], []
    for plan, child in zip(plans, children, strict=True):
        for cp in plan.cases:
            spans = [
                Span(i, types[m["code"]].ladder_step.number, m["start"], m["end"])
                for i, m in enumerate(cp.measures)
            ]
            step = step_on(spans, today) if cp.state != CaseState.CLOSED else None
            if cp.state == CaseState.MEASURES and step is None:
                cp.state = CaseState.CLARIFICATION
            highest = max(
                (m for m in cp.measures if Span(0, 0, m["start"], m["end"]).active_on(today)),
                key=lambda m: types[m["code"]].ladder_step.number,
                default=None,
            )
            if cp.state == CaseState.MEASURES and highest:
                basis = types[highest["code"]].legal_basis
            elif cp.state == CaseState.CLOSED and cp.measures:
                basis = types[cp.measures[-1]["code"]].legal_basis
            else:
                basis = bases.get(STATE_LEGAL_BASIS.get(cp.state, "clarification"))
            case = Case(
                child=child,
                municipality=org.municipality,
                district=cp.team.district,
                team=cp.team,
                advisor=cp.advisor,
                state=cp.state,
                legal_basis=basis,
                current_step=steps[step] if step else None,
                opened_on=cp.opened_on,
                closed_on=cp.closed_on,
                closing_reason=cp.closing_reason,
            )
            case_rows.append(stamp(case, cp.advisor or secretary, noon(cp.opened_on)))
            case_plans.append(cp)
    cases = bulk_create_with_history(case_rows, Case, default_user=secretary)

    notifications, investigations, measures, notes, participants = [], [], [], [], []
    for case, cp in zip(cases, case_plans, strict=True):
        for n in cp.notifications:
            notifications.append(
                stamp(
                    Notification(
                        municipality=org.municipality,
                        child=case.child,
                        case=case,
                        district=case.child.district,
                        registered_by=secretary,
                        **n,
                    ),
                    secretary,
                    n["registered_at"],
                )
            )
        previous = None
        for i in cp.investigations:
            aware_on = _aware_on(cp, i["decided_on"], previous)
            previous = i["decided_on"]
            investigations.append(
                stamp(
                    Investigation(
                        case=case,
                        aware_on=aware_on,
                        deadline=deadlines.investigation_deadline(aware_on),
                        decided_by=cp.advisor or team_leader,
                        **i,
                    ),
                    cp.advisor or team_leader,
                    noon(i["decided_on"]),
                )
            )
        for m in cp.measures:
            t = types[m["code"]]
            measures.append(
                stamp(
                    Measure(
                        case=case,
                        measure_type=t,
                        provider=PROVIDERS[m["code"]],
                        start_date=m["start"],
                        planned_end=m.get("planned_end"),
                        actual_end=m["end"],
                        decision_basis=m.get("decision_basis", Measure.DecisionBasis.WITH_CONSENT),
                        legal_basis=bases["placement_without_consent"]
                        if m.get("decision_basis") == Measure.DecisionBasis.WITHOUT_CONSENT
                        else t.legal_basis,
                        ending_reason=m["ending_reason"],
                        decided_by=cp.advisor or team_leader,
                        **_hearing(m),
                    ),
                    cp.advisor or team_leader,
                    noon(m["start"]),
                )
            )
        for heading, day, text, by in cp.notes:
            notes.append(
                stamp(
                    JournalNote(
                        case=case,
                        heading=heading,
                        occurred_on=day,
                        text=text,
                        written_by=by or team_leader,
                        written_at=noon(day),
                    ),
                    by or team_leader,
                    noon(day),
                )
            )
        for role, note, added_on in cp.participants:
            participants.append(
                stamp(
                    CaseParticipant(case=case, user=staff[role], note=note, added_on=added_on),
                    cp.advisor,
                    noon(added_on),
                )
            )
    bulk_create_with_history(notifications, Notification, default_user=secretary)
    bulk_create_with_history(investigations, Investigation, default_user=secretary)
    measures = bulk_create_with_history(measures, Measure, default_user=secretary)
    bulk_create_with_history(notes, JournalNote, default_user=secretary)
    bulk_create_with_history(participants, CaseParticipant, default_user=secretary)
    from measures.demo import write_movements

    write_movements(cases, case_plans, measures, steps)
    _write_plans(cases, case_plans, secretary)


def _write_plans(cases, case_plans, secretary) -> None:
    plan_rows, plan_specs = [], []
    for case, cp in zip(cases, case_plans, strict=True):
        for spec in cp.plans:
            by = cp.advisor or secretary
            plan_rows.append(
                stamp(
                    Plan(
                        case=case,
                        kind=spec["kind"],
                        version=spec["version"],
                        purpose=spec["purpose"],
                        due_on=spec["due_on"],
                        made_on=spec["made_on"],
                        created_by=by,
                    ),
                    by,
                    noon(spec["made_on"] or case.opened_on),
                )
            )
            plan_specs.append(spec)
    plans = bulk_create_with_history(plan_rows, Plan, default_user=secretary)
    # First versions before second ones: a carried goal points back at its earlier self.
    created: dict[tuple[int, int], list[Goal]] = {}
    for version in (1, 2):
        goals, keys = [], []
        for plan, spec in zip(plans, plan_specs, strict=True):
            if spec["version"] != version:
                continue
            for order, g in enumerate(spec["goals"]):
                carried = created[(plan.case_id, 1)][g["carry"]] if "carry" in g else None
                goals.append(
                    stamp(
                        Goal(
                            plan=plan,
                            what=g["what"],
                            who=g["who"],
                            how_measured=g["how_measured"],
                            by_when=g["by_when"],
                            status=g["status"],
                            order=order,
                            carried_from=carried,
                        ),
                        plan.created_by,
                        noon(plan.made_on),
                    )
                )
                keys.append((plan.case_id, version))
        for goal, key in zip(
            bulk_create_with_history(goals, Goal, default_user=secretary), keys, strict=True
        ):
            created.setdefault(key, []).append(goal)


def _aware_on(cp, decided_on, previous):
    """As ``cases.services.default_aware_on``: the receipt of the first notification since the
    previous investigation that led to this one, else the decision itself (Barnets Lov § 20, stk. 3)."""
    days = sorted(timezone.localdate(n["received_at"]) for n in cp.notifications)
    return next((d for d in days if d <= decided_on and (previous is None or d > previous)), decided_on)
