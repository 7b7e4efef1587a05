"""Month ends, leap years and daylight saving time, in the engine and in reminder timing."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from followups import engine, timing
from followups.presets import HERNING, engine_rule

D = datetime.date
CPH = ZoneInfo("Europe/Copenhagen")


def dates(code, start, until):
    return [
        i.due_date
        for i in engine.preview(rule=engine_rule(HERNING, code), start=start, until=until)
        if i.kind == "municipal"
    ]


def hours(a: datetime.datetime, b: datetime.datetime) -> float:
    """Elapsed hours (Python subtracts wall-clock times when both share a time zone)."""
    return (b.astimezone(datetime.UTC) - a.astimezone(datetime.UTC)).total_seconds() / 3600


def test_31_january_plus_one_month_is_the_last_day_of_february():
    assert engine.add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert engine.add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert engine.Period(1, engine.MONTHS).after(D(2025, 1, 31)) == D(2025, 2, 28)


def test_mst_started_on_a_month_end():
    # 30 Nov 2025: 4 weeks = 28 Dec, 8 weeks = 25 Jan, 3 months = 28 Feb (no 30 Feb), end 30 Apr.
    assert dates("mst", D(2025, 11, 30), D(2026, 12, 31)) == [
        D(2025, 12, 28),
        D(2026, 1, 25),
        D(2026, 2, 28),
        D(2026, 4, 30),
    ]


def test_mst_three_months_lands_on_leap_day():
    assert dates("mst", D(2023, 11, 30), D(2024, 12, 31))[2] == D(2024, 2, 29)


def test_boarding_school_started_on_the_last_of_january_stays_on_the_month_end():
    # "ved 4 uger, 3 mdr., 6 mdr. og herefter hver 3 mdr.": offsets from the start (issue 17, 9).
    # 4 w = 28 Feb 2024 (leap year), 3 months = 30 Apr, 6 months = 31 Jul, 9 months = 31 Oct,
    # 12 months = 31 Jan 2025; never drifting to the 30th by chained additions.
    items = [
        i
        for i in engine.preview(
            rule=engine_rule(HERNING, "boarding_school"), start=D(2024, 1, 31), until=D(2025, 2, 28)
        )
        if i.kind == "municipal"
    ]
    assert [i.due_date for i in items] == [
        D(2024, 2, 28),
        D(2024, 4, 30),
        D(2024, 7, 31),
        D(2024, 10, 31),
        D(2025, 1, 31),
    ]
    assert "status fra skolen" in items[2].purpose_da


def test_weeks_across_the_spring_dst_change_stay_whole_days():
    # Denmark moves to summer time in the night to Sunday 29 March 2026.
    assert dates("institution", D(2026, 3, 28), D(2026, 5, 31)) == [D(2026, 4, 11), D(2026, 5, 23)]


def test_deadline_moments_are_local_midnights_across_dst():
    # A date deadline on 29 March 2026 (the day clocks go forward) is overdue from midnight into
    # 30 March, summer time; the day itself is 23 hours long.
    assert timing.local_midnight(D(2026, 3, 29)) == datetime.datetime(2026, 3, 29, 0, 0, tzinfo=CPH)
    assert timing.end_of(D(2026, 3, 29)) == datetime.datetime(2026, 3, 30, 0, 0, tzinfo=CPH)
    assert hours(timing.local_midnight(D(2026, 3, 29)), timing.end_of(D(2026, 3, 29))) == 23
    # The autumn change: 25 October 2026 has 25 hours.
    assert hours(timing.local_midnight(D(2026, 10, 25)), timing.end_of(D(2026, 10, 25))) == 25


def test_reminder_stages_fall_on_the_right_local_day_across_dst():
    due_on = D(2026, 3, 30)
    stages = dict(timing.stages(due_on, timing.end_of(due_on), (7, 1)))
    assert stages["before_7"] == datetime.datetime(2026, 3, 23, 0, 0, tzinfo=CPH)
    assert stages["before_1"] == datetime.datetime(2026, 3, 29, 0, 0, tzinfo=CPH)  # winter time: 23:00 UTC
    assert stages["due"] == datetime.datetime(2026, 3, 30, 0, 0, tzinfo=CPH)  # summer time: 22:00 UTC
    utc = datetime.UTC
    # 23:30 local on 29 March (21:30 UTC) is still the day before; 00:30 on 30 March is the day.
    current, _ = timing.current_and_next(
        due_on, timing.end_of(due_on), datetime.datetime(2026, 3, 29, 21, 30, tzinfo=utc), (7, 1)
    )
    assert current[0] == "before_1"
    current, _ = timing.current_and_next(
        due_on, timing.end_of(due_on), datetime.datetime(2026, 3, 29, 22, 30, tzinfo=utc), (7, 1)
    )
    assert current[0] == "due"
