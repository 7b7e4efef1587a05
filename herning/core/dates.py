"""Dates as the deadlines use them: calendar months, Danish and English date words, and the
moment a day ends in Danish local time.

Shared by every app that computes a deadline (the follow-up engine, the deadline sources of the
cases, follow-ups and network meetings apps), so a date reads and falls the same everywhere.

``validate_reading_date`` bounds every date a request reads by (a filter, a period, a horizon):
from 1900 to ten years ahead. A date outside is a field-level error (400 on the API, a form error
on a page), never a 500 from a date overflowing later and never an unbounded piece of work.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import lru_cache

import holidays
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

_MONTHS_DA = (
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
)
_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


# The bounds of a date a request may read by: the oldest records are well after 1900, and no
# deadline or schedule reaches further than ten years ahead.
EARLIEST_READ = datetime.date(1900, 1, 1)
YEARS_AHEAD = 10


def latest_read(today: datetime.date | None = None) -> datetime.date:
    """The last day a request may read by: ten years from today."""
    return (today or timezone.localdate()) + relativedelta(years=YEARS_AHEAD)


def validate_reading_date(value: datetime.date) -> None:
    """A validator for date query parameters and period fields (Django forms, django-filter and
    DRF fields all take it): 1 January 1900 to ten years from today."""
    if value is None:
        return
    if isinstance(value, datetime.datetime):
        value = value.date()
    last = latest_read()
    if not EARLIEST_READ <= value <= last:
        raise ValidationError(
            _("Datoen skal ligge mellem %(first)s og %(last)s.")
            % {"first": EARLIEST_READ.strftime("%d.%m.%Y"), "last": last.strftime("%d.%m.%Y")},
            code="out_of_bounds",
        )


@lru_cache(maxsize=1 << 16)
def add_months(day: datetime.date, months: int) -> datetime.date:
    """Calendar months: 31 January + 1 month = 28 (29) February. Cached: the sweep asks the same
    questions for thousands of measures."""
    return day + relativedelta(months=months)


def format_date(day: datetime.date, lang: str) -> str:
    """'5. januar 2026' / '5 January 2026', without Django's locale machinery (the explanations of
    a deadline are stored in both languages, whatever the language of the request or task)."""
    if lang == "da":
        return f"{day.day}. {_MONTHS_DA[day.month - 1]} {day.year}"
    return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"


@lru_cache(maxsize=1 << 14)
def local_midnight(day: datetime.date) -> datetime.datetime:
    """The first moment of ``day`` in Danish time (midnight is never skipped or doubled here).
    Cached: the sweep asks for the same few hundred days for every deadline."""
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time.min), timezone.get_default_timezone()
    )


def end_of(day: datetime.date) -> datetime.datetime:
    """The moment a deadline on ``day`` is overdue: the start of the next day."""
    return local_midnight(day + datetime.timedelta(days=1))


@lru_cache(maxsize=64)
def danish_holidays(year: int) -> frozenset[datetime.date]:
    """Denmark's public holidays (helligdage) of ``year``, from the ``holidays`` package. A
    municipality's own closed days (Grundlovsdag, 24 and 31 December) are data of the municipality
    (``herning.organisation.calendar``)."""
    return frozenset(holidays.country_holidays("DK", years=year).keys())


def is_working_day(day: datetime.date) -> bool:
    """Monday to Friday and not a public holiday (before any municipality's closed days)."""
    return day.weekday() < 5 and day not in danish_holidays(day.year)


def add_working_days(
    day: datetime.date, count: int, *, closed: Callable[[datetime.date], bool] | None = None
) -> datetime.date:
    """The ``count``-th working day after ``day`` (``day`` itself never counts); ``closed`` tells
    the municipality's closed days (``WorkingCalendar.add_working_days``)."""
    current = day
    remaining = count
    while remaining > 0:
        current += datetime.timedelta(days=1)
        if is_working_day(current) and not (closed and closed(current)):
            remaining -= 1
    return current
