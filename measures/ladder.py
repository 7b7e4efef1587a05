"""The case's path on the ladder as a pure function of its measures (no database).

``measures.services`` keeps the stored movements as measures start and end one by one; this
computes the same path from a whole set of measures at once, for bulk writes (the demo, imports)
and for checking stored movements against the measures.
"""

from __future__ import annotations

import datetime
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Span:
    """A measure's days on a step: ``start`` to ``end`` inclusive (``end`` None: still running)."""

    key: Hashable
    step: int
    start: datetime.date
    end: datetime.date | None = None

    def active_on(self, day: datetime.date) -> bool:
        return self.start <= day and (self.end is None or self.end >= day)


@dataclass(frozen=True)
class StepChange:
    """On ``date`` the case's step changed from ``from_step`` to ``to_step`` (None: under
    clarification); ``started`` and ``ended`` are the spans that began that day or ended the day
    before, which caused the change."""

    date: datetime.date
    from_step: int | None
    to_step: int | None
    started: tuple[Hashable, ...]
    ended: tuple[Hashable, ...]

    @property
    def is_up(self) -> bool:
        return (self.to_step or 0) > (self.from_step or 0)


def step_on(spans: Iterable[Span], day: datetime.date) -> int | None:
    return max((s.step for s in spans if s.active_on(day)), default=None)


def step_changes(spans: Iterable[Span]) -> list[StepChange]:
    """Every day on which the highest active step changes, in date order."""
    spans = list(spans)
    boundaries = sorted({s.start for s in spans} | {s.end + ONE_DAY for s in spans if s.end is not None})
    changes = []
    for day in boundaries:
        before, after = step_on(spans, day - ONE_DAY), step_on(spans, day)
        if before != after:
            changes.append(
                StepChange(
                    date=day,
                    from_step=before,
                    to_step=after,
                    started=tuple(s.key for s in spans if s.start == day),
                    ended=tuple(s.key for s in spans if s.end is not None and s.end + ONE_DAY == day),
                )
            )
    return changes
