"""The statutory deadlines of a case as pure functions (no database, no clock).

Sources: Serviceloven §§ 50, 140, 155 and 155 b, Barnets Lov §§ 20, 91, 136 and 137
(docs/domain.md §4).

* 24-hour assessment of a notification: SEL § 155 / BL § 136, counted in real hours from receipt
  (a weekend or a holiday does not stop the clock).
* Receipt to a professional notifier: SEL § 155 b / BL § 136, within six working days
  ("hverdage") after the day of receipt; weekends, Danish public holidays and the receiving
  municipality's closed days (``herning.organisation.calendar``) do not count.
* Feedback to a professional notifier on whether an investigation or a measure was started:
  SEL § 155 b, stk. 2 / BL § 136, within three calendar months of receipt.
* Screening of the child's need for help (BL § 18, from 1 January 2024): the law sets no time
  limit; the municipality's own limit counts working days from receipt (docs/deadlines.md).
* Child-welfare investigation: SEL § 50, stk. 7 / BL § 20, stk. 3, four calendar months from the
  day the municipality became aware that the child may need special support; if it cannot be
  finished by then, an interim assessment is due at that point.
* The child's plan: BL § 91, within three calendar months of a placement decision; for a
  placement without consent (BL § 47) before the decision.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from herning.core import dates

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
ASSESSMENT_HOURS = 24
RECEIPT_WORKING_DAYS = 6
INVESTIGATION_MONTHS = 4
PLAN_MONTHS = 3
FEEDBACK_MONTHS = 3
SCREENING_WORKING_DAYS = 6


def is_working_day(day: datetime.date, calendar=None) -> bool:
    """A working day: Monday-Friday, not a public holiday, nor a closed day of ``calendar`` (a
    ``WorkingCalendar`` of the municipality; without one, only weekends and holidays count)."""
    return calendar.is_working_day(day) if calendar is not None else dates.is_working_day(day)


def add_working_days(day: datetime.date, count: int, calendar=None) -> datetime.date:
    """The ``count``-th working day after ``day`` (``day`` itself never counts)."""
    if calendar is not None:
        return calendar.add_working_days(day, count)
    return dates.add_working_days(day, count)


def assessment_due(received_at: datetime.datetime) -> datetime.datetime:
    """When the 24-hour assessment of a notification received at ``received_at`` is due."""
    if received_at.tzinfo is None:
        raise ValueError("received_at must be an aware datetime")
    # Aware arithmetic in UTC: 24 real hours, also across a change to or from summer time.
    return (received_at.astimezone(datetime.UTC) + datetime.timedelta(hours=ASSESSMENT_HOURS)).astimezone(
        COPENHAGEN
    )


def receipt_due(received_at: datetime.datetime, calendar=None) -> datetime.date:
    """The last day to confirm receipt to a professional notifier: six working days (of the
    receiving municipality's ``calendar``) after the day (in Copenhagen) it was received."""
    return add_working_days(received_at.astimezone(COPENHAGEN).date(), RECEIPT_WORKING_DAYS, calendar)


def feedback_due(received_at: datetime.datetime) -> datetime.date:
    """The last day to tell a professional notifier whether an investigation or a measure was
    started: three calendar months after the day of receipt (SEL § 155 b, stk. 2 / BL § 136)."""
    return received_at.astimezone(COPENHAGEN).date() + relativedelta(months=FEEDBACK_MONTHS)


def screening_due(received_at: datetime.datetime, calendar=None, working_days: int = SCREENING_WORKING_DAYS):
    """The municipality's own limit for the screening of BL § 18 (the law sets none): a number of
    working days after the day of receipt."""
    return add_working_days(received_at.astimezone(COPENHAGEN).date(), working_days, calendar)


def investigation_deadline(aware_on: datetime.date) -> datetime.date:
    """Four calendar months after the municipality became aware (31 October → 28/29 February);
    Barnets Lov § 20, stk. 3, Serviceloven § 50, stk. 7 before 2024."""
    return aware_on + relativedelta(months=INVESTIGATION_MONTHS)


def plan_due(decided_on: datetime.date, *, without_consent: bool = False) -> datetime.date:
    """When the child's plan must exist for a placement decided on ``decided_on``."""
    if without_consent:
        return decided_on
    return decided_on + relativedelta(months=PLAN_MONTHS)
