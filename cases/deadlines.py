"""The statutory deadlines of a case as pure functions (no database, no clock).

Sources: Serviceloven §§ 50, 140, 155 and 155 b, Barnets Lov §§ 20, 91, 136 and 137
(docs/domain.md §4).

* 24-hour assessment of a notification: SEL § 155 / BL § 136, counted in real hours from receipt
  (a weekend or a holiday does not stop the clock).
* Receipt to a professional notifier: SEL § 155 b / BL § 137, within six working days
  ("hverdage") after the day of receipt; weekends and Danish public holidays do not count.
* Child-welfare investigation: SEL § 50, stk. 7 / BL § 20, stk. 3, four calendar months from the
  day the municipality became aware that the child may need special support; if it cannot be
  finished by then, an interim assessment is due at that point.
* The child's plan: BL § 91, within three calendar months of a placement decision; for a
  placement without consent (BL § 47) before the decision.
"""

from __future__ import annotations

import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from dateutil.relativedelta import relativedelta

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
ASSESSMENT_HOURS = 24
RECEIPT_WORKING_DAYS = 6
INVESTIGATION_MONTHS = 4
PLAN_MONTHS = 3


@lru_cache(maxsize=64)
def _danish_holidays(year: int) -> frozenset[datetime.date]:
    """Denmark's public holidays (helligdage) of ``year``, from the ``holidays`` package."""
    return frozenset(holidays.country_holidays("DK", years=year).keys())


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _danish_holidays(day.year)


def add_working_days(day: datetime.date, count: int) -> datetime.date:
    """The ``count``-th working day after ``day`` (``day`` itself never counts)."""
    current = day
    remaining = count
    while remaining > 0:
        current += datetime.timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def assessment_due(received_at: datetime.datetime) -> datetime.datetime:
    """When the 24-hour assessment of a notification received at ``received_at`` is due."""
    if received_at.tzinfo is None:
        raise ValueError("received_at must be an aware datetime")
    # Aware arithmetic in UTC: 24 real hours, also across a change to or from summer time.
    return (received_at.astimezone(datetime.UTC) + datetime.timedelta(hours=ASSESSMENT_HOURS)).astimezone(
        COPENHAGEN
    )


def receipt_due(received_at: datetime.datetime) -> datetime.date:
    """The last day to confirm receipt to a professional notifier: six working days after the
    day (in Copenhagen) the notification was received."""
    return add_working_days(received_at.astimezone(COPENHAGEN).date(), RECEIPT_WORKING_DAYS)


def investigation_deadline(aware_on: datetime.date) -> datetime.date:
    """Four calendar months after the municipality became aware (31 October → 28/29 February);
    Barnets Lov § 20, stk. 3, Serviceloven § 50, stk. 7 before 2024."""
    return aware_on + relativedelta(months=INVESTIGATION_MONTHS)


def plan_due(decided_on: datetime.date, *, without_consent: bool = False) -> datetime.date:
    """When the child's plan must exist for a placement decided on ``decided_on``."""
    if without_consent:
        return decided_on
    return decided_on + relativedelta(months=PLAN_MONTHS)
