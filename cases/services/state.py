"""The case's state and its place on the ladder: one transition rule for every path.

A case moves on by events that happen in it (an advisor is assigned, an investigation is decided or
concluded, a measure starts). ``state_after`` is the rule, a pure function; ``case_transition``
applies it to one case, and the bulk import applies the same rule to many (``cases.bulk``). The
ladder step shown on the case is kept by ``case_step_set``, which the measures app calls after
every change of measures. The states an advisor chooses by hand and closing have their own services
(``case_set_state``, ``case_close``) with their own checks; they set the state through
``apply_state`` too, so a state always comes with its legal basis.
"""

from __future__ import annotations

from django.db import models, transaction

from cases import obligations
from cases.models import Case, CaseState, LegalBasis
from cases.services.common import STATE_LEGAL_BASIS, legal_basis_by_code, require_open
from herning.core.history import acting_as


class Event(models.TextChoices):
    """What happened in a case that may move its state."""

    ASSIGNED = "assigned"
    INVESTIGATION_OPENED = "investigation_opened"
    INVESTIGATION_COMPLETED = "investigation_completed"
    MEASURE_STARTED = "measure_started"
    # Early preventive support (SEL § 11 stk. 3 / BL § 30) may be given while the case is still
    # being clarified: it takes a notification into clarification, never into "measures".
    EARLY_SUPPORT_STARTED = "early_support_started"


_BEFORE_MEASURES = (CaseState.NOTIFICATION, CaseState.CLARIFICATION, CaseState.INVESTIGATION)


def state_after(state: str, event: str, *, has_active_measures: bool = False) -> str:
    """The state a case in ``state`` is in after ``event`` (the same state when it does not move).

    ``has_active_measures`` matters only for a concluded investigation: the case goes on with its
    measures, or back to clarification.
    """
    if event == Event.ASSIGNED:
        return CaseState.CLARIFICATION if state == CaseState.NOTIFICATION else state
    if event == Event.INVESTIGATION_OPENED:
        return (
            CaseState.INVESTIGATION if state in (CaseState.NOTIFICATION, CaseState.CLARIFICATION) else state
        )
    if event == Event.INVESTIGATION_COMPLETED:
        if state != CaseState.INVESTIGATION:
            return state
        return CaseState.MEASURES if has_active_measures else CaseState.CLARIFICATION
    if event == Event.MEASURE_STARTED:
        return CaseState.MEASURES if state in _BEFORE_MEASURES else state
    if event == Event.EARLY_SUPPORT_STARTED:
        return CaseState.CLARIFICATION if state == CaseState.NOTIFICATION else state
    raise ValueError(f"unknown case event {event!r}")


def apply_state(case: Case, state: str, *, bases: dict[str, LegalBasis | None] | None = None) -> bool:
    """Put ``case`` (unsaved) in ``state`` with the legal basis that state rests on; a case with
    measures keeps the basis of its highest measure (``case_step_set``). True when it changed.
    ``bases`` (code → basis) spares a query per case in bulk."""
    if state == case.state:
        return False
    case.state = state
    if state in STATE_LEGAL_BASIS:
        code = STATE_LEGAL_BASIS[state]
        case.legal_basis = bases[code] if bases is not None else legal_basis_by_code(code)
    return True


@transaction.atomic(savepoint=False)
def case_transition(*, case: Case, event: str, by, has_active_measures: bool = False) -> Case:
    """Move ``case`` on after ``event``: state and legal basis, saved with ``by`` on the history row.

    The caller holds the case (usually locked with ``select_for_update``); the same instance is
    updated, so the caller goes on with the case as it now is.
    """
    require_open(case)
    new = state_after(case.state, event, has_active_measures=has_active_measures)
    if apply_state(case, new):
        with acting_as(by):
            case.save(update_fields=["state", "legal_basis", "updated_at"])
        # The case's deadlines follow its state (a closed case owes nothing more).
        obligations.changed(obligations.CASE, [case.pk])
    return case


@transaction.atomic(savepoint=False)
def case_step_set(*, case: Case, step, measures_basis: LegalBasis | None, changed_by) -> Case:
    """Store the case's ladder step (None: under clarification) and, while the case is in the
    measures state, the legal basis of its highest measure (``measures_basis``)."""
    fields = []
    if case.current_step_id != (step.pk if step else None):
        case.current_step = step
        fields.append("current_step")
    if (
        case.state == CaseState.MEASURES
        and measures_basis is not None
        and case.legal_basis_id != measures_basis.pk
    ):
        case.legal_basis = measures_basis
        fields.append("legal_basis")
    if fields:
        with acting_as(changed_by):
            case.save(update_fields=[*fields, "updated_at"])
    return case


@transaction.atomic(savepoint=False)
def case_measures_changed(
    *, case: Case, by, step, measures_basis: LegalBasis | None, event: str | None = None
) -> Case:
    """A measure started, changed or ended: the state ``event`` moves the case to (a start moves a
    case under clarification into measures) and the ladder step and basis of its highest measure,
    written in one save, so the case's history gets one row for one decision. The same result as
    ``case_transition`` followed by ``case_step_set``."""
    fields: set[str] = set()
    state_moved = False
    if event is not None:
        require_open(case)
        if apply_state(case, state_after(case.state, event)):
            fields |= {"state", "legal_basis"}
            state_moved = True
    if case.current_step_id != (step.pk if step else None):
        case.current_step = step
        fields.add("current_step")
    if (
        case.state == CaseState.MEASURES
        and measures_basis is not None
        and case.legal_basis_id != measures_basis.pk
    ):
        case.legal_basis = measures_basis
        fields.add("legal_basis")
    if fields:
        with acting_as(by):
            case.save(update_fields=[*sorted(fields), "updated_at"])
    if state_moved:
        # The case's deadlines follow its state.
        obligations.changed(obligations.CASE, [case.pk])
    return case
