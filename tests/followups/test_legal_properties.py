"""Over any history of follow-ups (forms, child conversations, the law's reasons for leaving one
out, supervisory ticks, cadence decisions, dates from 2023 to 2026), no legal gap longer than the
law's is ever shown as kept, and each legal due date cites the law in force on it (hypothesis)."""

from __future__ import annotations

import datetime
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from followups import engine
from herning.core import law

D = datetime.date

held_entries = st.tuples(
    st.integers(min_value=0, max_value=1100),  # days after the start
    st.sampled_from(engine.FORMS),
    st.booleans(),  # child conversation
    st.sampled_from(["", law.MATURITY, law.NATURE_OF_CASE]),
    st.booleans(),  # ticked as a supervisory visit
    st.one_of(st.none(), st.integers(min_value=1, max_value=12)),  # cadence decided
)


def _history(start, entries, today):
    held = []
    for offset, form, conversation, ground, visit, cadence in entries:
        day = start + datetime.timedelta(days=offset)
        if day <= today:
            held.append(
                engine.Held(
                    day,
                    supervisory_visit=visit,
                    child_conversation=conversation,
                    statutory_cadence_months=cadence,
                    form=form,
                    no_conversation_ground="" if conversation else ground,
                )
            )
    return held


def _decided_on(held, day):
    """Barnets Lov § 95, stk. 3: the cadence decided at a follow-up held under it, on or before ``day``."""
    decided = [
        h.statutory_cadence_months
        for h in sorted(held, key=lambda h: h.held_on)
        if h.held_on <= day
        and h.statutory_cadence_months
        and law.regime_on(h.held_on).cadence_decided_at_first_followup
    ]
    return decided[-1] if decided else None


def _counts_for_followup(h):
    return h.child_conversation or h.no_conversation_ground in {law.MATURITY, law.NATURE_OF_CASE}


def _counts_as_visit(h):
    return h.supervisory_visit and h.form == engine.MEETING and h.child_conversation


def _in_chain_order(items):
    """The items in the order the chain met them: those held by the day they were held on, then
    the coming ones. (A follow-up held early with a short cadence can give a next due date before
    the one it kept; the schedule lists by due date.)"""
    held = sorted((i for i in items if i.status == engine.HELD), key=lambda i: (i.held_on, i.due_date))
    return [*held, *(i for i in items if i.status != engine.HELD)]


@settings(max_examples=120, deadline=None)
@given(
    start=st.dates(min_value=D(2023, 1, 1), max_value=D(2026, 6, 30)),
    entries=st.lists(held_entries, max_size=14),
    days=st.integers(min_value=0, max_value=1200),
)
def test_no_legal_gap_longer_than_the_law_is_shown_as_kept(start, entries, days):
    today = start + datetime.timedelta(days=days)
    held = _history(start, entries, today)
    schedule = engine.schedule(
        rule=None,
        start=start,
        held=held,
        today=today,
        legal=engine.LegalContext(placement=True),
        until=today + datetime.timedelta(days=400),
    )
    followup_days = {h.held_on for h in held if _counts_for_followup(h)}
    visit_days = {h.held_on for h in held if _counts_as_visit(h)}

    legal = _in_chain_order(schedule.chain(engine.LEGAL_FOLLOWUP))
    for item in legal:
        assert item.rule == law.regime_on(item.due_date).followup.citation
        if item.status == engine.HELD:
            assert item.held_on in followup_days, "kept by a follow-up the law does not count"
    first = min(legal, key=lambda i: i.due_date)  # the first deadline, counted from the start
    assert first.due_date <= engine.add_months(start, 3)
    for previous, following in pairwise(legal):
        if previous.status != engine.HELD:
            break
        # The gap the law allows on the day the next one falls: Serviceloven § 70 at most 6 months,
        # Barnets Lov § 95 the cadence decided at a follow-up (6 months until it is).
        regime = law.regime_on(following.due_date)
        decided = _decided_on(held, previous.held_on) if regime.cadence_decided_at_first_followup else None
        limit = engine.add_months(previous.held_on, decided or regime.followup_cadence_months)
        assert following.due_date <= limit, (previous, following)
        if following.status == engine.HELD and following.on_time:
            assert following.held_on <= limit

    visits = _in_chain_order(schedule.chain(engine.SUPERVISION))
    for item in visits:
        assert item.rule == law.regime_on(item.due_date).supervision.citation
        if item.status == engine.HELD:
            assert item.held_on in visit_days, "kept by something that was not a visit in person"
    anchors = [start] + [i.held_on for i in visits if i.status == engine.HELD]
    for anchor, item in zip(anchors, visits, strict=False):
        assert item.due_date <= engine.add_months(anchor, 6)
        if item.status == engine.HELD and item.on_time:
            assert item.held_on <= engine.add_months(anchor, 6)
