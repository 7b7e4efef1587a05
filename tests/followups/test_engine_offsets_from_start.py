"""Issue 17, point 9: where a rule says "at 3, 6, 9 months and so on", the dates are offsets from the
measure's start (start + n months), never chained additions that drift at month ends; a follow-up
held on its offset day is on time. Intervals counted from the previous follow-up stay as they are."""

from __future__ import annotations

import datetime

import pytest

from followups import engine
from followups.presets import HERNING, engine_rule

D = datetime.date


def municipal(code, start, *, held=(), today=None, until):
    result = engine.schedule(
        rule=engine_rule(HERNING, code),
        start=start,
        held=[engine.Held(held_on=d) for d in held],
        today=today or start,
        legal=engine.LegalContext(applies=False),
        until=until,
    )
    return list(result.chain(engine.FOLLOWUP))


@pytest.mark.parametrize("code", ["contact_person", "private_contact_person", "boarding_school"])
def test_31_august_plus_9_months_is_31_may(code):
    dates = [i.due_date for i in municipal(code, D(2025, 8, 31), until=D(2026, 9, 1))]
    # 4 weeks, then 3, 6, 9, 12 months from the start (not 30 Nov -> 28 Feb -> 28 May -> 28 Aug).
    assert dates == [D(2025, 9, 28), D(2025, 11, 30), D(2026, 2, 28), D(2026, 5, 31), D(2026, 8, 31)]


@pytest.mark.parametrize("code", ["contact_person", "private_contact_person", "boarding_school"])
def test_follow_ups_held_on_each_offset_day_are_all_on_time(code):
    start = D(2025, 8, 31)
    offsets = [D(2025, 9, 28), D(2025, 11, 30), D(2026, 2, 28), D(2026, 5, 31), D(2026, 8, 31)]
    items = municipal(code, start, held=offsets, today=D(2026, 9, 1), until=D(2026, 12, 31))
    held = [i for i in items if i.status == engine.HELD]
    assert [i.due_date for i in held] == offsets
    assert all(i.on_time for i in held)
    # The next one is 15 months from the start.
    assert next(i for i in items if i.status != engine.HELD).due_date == D(2026, 11, 30)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        # 31 January: 28 Feb (4 w), 30 Apr, 31 Jul, 31 Oct, 31 Jan; every month end kept.
        (D(2025, 1, 31), [D(2025, 2, 28), D(2025, 4, 30), D(2025, 7, 31), D(2025, 10, 31), D(2026, 1, 31)]),
        # 29 February 2024: 28 Mar (4 w), 29 May, 29 Aug, 29 Nov, 28 Feb 2025 (no leap day).
        (D(2024, 2, 29), [D(2024, 3, 28), D(2024, 5, 29), D(2024, 8, 29), D(2024, 11, 29), D(2025, 2, 28)]),
    ],
)
def test_end_of_month_starts(start, expected):
    dates = [i.due_date for i in municipal("contact_person", start, until=expected[-1])]
    assert dates == expected


def test_a_late_follow_up_does_not_shift_the_offsets_from_the_start():
    # The 6-month follow-up (28 Feb 2026) held late on 10 March: the next is still 9 months from
    # the start, 31 May, not 10 June.
    items = municipal(
        "contact_person",
        D(2025, 8, 31),
        held=[D(2025, 9, 28), D(2025, 11, 30), D(2026, 3, 10)],
        today=D(2026, 3, 11),
        until=D(2026, 9, 1),
    )
    assert items[2].held_on == D(2026, 3, 10) and items[2].on_time is False
    assert items[3].due_date == D(2026, 5, 31)
    assert "9 måneder efter start" in items[3].explanation_da
    assert "9 months after the start" in items[3].explanation_en


def test_an_early_follow_up_answers_its_offset_and_the_next_is_the_following_offset():
    # The 6-month follow-up held early on 20 February: the next is 31 May, not 28 February again.
    items = municipal(
        "contact_person",
        D(2025, 8, 31),
        held=[D(2025, 9, 28), D(2025, 11, 30), D(2026, 2, 20)],
        today=D(2026, 2, 21),
        until=D(2026, 9, 1),
    )
    assert [i.due_date for i in items[:4]] == [
        D(2025, 9, 28),
        D(2025, 11, 30),
        D(2026, 2, 28),
        D(2026, 5, 31),
    ]


def test_an_interval_from_the_previous_follow_up_still_counts_from_it():
    # Preventive: "første opfølgning efter 4 uger herefter hver 3 måned": from the day held.
    items = municipal(
        "preventive", D(2026, 1, 5), held=[D(2026, 2, 10)], today=D(2026, 2, 11), until=D(2026, 6, 1)
    )
    assert items[1].due_date == D(2026, 5, 10)


def test_rule_text_says_the_interval_counts_from_the_start():
    rule = engine_rule(HERNING, "contact_person")
    assert "hver 3. måned regnet fra start" in engine.describe_rule(rule, "da")
    assert "every 3 months counted from the start" in engine.describe_rule(rule, "en")
    assert "regnet fra start" not in engine.describe_rule(engine_rule(HERNING, "preventive"), "da")


def test_weekly_interval_from_the_start():
    rule = engine.Rule(
        rule_set="x",
        measure_da="x",
        measure_en="x",
        phases=(engine.Phase(engine.Period(4, engine.WEEKS), from_start=True),),
    )
    result = engine.schedule(
        rule=rule,
        start=D(2026, 1, 5),
        held=[engine.Held(held_on=D(2026, 2, 6))],  # 4 weeks (2 Feb) held late
        today=D(2026, 2, 7),
        legal=engine.LegalContext(applies=False),
        until=D(2026, 4, 1),
    )
    assert [i.due_date for i in result.items][:3] == [D(2026, 2, 2), D(2026, 3, 2), D(2026, 3, 30)]
