"""Properties of the engine for any rule, start date and way of holding follow-ups (hypothesis)."""

from __future__ import annotations

import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from followups import engine
from followups.presets import HERNING, HERNING_RULES, HVIDOVRE, engine_rule
from herning.core import law

D = datetime.date

codes = st.sampled_from(sorted(HERNING_RULES))
rule_sets = st.sampled_from([HERNING, HVIDOVRE])
starts = st.dates(min_value=D(2015, 1, 1), max_value=D(2030, 12, 31))


def _simulate(rule, start, delays, *, legal, bind_first=False):
    """Hold follow-ups one after the other: each at its due date plus a delay. ``bind_first``: hold
    whichever due date binds first (the sensible practice); else the next municipal one."""
    held: list[engine.Held] = []
    today = start
    for delay in delays:
        schedule = engine.schedule(rule=rule, start=start, held=held, today=today, legal=legal)
        item = (
            schedule.next_pending()
            if bind_first
            else (schedule.next_pending(engine.FOLLOWUP) or schedule.next_pending())
        )
        if item is None:
            break
        day = max(item.due_date + datetime.timedelta(days=delay), held[-1].held_on if held else start)
        visit = item.obligation == engine.SUPERVISION
        held.append(engine.Held(day, supervisory_visit=visit, child_conversation=True))
        today = day
    return held, today


@settings(max_examples=150, deadline=None)
@given(
    rule_set=rule_sets,
    code=codes,
    start=starts,
    delays=st.lists(st.integers(min_value=-10, max_value=45), max_size=12),
    placement=st.booleans(),
    horizon=st.integers(min_value=0, max_value=900),
)
def test_due_dates_ascend_within_each_chain(rule_set, code, start, delays, placement, horizon):
    rule = engine_rule(rule_set, code)
    legal = engine.LegalContext(placement=placement)
    held, today = _simulate(rule, start, delays, legal=legal)
    schedule = engine.schedule(
        rule=rule,
        start=start,
        held=held,
        today=today,
        legal=legal,
        until=today + datetime.timedelta(days=horizon),
    )
    for obligation in (engine.FOLLOWUP, engine.LEGAL_FOLLOWUP, engine.SUPERVISION):
        chain = [i.due_date for i in schedule.chain(obligation)]
        assert chain == sorted(chain)
        assert len(chain) == len(set(chain)), chain
        statuses = [i.status for i in schedule.chain(obligation)]
        # Only the oldest missed one is overdue, and nothing held comes after something pending.
        assert statuses.count(engine.OVERDUE) <= 1
        held_positions = [n for n, s in enumerate(statuses) if s == engine.HELD]
        pending_positions = [n for n, s in enumerate(statuses) if s != engine.HELD]
        if held_positions and pending_positions:
            assert max(held_positions) < min(pending_positions)


@settings(max_examples=150, deadline=None)
@given(
    rule_set=rule_sets,
    code=codes,
    start=starts,
    placement=st.booleans(),
    investigation=st.one_of(st.none(), st.integers(min_value=0, max_value=120)),
    cadence=st.one_of(st.none(), st.integers(min_value=1, max_value=12)),
)
def test_holding_what_binds_first_never_exceeds_a_statutory_gap(
    rule_set, code, start, placement, investigation, cadence
):
    rule = engine_rule(rule_set, code)
    investigation_end = start + datetime.timedelta(days=investigation) if investigation is not None else None
    legal = engine.LegalContext(placement=placement, investigation_end=investigation_end)
    held: list[engine.Held] = []
    today = start
    horizon = start + datetime.timedelta(days=3 * 365)
    for _ in range(200):
        schedule = engine.schedule(rule=rule, start=start, held=held, today=today, legal=legal)
        item = schedule.next_pending()
        assert item is not None, "the law always has a next follow-up"
        if item.due_date > horizon:
            break
        first = not held
        held.append(
            engine.Held(
                item.due_date,
                supervisory_visit=item.obligation == engine.SUPERVISION,
                child_conversation=True,
                statutory_cadence_months=cadence if first else None,
            )
        )
        today = item.due_date
    dates = [h.held_on for h in held]
    assert dates == sorted(dates)
    # Each date is judged by the law in force on it (herning.core.law): Serviceloven § 70 at most 6
    # months apart; Barnets Lov § 95 the cadence decided at the first follow-up held under it.
    first_limit = engine.add_months(start, 3)
    if (
        investigation_end is not None
        and investigation_end < first_limit
        and law.regime_on(first_limit).first_followup_at_investigation_end
        and law.regime_on(investigation_end).first_followup_at_investigation_end
    ):
        first_limit = investigation_end
    decided = cadence if law.regime_on(dates[0]).cadence_decided_at_first_followup else None
    assert dates and dates[0] <= first_limit
    for previous, following in zip(dates, [*dates[1:], horizon], strict=True):
        if following <= horizon:
            interval = decided or 6
            assert following <= engine.add_months(previous, interval), (previous, following)
    if placement:
        visits = [start] + [h.held_on for h in held if h.supervisory_visit]
        for previous, following in zip(visits, [*visits[1:], horizon], strict=True):
            assert following <= engine.add_months(previous, 6), (previous, following)


@settings(max_examples=80, deadline=None)
@given(rule_set=rule_sets, code=codes, start=starts, days=st.integers(min_value=1, max_value=3 * 365))
def test_the_preview_is_what_the_schedule_gives_when_each_is_held_on_its_due_date(
    rule_set, code, start, days
):
    rule = engine_rule(rule_set, code)
    until = start + datetime.timedelta(days=days)
    preview = list(
        engine.preview(rule=rule, start=start, until=until, legal=engine.LegalContext(applies=False))
    )
    held = [engine.Held(i.due_date) for i in preview]
    replay = engine.schedule(
        rule=rule, start=start, held=held, today=until, legal=engine.LegalContext(applies=False)
    )
    assert [i.due_date for i in replay.chain(engine.FOLLOWUP) if i.status == engine.HELD] == [
        i.due_date for i in preview
    ]
