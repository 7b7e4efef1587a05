"""Periods the figures are counted over: calendar years, half-years, rolling twelve months and
month ends. Pure functions."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.utils import formats
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Period:
    """A closed range of days [start, end]. ``partial`` when data covers only part of the period
    it is named after (the current year so far, or before the first snapshot)."""

    start: datetime.date
    end: datetime.date
    name: str
    partial: bool = False
    # The days of the period the name stands for, when data cover only part of it (``clip``).
    named_start: datetime.date | None = None
    named_end: datetime.date | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        if not self.partial:
            return self.name
        return _("%(name)s (%(start)s-%(end)s)") % {
            "name": self.name,
            "start": formats.date_format(self.start, "SHORT_DATE_FORMAT"),
            "end": formats.date_format(self.end, "SHORT_DATE_FORMAT"),
        }

    @property
    def chart_label(self) -> str:
        """The label under a chart's bars or points: a partial period says so with the day the data
        end (or begin) on, the same days as ``label`` in the tables, in fewer words."""
        if not self.partial:
            return self.name
        if self.start == self.named_start:
            return _("%(name)s (til %(end)s)") % {
                "name": self.name,
                "end": formats.date_format(self.end, "SHORT_DATE_FORMAT"),
            }
        if self.end == self.named_end:
            return _("%(name)s (fra %(start)s)") % {
                "name": self.name,
                "start": formats.date_format(self.start, "SHORT_DATE_FORMAT"),
            }
        return self.label

    def __contains__(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end


def year(y: int) -> Period:
    return Period(datetime.date(y, 1, 1), datetime.date(y, 12, 31), str(y))


def half_year(y: int, half: int) -> Period:
    if half == 1:
        return Period(datetime.date(y, 1, 1), datetime.date(y, 6, 30), _("1. halvår %(year)s") % {"year": y})
    return Period(datetime.date(y, 7, 1), datetime.date(y, 12, 31), _("2. halvår %(year)s") % {"year": y})


def spanning(start: datetime.date, end: datetime.date) -> Period:
    """The period from ``start`` to ``end``, named as a year or a half-year when it is one."""
    for candidate in (year(start.year), half_year(start.year, 1), half_year(start.year, 2)):
        if (candidate.start, candidate.end) == (start, end):
            return candidate
    name = (
        f"{formats.date_format(start, 'SHORT_DATE_FORMAT')}-{formats.date_format(end, 'SHORT_DATE_FORMAT')}"
    )
    return Period(start, end, name)


def periods_between(first_year: int, last_year: int, *, granularity: str) -> list[Period]:
    """The years (``granularity="year"``) or half-years (``"half"``) from ``first_year`` to
    ``last_year`` inclusive."""
    result = []
    for y in range(first_year, last_year + 1):
        if granularity == "half":
            result += [half_year(y, 1), half_year(y, 2)]
        else:
            result.append(year(y))
    return result


def rolling_years(end: datetime.date, first: datetime.date) -> list[Period]:
    """Rolling twelve months: the twelve months ending on ``end``, the twelve before them, and so
    on back to the one that holds ``first``; oldest first."""
    result = []
    stop = end
    while stop >= first:
        start = stop - relativedelta(years=1) + datetime.timedelta(days=1)
        name = _("12 mdr. til %(date)s") % {"date": formats.date_format(stop, "SHORT_DATE_FORMAT")}
        result.append(Period(start, stop, name))
        stop = start - datetime.timedelta(days=1)
    return result[::-1]


def clip(period: Period, first: datetime.date, last: datetime.date) -> Period | None:
    """The part of ``period`` inside [first, last], marked partial if it lost days; None if empty."""
    start, end = max(period.start, first), min(period.end, last)
    if start > end:
        return None
    partial = (start, end) != (period.start, period.end)
    if not partial:
        return Period(start, end, period.name)
    return Period(start, end, period.name, partial=True, named_start=period.start, named_end=period.end)


def month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def month_ends(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The day each month between ``first`` and ``last`` is counted on: its last day, or ``last``
    for the month still running. Months ending before ``first`` are left out."""
    days = []
    cursor = first.replace(day=1)
    while cursor <= last:
        days.append(min(month_end(cursor), last))
        cursor = (month_end(cursor) + datetime.timedelta(days=1)).replace(day=1)
    return [d for d in days if d >= first]


def days_between(start: datetime.date, end: datetime.date):
    """Every day from ``start`` to ``end`` inclusive."""
    for offset in range((end - start).days + 1):
        yield start + datetime.timedelta(days=offset)
