"""Starting many measures at once (a historic one with its end), for imports (the DUBU exchange).

The rules and consequences are those of ``measures.services.measure_start`` / ``measure_end``,
computed for a batch in a fixed number of queries: the case is open and the measure type in use;
the case moves on the ladder at every change of its step that a new measure causes (from the
whole picture of its measures, old and new), with the reason the services would give; the case
goes into the measures state with its step and legal basis; a placement gets the child's plan
due (BL § 91); and the deadline table is recomputed for the new measures in one batch.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import obligations
from cases.bulk import case_states_save, plans_require_many, state_bases
from cases.models import Case, CaseState
from cases.services import Event, apply_state, state_after
from herning.api import feed
from herning.api.models import ChangeEvent
from herning.core.history import bulk_create_with_history
from measures.models import LadderMovement, LadderStep, Measure, MeasureType
from measures.services import movement_reason_for_end, movement_reason_for_start, start_event

BATCH = 1000
DAY = datetime.timedelta(days=1)


@dataclass
class NewMeasure:
    case: Case
    measure_type: MeasureType
    start_date: datetime.date
    end_date: datetime.date | None = None
    ending_reason: str = ""
    ending_note: str = ""
    provider: str = ""
    decision_basis: str = Measure.DecisionBasis.WITH_CONSENT
    # The child's hearing as the source recorded it; an import without it is listed on the team
    # overview as a measure started without a hearing (docs/domain.md §4).
    hearing_on: datetime.date | None = None
    hearing_note: str = ""


def _measure(spec: NewMeasure, decided_by) -> Measure:
    return Measure(
        case=spec.case,
        measure_type=spec.measure_type,
        provider=spec.provider,
        start_date=spec.start_date,
        actual_end=spec.end_date,
        ending_reason=spec.ending_reason if spec.end_date else "",
        ending_note=spec.ending_note if spec.end_date else "",
        decision_basis=spec.decision_basis,
        legal_basis_id=spec.measure_type.legal_basis_id,
        hearing_on=spec.hearing_on,
        hearing_note=spec.hearing_note,
        decided_by=decided_by,
    )


def check_measures(measures: list[NewMeasure], *, decided_by) -> dict[int, ValidationError]:
    """What would refuse each new measure, by its index (no queries)."""
    errors: dict[int, ValidationError] = {}
    for n, spec in enumerate(measures):
        if not spec.case.is_open:
            errors[n] = ValidationError(_("Sagen er lukket; der kan ikke startes nye indsatser."))
        elif not spec.measure_type.is_active:
            errors[n] = ValidationError({"measure_type": _("Indsatstypen er ikke længere i brug.")})
        else:
            try:
                _measure(spec, decided_by).full_clean(
                    exclude=["case", "measure_type", "legal_basis", "decided_by"], validate_constraints=False
                )
            except ValidationError as error:
                errors[n] = error
    return errors


def _step_on(measures: list[Measure], steps: dict[int, LadderStep], day: datetime.date) -> LadderStep | None:
    active = [m for m in measures if m.is_active_on(day)]
    if not active:
        return None
    return max((steps[m.measure_type_id] for m in active), key=lambda s: s.number)


@transaction.atomic
def measures_start(
    *,
    measures: list[NewMeasure],
    decided_by,
    today: datetime.date | None = None,
    sync_deadlines: bool = True,
    opened_cases: Collection[int] = (),
) -> list[Measure]:
    """Start ``measures`` (ending those with an end date); refused as a whole if any of them
    would be (``check_measures``). Returns the measures written. ``sync_deadlines=False`` leaves
    the deadline trigger to the caller, who records more first (the follow-ups held) and then
    calls ``cases.obligations.changed`` for the measures and the cases' plans. ``opened_cases``
    names the cases the caller opened in the same transaction (``cases.bulk.case_states_save``)."""
    today = today or timezone.localdate()
    errors = check_measures(measures, decided_by=decided_by)
    if errors:
        raise next(iter(errors.values()))
    created = bulk_create_with_history(
        [_measure(spec, decided_by) for spec in measures], Measure, batch_size=BATCH, default_user=decided_by
    )
    types = {t.pk: t for t in MeasureType.objects.select_related("ladder_step", "legal_basis")}
    steps = {pk: t.ladder_step for pk, t in types.items()}
    cases = {spec.case.pk: spec.case for spec in measures}
    every = defaultdict(list)
    for measure in (
        Measure.objects.for_system()
        .filter(case__in=cases)
        .only(
            "pk", "case_id", "measure_type_id", "start_date", "actual_end", "ending_reason", "legal_basis_id"
        )
    ):
        every[measure.case_id].append(measure)
    new_by_case = defaultdict(list)
    for measure in created:
        new_by_case[measure.case_id].append(measure)
    recorded = {
        (m.case_id, m.date, m.from_step_id, m.to_step_id)
        for m in LadderMovement.objects.for_system()
        .filter(case__in=cases)
        .only("case_id", "date", "from_step_id", "to_step_id")
    }
    bases = state_bases()
    movements, changed_cases, placements = [], [], {}
    for case_id, new in new_by_case.items():
        case = cases[case_id]
        all_measures = every[case_id]
        movements += _movements(case, new, all_measures, steps, types, recorded, decided_by)
        if _update_case(case, new, all_measures, steps, types, today, bases):
            changed_cases.append(case)
        first_placement = min(
            (m.start_date for m in new if types[m.measure_type_id].is_placement), default=None
        )
        if first_placement is not None:
            placements[case_id] = first_placement
    bulk_create_with_history(movements, LadderMovement, batch_size=BATCH, default_user=decided_by)
    # Bulk history sends no signal: the change feed is written here (herning.api.feed).
    feed.record_many([*created, *movements], ChangeEvent.Kind.CREATED)
    case_states_save(cases=changed_cases, by=decided_by, opened=opened_cases)
    plans = plans_require_many(placements=placements, cases=cases, required_by=decided_by)
    if sync_deadlines:
        # The cases' new states (``_save_cases``) never close a case: their deadline rows stay.
        obligations.changed("measure", [m.pk for m in created], today=today)
        obligations.changed("plan", [p.pk for p in plans], today=today)
    return created


def _movements(case, new, all_measures, steps, types, recorded, decided_by) -> list[LadderMovement]:
    """A movement at each day a new measure's start or end changes the case's step."""
    result = []
    points = sorted({m.start_date for m in new} | {m.actual_end + DAY for m in new if m.actual_end})
    for day in points:
        before, after = _step_on(all_measures, steps, day - DAY), _step_on(all_measures, steps, day)
        if (before.pk if before else None) == (after.pk if after else None):
            continue
        key = (case.pk, day, before.pk if before else None, after.pk if after else None)
        if key in recorded:
            continue
        recorded.add(key)
        starting = next((m for m in new if m.start_date == day), None)
        ended = next((m for m in new if m.actual_end and m.actual_end + DAY == day), None)
        going_up = after is not None and (before is None or after.number > before.number)
        if going_up or ended is None:
            reason = movement_reason_for_start(before=before)
        else:
            reason = movement_reason_for_end(
                ending_reason=ended.ending_reason,
                measure_type=types[ended.measure_type_id],
                after=after,
            )
        result.append(
            LadderMovement(
                case=case,
                date=day,
                from_step=before,
                to_step=after,
                reason=reason,
                measure=starting or ended,
                recorded_by=decided_by,
            )
        )
    return result


def _update_case(case, new, all_measures, steps, types, today, bases) -> bool:
    """The case's state, step and legal basis after its new measures (as ``_create_measure`` and
    ``case_refresh_step`` leave them); True when something changed."""
    before = (case.state, case.current_step_id, case.legal_basis_id)
    events = {start_event(types[m.measure_type_id].legal_basis) for m in new}
    event = Event.MEASURE_STARTED if Event.MEASURE_STARTED in events else Event.EARLY_SUPPORT_STARTED
    apply_state(case, state_after(case.state, event), bases=bases)
    active = [m for m in all_measures if m.is_active_on(today)]
    highest = max(
        active,
        key=lambda m: (steps[m.measure_type_id].number, -m.start_date.toordinal(), -m.pk),
        default=None,
    )
    case.current_step = steps[highest.measure_type_id] if highest else None
    if case.state == CaseState.MEASURES and highest is not None:
        case.legal_basis_id = highest.legal_basis_id
    return (case.state, case.current_step_id, case.legal_basis_id) != before
