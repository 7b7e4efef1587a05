"""Starting and ending measures, and keeping the case's place on the ladder.

The ladder step of a case on a day is the highest step among its measures active that day, or
"under clarification" (no step) when none is. Every change of that step is written as a
``LadderMovement`` by the service that causes it, with the date it takes effect.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, CaseState, LegalBasis
from measures.models import LadderMovement, LadderStep, Measure, MeasureType
from measures.signals import measure_changed

# What a measure's ending reason says about the movement it causes, when nobody says otherwise.
_MOVEMENT_FOR_ENDING = {
    Measure.EndingReason.BREAKDOWN: LadderMovement.Reason.PLACEMENT_FAILED,
    Measure.EndingReason.CHILDS_WISH: LadderMovement.Reason.CHILDS_WISH,
    Measure.EndingReason.TURNED_18: LadderMovement.Reason.TURNED_18,
    Measure.EndingReason.GOALS_MET: LadderMovement.Reason.PROGRESS,
}


def step_on(*, case: Case, day: datetime.date, exclude: Measure | None = None) -> LadderStep | None:
    """The case's ladder step on ``day`` (None = under clarification)."""
    measures = Measure.objects.filter(case=case).active_on(day).select_related("measure_type__ladder_step")
    if exclude is not None:
        measures = measures.exclude(pk=exclude.pk)
    steps = [m.measure_type.ladder_step for m in measures]
    return max(steps, key=lambda s: s.number, default=None)


def _record_movement(
    *,
    case: Case,
    date: datetime.date,
    from_step: LadderStep | None,
    to_step: LadderStep | None,
    reason: str,
    note: str,
    measure: Measure | None,
    recorded_by,
) -> LadderMovement | None:
    if (from_step.pk if from_step else None) == (to_step.pk if to_step else None):
        return None
    movement = LadderMovement(
        case=case,
        date=date,
        from_step=from_step,
        to_step=to_step,
        reason=reason,
        note=note,
        measure=measure,
        recorded_by=recorded_by,
    )
    movement.full_clean()
    movement.save()
    return movement


def case_refresh_step(*, case: Case, today: datetime.date | None = None) -> None:
    """Store the case's step as of today (a measure may start or end on a later day)."""
    today = today or timezone.localdate()
    step = step_on(case=case, day=today)
    if case.current_step_id != (step.pk if step else None):
        case.current_step = step
        case.save(update_fields=["current_step", "updated_at"])


@transaction.atomic
def measure_start(
    *,
    case: Case,
    measure_type: MeasureType,
    start_date: datetime.date,
    decided_by,
    provider: str = "",
    planned_end: datetime.date | None = None,
    decision_basis: str = Measure.DecisionBasis.WITH_CONSENT,
    legal_basis: LegalBasis | None = None,
    movement_reason: str | None = None,
    movement_note: str = "",
) -> Measure:
    """Start a measure on an open case; record the ladder movement it causes."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not case.is_open:
        raise ValidationError(_("Sagen er lukket; der kan ikke startes nye indsatser."))
    if not measure_type.is_active:
        raise ValidationError({"measure_type": _("Indsatstypen er ikke længere i brug.")})
    before = step_on(case=case, day=start_date)
    measure = Measure(
        case=case,
        measure_type=measure_type,
        provider=provider,
        start_date=start_date,
        planned_end=planned_end,
        decision_basis=decision_basis,
        legal_basis=legal_basis or measure_type.legal_basis,
        decided_by=decided_by,
    )
    measure.full_clean()
    measure.save()
    after = step_on(case=case, day=start_date)
    if movement_reason is None and (after and (before is None or after.number > before.number)):
        movement_reason = (
            LadderMovement.Reason.FIRST_MEASURE if before is None else LadderMovement.Reason.GREATER_NEED
        )
    if (before != after) and not movement_reason:
        raise ValidationError({"movement_reason": _("Angiv årsagen til bevægelsen på indsatstrappen.")})
    _record_movement(
        case=case,
        date=start_date,
        from_step=before,
        to_step=after,
        reason=movement_reason or "",
        note=movement_note,
        measure=measure,
        recorded_by=decided_by,
    )
    if case.state in (CaseState.NOTIFICATION, CaseState.CLARIFICATION, CaseState.INVESTIGATION):
        case.state = CaseState.MEASURES
        case.save(update_fields=["state", "updated_at"])
    case_refresh_step(case=case)
    _on_measure_changed(measure)
    return measure


@transaction.atomic
def measure_end(
    *,
    measure: Measure,
    end_date: datetime.date,
    ending_reason: str,
    ended_by,
    ending_note: str = "",
    movement_reason: str | None = None,
    movement_note: str = "",
) -> Measure:
    """End a measure (the last day it runs is ``end_date``); record the movement it causes."""
    case = Case.objects.select_for_update().get(pk=measure.case_id)
    measure = Measure.objects.select_for_update().get(pk=measure.pk)
    if measure.actual_end is not None:
        raise ValidationError(_("Indsatsen er allerede afsluttet."))
    if end_date < measure.start_date:
        raise ValidationError({"end_date": _("Slutdatoen kan ikke ligge før startdatoen.")})
    before = step_on(case=case, day=end_date)
    measure.actual_end = end_date
    measure.ending_reason = ending_reason
    measure.ending_note = ending_note
    measure.full_clean()
    measure.save()
    # The step changes the day after the last day of the measure.
    effective = end_date + datetime.timedelta(days=1)
    after = step_on(case=case, day=effective)
    if before != after and not movement_reason:
        if ending_reason in _MOVEMENT_FOR_ENDING:
            movement_reason = _MOVEMENT_FOR_ENDING[ending_reason]
        elif measure.measure_type.code == "short_term_placement":
            movement_reason = LadderMovement.Reason.SHORT_TERM_ENDED
        elif measure.measure_type.code in {"family_treatment", "mst"} and after is None:
            movement_reason = LadderMovement.Reason.HOME_AFTER_TREATMENT
        else:
            movement_reason = LadderMovement.Reason.MEASURE_ENDED
    _record_movement(
        case=case,
        date=effective,
        from_step=before,
        to_step=after,
        reason=movement_reason or "",
        note=movement_note or ending_note,
        measure=measure,
        recorded_by=ended_by,
    )
    case_refresh_step(case=case)
    _on_measure_changed(measure)
    return measure


def _on_measure_changed(measure: Measure) -> None:
    """Tell the rest of the product (the follow-up schedule) inside the same transaction."""
    measure_changed.send(sender=Measure, measure=measure)
