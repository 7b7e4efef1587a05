"""The statutory deadlines, as pure functions: 24 real hours, six Danish working days, four and
three calendar months (SEL § 155 / BL § 136, SEL § 155 b / BL § 136, BL § 20 stk. 3, BL § 91)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest

from cases.deadlines import (
    add_working_days,
    assessment_due,
    investigation_deadline,
    is_working_day,
    plan_due,
    receipt_due,
)

CPH = ZoneInfo("Europe/Copenhagen")
D = datetime.date


def local(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=CPH)


def test_assessment_is_due_24_hours_later_even_on_good_friday():
    # Maundy Thursday 2026 is a public holiday; the 24-hour clock does not stop for it.
    assert assessment_due(local(2026, 4, 2, 15, 30)) == local(2026, 4, 3, 15, 30)


def test_assessment_is_due_24_hours_later_across_a_weekend():
    assert assessment_due(local(2026, 3, 6, 16, 0)) == local(2026, 3, 7, 16, 0)


def test_assessment_counts_real_hours_across_the_change_to_summer_time():
    # 29 March 2026 the clocks go from 02:00 to 03:00: 24 hours after noon on Saturday is 13:00.
    due = assessment_due(local(2026, 3, 28, 12, 0))
    assert due == local(2026, 3, 29, 13, 0)
    assert (due.hour, due.utcoffset()) == (13, datetime.timedelta(hours=2))


def test_assessment_needs_an_aware_time():
    with pytest.raises(ValueError):
        assessment_due(datetime.datetime(2026, 3, 1, 12, 0))


def test_easter_days_and_weekends_are_not_working_days():
    assert not is_working_day(D(2026, 4, 2))  # skærtorsdag
    assert not is_working_day(D(2026, 4, 3))  # langfredag
    assert not is_working_day(D(2026, 4, 4))  # Saturday
    assert not is_working_day(D(2026, 4, 6))  # 2. påskedag
    assert is_working_day(D(2026, 4, 7))


def test_receipt_across_easter_is_due_on_the_sixth_working_day():
    # Received Wednesday 1 April 2026: Thu 2, Fri 3, Sat 4, Sun 5 and Mon 6 April do not count;
    # the working days are 7, 8, 9, 10, 13 and 14 April.
    assert receipt_due(local(2026, 4, 1, 10, 0)) == D(2026, 4, 14)


def test_receipt_across_a_weekend_is_due_on_the_sixth_working_day():
    # Thursday 5 March 2026: Fri 6, Mon 9, Tue 10, Wed 11, Thu 12, Fri 13.
    assert receipt_due(local(2026, 3, 5, 10, 0)) == D(2026, 3, 13)


def test_receipt_for_a_notification_received_on_a_saturday_starts_counting_on_monday():
    assert receipt_due(local(2026, 3, 7, 10, 0)) == D(2026, 3, 16)


def test_receipt_counts_from_the_day_of_receipt_in_copenhagen():
    # 23:30 in Copenhagen on Thursday is 22:30 UTC the same day; but 00:30 on Friday is Thursday in UTC.
    friday_early = datetime.datetime(2026, 3, 5, 23, 30, tzinfo=datetime.UTC)  # 00:30 Friday 6 March locally
    assert receipt_due(friday_early) == receipt_due(local(2026, 3, 6, 9, 0)) == D(2026, 3, 16)


def test_working_days_skip_ascension_day_and_whit_monday():
    # Ascension Day 14 May 2026 and Whit Monday 25 May 2026.
    assert add_working_days(D(2026, 5, 13), 1) == D(2026, 5, 15)
    assert add_working_days(D(2026, 5, 22), 1) == D(2026, 5, 26)


@pytest.mark.parametrize(
    ("decided", "deadline"),
    [
        (D(2026, 1, 15), D(2026, 5, 15)),
        (D(2025, 10, 31), D(2026, 2, 28)),  # no 31 February: the month's last day
        (D(2023, 10, 31), D(2024, 2, 29)),  # leap year
        (D(2026, 9, 30), D(2027, 1, 30)),
    ],
)
def test_investigation_is_due_four_calendar_months_after_the_decision(decided, deadline):
    assert investigation_deadline(decided) == deadline


def test_plan_is_due_three_months_after_a_placement_and_before_one_without_consent():
    assert plan_due(D(2026, 1, 31)) == D(2026, 4, 30)
    assert plan_due(D(2026, 1, 31), without_consent=True) == D(2026, 1, 31)
