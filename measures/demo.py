"""Demo ladder movements: every change of a demo case's step, as ``measures.services`` would have
recorded it (``cases.demo`` writes the cases and their measures, then calls this)."""

from __future__ import annotations

from collections import defaultdict

from cases.demo.common import noon, stamp
from herning.core.history import bulk_create_with_history
from measures.ladder import Span, step_changes
from measures.models import LadderMovement
from measures.services import movement_reason_for_end, movement_reason_for_start


def write_movements(cases, case_plans, measures, steps) -> None:
    """Every change of a case's step, as ``measures.services`` would have recorded it."""
    by_case = defaultdict(list)
    for m in measures:
        by_case[m.case_id].append(m)
    movements = []
    for case, cp in zip(cases, case_plans, strict=True):
        ms = by_case.get(case.pk, [])
        spans = [Span(m.pk, m.measure_type.ladder_step.number, m.start_date, m.actual_end) for m in ms]
        index = {m.pk: m for m in ms}
        for change in step_changes(spans):
            if change.is_up:
                cause = index[change.started[0]] if change.started else None
                reason = movement_reason_for_start(before=steps.get(change.from_step))
            else:
                cause = index[change.ended[0]] if change.ended else None
                reason = movement_reason_for_end(
                    ending_reason=cause.ending_reason if cause else "",
                    measure_type=cause.measure_type if cause else None,
                    after=steps.get(change.to_step),
                )
            who = cp.advisor or cause.decided_by
            movements.append(
                stamp(
                    LadderMovement(
                        case=case,
                        date=change.date,
                        from_step=steps.get(change.from_step),
                        to_step=steps.get(change.to_step),
                        reason=reason,
                        measure=cause,
                        recorded_by=who,
                        recorded_at=noon(change.date),
                    ),
                    who,
                    noon(change.date),
                )
            )
    bulk_create_with_history(movements, LadderMovement, default_user=cases[0].advisor if cases else None)
