"""What the records said at the end of a past day, read from their history (django-simple-history).

A snapshot of a past day is what the nightly run would have written that night: the case's team,
district and state, its measures' dates and the catalog's ladder step and placement category as
they stood at the end of the day, not as they are today (issue 21, point 2). A case moved from Team
Nord to Team Syd today stays in Nord for June 2025; a measure type moved to another step today
keeps its old step for the days before.

The reader is one query per kind of record, ordered by record and time, turned into a timeline per
record that answers "as of day D" by bisection: no query per day or per case.
"""

from __future__ import annotations

import datetime
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone


@dataclass
class Timeline:
    """One record's values over time: ``values[i]`` holds from the end of ``days[i]`` on (the
    last change of a day wins, as the nightly run would have seen it after midnight)."""

    days: list[datetime.date] = field(default_factory=list)
    values: list[tuple] = field(default_factory=list)

    def add(self, day: datetime.date, values: tuple) -> None:
        if self.days and self.days[-1] == day:
            self.days.pop()
            self.values.pop()
        if self.values and self.values[-1] == values:
            return
        self.days.append(day)
        self.values.append(values)

    def on(self, day: datetime.date) -> tuple | None:
        """The values at the end of ``day``; None when the record was not yet recorded then."""
        i = bisect_right(self.days, day) - 1
        return self.values[i] if i >= 0 else None

    @property
    def first(self) -> tuple | None:
        return self.values[0] if self.values else None


def timelines(history: QuerySet, fields: Sequence[str]) -> dict[int, Timeline]:
    """The timeline of ``fields`` of every record in ``history`` (a Historical* queryset), keyed by
    the record's id. A deleted record's last row is kept: it is what was true until then."""
    result: dict[int, Timeline] = {}
    rows = history.order_by("id", "history_date", "history_id").values_list("id", "history_date", *fields)
    for pk, when, *values in rows.iterator(chunk_size=5000):
        line = result.get(pk)
        if line is None:
            line = result[pk] = Timeline()
        line.add(timezone.localdate(when), tuple(values))
    return result


def as_of(line: Timeline | None, day: datetime.date, *, before_first: str, present: tuple) -> tuple:
    """``line``'s values at the end of ``day``. Before the record's first history row:
    ``before_first`` "first" gives the first recorded values (the catalog as shipped, a case's first
    team), "present" gives ``present`` (a measure registered later is known best as it is now)."""
    if line is None:
        return present
    values = line.on(day)
    if values is not None:
        return values
    return line.first if before_first == "first" else present


def team_before_transfer(transfers: Iterable[tuple[datetime.date, int, int]], day: datetime.date):
    """The (team, district) a case had on ``day`` according to its transfers (date, from team, its
    district), sorted by date: the team the first transfer after ``day`` moved it from; None when it
    has not moved since."""
    for moved_on, team_id, district_id in transfers:
        if moved_on > day:
            return team_id, district_id
    return None
