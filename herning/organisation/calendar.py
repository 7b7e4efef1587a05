"""The working days of a municipality: Monday to Friday, not a Danish public holiday and not one
of the municipality's closed days (``ClosedDay``: Grundlovsdag, 24 and 31 December as shipped).

A deadline counted in working days ("hverdage", the receipt of a notification) asks the calendar
of the municipality that received the notification (docs/deadlines.md, "Working days"). The closed
days are read once per calendar: a sweep or a request builds the calendars it needs with
``calendars_for`` (one query) and asks them for every record.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from herning.core import dates
from herning.organisation.models import ClosedDay


@dataclass(frozen=True)
class WorkingCalendar:
    """One municipality's closed days: recurring (month, day) pairs and single dated days."""

    recurring: frozenset[tuple[int, int]] = frozenset()
    dated: frozenset[datetime.date] = field(default_factory=frozenset)

    def is_closed(self, day: datetime.date) -> bool:
        return (day.month, day.day) in self.recurring or day in self.dated

    def is_working_day(self, day: datetime.date) -> bool:
        return dates.is_working_day(day) and not self.is_closed(day)

    def add_working_days(self, day: datetime.date, count: int) -> datetime.date:
        """The ``count``-th working day after ``day`` (``day`` itself never counts)."""
        return dates.add_working_days(day, count, closed=self.is_closed)


def calendars_for(municipality_ids) -> dict[int, WorkingCalendar]:
    """The calendars of ``municipality_ids``, in one query (a municipality without closed days
    gets the bare calendar of weekends and public holidays)."""
    ids = set(municipality_ids)
    recurring: dict[int, set] = {pk: set() for pk in ids}
    dated: dict[int, set] = {pk: set() for pk in ids}
    for mid, month, day, year in ClosedDay.objects.filter(municipality_id__in=ids).values_list(
        "municipality_id", "month", "day", "year"
    ):
        if year is None:
            recurring[mid].add((month, day))
        else:
            try:
                dated[mid].add(datetime.date(year, month, day))
            except ValueError:  # 29 February of a year that has none
                continue
    return {pk: WorkingCalendar(frozenset(recurring[pk]), frozenset(dated[pk])) for pk in ids}


def calendar_for(municipality_id: int) -> WorkingCalendar:
    return calendars_for([municipality_id])[municipality_id]
