"""The child's plan and its SMART goals."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import deadlines, obligations
from cases.models import (
    Case,
    Child,
    Goal,
    Plan,
)
from cases.selectors import current_plan
from cases.services.common import require_open
from herning.core import law
from herning.core.history import acting_as
from herning.organisation.models import User


@dataclass(frozen=True)
class GoalData:
    """A SMART goal as written in a plan form: what, who, how progress is seen, by when."""

    what: str
    who: str
    how_measured: str
    by_when: datetime.date
    status: str = Goal.Status.NOT_STARTED
    status_note: str = ""
    carried_from: Goal | None = None


def plan_kind_for(child: Child, on: datetime.date) -> str:
    """Handleplan under Serviceloven; under Barnets Lov barnets plan, or ungeplan for a young
    person of 15 or more (BL § 108)."""
    regime = law.regime_on(on)
    if regime.youth_plan is None:
        return Plan.Kind.ACTION_PLAN
    return Plan.Kind.YOUTH_PLAN if child.age_on(on) >= regime.youth_plan_from_age else Plan.Kind.CHILD_PLAN


@transaction.atomic
def plan_require(
    *, case: Case, decided_on: datetime.date, without_consent: bool, required_by: User
) -> Plan | None:
    """After a placement decision, make sure the case has a plan or a plan due (BL § 91).

    When the case has no plan yet, a plan to be made is recorded with its deadline
    (``Plan.due_on``); the advisor writes it with ``plan_create``. Returns that plan, or None
    when a plan exists already.
    """
    if case.plans.exists():
        return None
    plan = Plan(
        case=case,
        kind=plan_kind_for(case.child, decided_on),
        version=1,
        due_on=deadlines.plan_due(decided_on, without_consent=without_consent),
        created_by=required_by,
    )
    with acting_as(required_by):
        plan.full_clean()
        plan.save()
    obligations.changed("plan", [plan.pk])
    return plan


def _save_goals(plan: Plan, goals: list[GoalData]) -> None:
    if not goals:
        raise ValidationError({"goals": _("En plan skal have mindst ét mål.")})
    for order, data in enumerate(goals):
        if data.carried_from is not None and data.carried_from.plan.case_id != plan.case_id:
            raise ValidationError({"goals": _("Et videreført mål skal komme fra samme sag.")})
        goal = Goal(
            plan=plan,
            what=data.what,
            who=data.who,
            how_measured=data.how_measured,
            by_when=data.by_when,
            status=data.status,
            status_note=data.status_note,
            order=order,
            carried_from=data.carried_from,
        )
        goal.full_clean()
        goal.save()


def _check_made_on(made_on: datetime.date) -> None:
    if made_on > timezone.localdate():
        raise ValidationError({"made_on": _("Datoen kan ikke ligge i fremtiden.")})


@transaction.atomic
def plan_create(
    *,
    case: Case,
    kind: str,
    made_on: datetime.date,
    goals: list[GoalData],
    created_by: User,
    purpose: str = "",
) -> Plan:
    """Write the case's first plan (filling in a plan that is due, if there is one)."""
    case = Case.objects.for_system().select_for_update().get(pk=case.pk)
    require_open(case)
    _check_made_on(made_on)
    plan = current_plan(case)
    if plan is not None and plan.is_made:
        raise ValidationError(_("Sagen har allerede en plan. Revidér den i stedet."))
    if plan is None:
        plan = Plan(case=case, version=1, created_by=created_by)
    plan.kind = kind
    plan.purpose = purpose
    plan.made_on = made_on
    with acting_as(created_by):
        plan.full_clean()
        plan.save()
        _save_goals(plan, goals)
    obligations.changed("plan", [plan.pk])
    return plan


@transaction.atomic
def plan_revise(
    *,
    plan: Plan,
    made_on: datetime.date,
    goals: list[GoalData],
    revised_by: User,
    purpose: str | None = None,
    kind: str | None = None,
) -> Plan:
    """Make the next version of a plan. The earlier version and its goals stay as they were;
    goals carried over point back to their earlier selves (``Goal.carried_from``)."""
    case = Case.objects.for_system().select_for_update().get(pk=plan.case_id)
    require_open(case)
    _check_made_on(made_on)
    latest = current_plan(case)
    if latest is None or latest.pk != plan.pk:
        raise ValidationError(_("Kun den nyeste version af planen kan revideres."))
    if not latest.is_made:
        raise ValidationError(_("Planen er ikke udarbejdet endnu."))
    if made_on < latest.made_on:
        raise ValidationError({"made_on": _("En ny version kan ikke ligge før den forrige.")})
    new = Plan(
        case=case,
        kind=kind or latest.kind,
        version=latest.version + 1,
        purpose=latest.purpose if purpose is None else purpose,
        made_on=made_on,
        created_by=revised_by,
    )
    for data in goals:
        if data.carried_from is not None and data.carried_from.plan_id != latest.pk:
            raise ValidationError({"goals": _("Et videreført mål skal komme fra den forrige version.")})
    with acting_as(revised_by):
        new.full_clean()
        new.save()
        _save_goals(new, goals)
    obligations.changed("plan", [new.pk])
    return new


@transaction.atomic
def goal_update_status(*, goal: Goal, status: str, updated_by: User, note: str = "") -> Goal:
    """Set a goal's status; the history keeps every earlier status with who and when."""
    goal = (
        Goal.objects.for_system().select_for_update(of=("self",)).select_related("plan__case").get(pk=goal.pk)
    )
    require_open(goal.plan.case)
    latest = current_plan(goal.plan.case)
    if latest is None or latest.pk != goal.plan_id:
        raise ValidationError(_("Kun mål i den nyeste version af planen kan opdateres."))
    goal.status = status
    goal.status_note = note
    with acting_as(updated_by):
        goal.full_clean()
        goal.save()
    return goal


@transaction.atomic(savepoint=False)
def goal_statuses_set(*, case: Case, statuses: dict[int, tuple[str, str]], updated_by: User) -> list[Goal]:
    """Set the status and note of several of the case's goals at once (``{goal id: (status, note)}``),
    as a follow-up that reviewed them does; the history keeps every earlier status."""
    require_open(case)
    goals = {
        g.pk: g
        for g in Goal.objects.for_system().select_for_update().filter(plan__case=case, pk__in=statuses)
    }
    if set(goals) != set(statuses):
        raise ValidationError({"goal_reviews": _("Et af målene hører ikke til sagens plan.")})
    with acting_as(updated_by):
        for pk, (status, note) in statuses.items():
            goal = goals[pk]
            goal.status, goal.status_note = status, note
            goal.full_clean()
            goal.save(update_fields=["status", "status_note"])
    return [goals[pk] for pk in statuses]


@transaction.atomic(savepoint=False)
def goals_add(*, plan: Plan, goals: list[GoalData], added_by: User) -> list[Goal]:
    """Add goals to the end of a plan (new goals agreed at a follow-up), in the order given."""
    require_open(plan.case)
    order = max(plan.goals.values_list("order", flat=True), default=0)
    created = []
    with acting_as(added_by):
        for n, data in enumerate(goals, start=1):
            goal = Goal(
                plan=plan,
                what=data.what,
                who=data.who,
                how_measured=data.how_measured,
                by_when=data.by_when,
                status=data.status,
                status_note=data.status_note,
                order=order + n,
            )
            goal.full_clean()
            goal.save()
            created.append(goal)
    return created
