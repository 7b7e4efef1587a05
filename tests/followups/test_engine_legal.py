"""The legal floor beside the municipal rule: Serviceloven § 70 before 1 January 2024, Barnets Lov
§§ 95-96 from that day, and for placements § 156, stk. 5 (docs/domain.md §3)."""

from __future__ import annotations

import datetime

from followups import engine
from followups.presets import EXCEPTIONS, HERNING, engine_rule

D = datetime.date


def legal_chain(start, *, held=(), today=None, investigation_end=None, placement=False, until=None):
    schedule = engine.schedule(
        rule=None,
        start=start,
        held=held,
        today=today or start,
        legal=engine.LegalContext(placement=placement, investigation_end=investigation_end),
        until=until or start + datetime.timedelta(days=800),
    )
    return schedule


def test_serviceloven_70_for_the_follow_ups_falling_in_2023():
    # 10 May 2023 + 3 months = 10 Aug 2023 (Serviceloven); held 1 Aug; 6 months on is 1 Feb 2024,
    # which falls under Barnets Lov: its default until a cadence is decided.
    schedule = legal_chain(D(2023, 5, 10), held=[engine.Held(D(2023, 8, 1))], today=D(2023, 8, 2))
    chain = schedule.chain(engine.LEGAL_FOLLOWUP)
    assert [(i.due_date, i.status, i.rule) for i in chain[:2]] == [
        (D(2023, 8, 10), engine.HELD, "Serviceloven § 70"),
        (D(2024, 2, 1), engine.UPCOMING, "Barnets Lov § 95"),
    ]
    assert "Serviceloven § 70: første opfølgning senest 3 måneder efter start" in chain[0].explanation_da
    assert "Barnets Lov § 95, stk. 3" in chain[1].explanation_da


def test_a_measure_started_on_the_last_day_of_2023_owes_its_2024_follow_ups_under_barnets_lov():
    # 31 Dec 2023 + 3 months = 31 Mar 2024: an obligation of 2024, so Barnets Lov § 95, stk. 2.
    schedule = legal_chain(D(2023, 12, 31), held=[engine.Held(D(2024, 3, 20))], today=D(2024, 3, 21))
    chain = schedule.chain(engine.LEGAL_FOLLOWUP)
    assert [(i.due_date, i.status) for i in chain[:3]] == [
        (D(2024, 3, 31), engine.HELD),
        (D(2024, 9, 20), engine.UPCOMING),
        (D(2025, 3, 20), engine.UPCOMING),
    ]
    assert all(i.rule == "Barnets Lov § 95" for i in chain)
    assert "Serviceloven" not in " ".join(i.explanation_da for i in chain)


def test_the_cadence_decided_in_2024_for_a_measure_started_in_2023_counts_under_barnets_lov():
    # Started 15 Nov 2023 under Serviceloven; the first follow-up, held 1 Feb 2024 under Barnets
    # Lov, decides every 3 months (§ 95, stk. 3): the next statutory date is 1 May 2024.
    held = [engine.Held(D(2024, 2, 1), statutory_cadence_months=3)]
    chain = legal_chain(D(2023, 11, 15), held=held, today=D(2024, 2, 2)).chain(engine.LEGAL_FOLLOWUP)
    assert [(i.due_date, i.status) for i in chain[:2]] == [
        (D(2024, 2, 15), engine.HELD),
        (D(2024, 5, 1), engine.UPCOMING),
    ]
    assert chain[1].rule == "Barnets Lov § 95"
    assert "Barnets Lov § 95, stk. 3: hver 3. måned som besluttet" in chain[1].explanation_da


def test_a_cadence_number_recorded_under_serviceloven_decided_nothing():
    held = [engine.Held(D(2023, 8, 1), statutory_cadence_months=2)]
    chain = legal_chain(D(2023, 5, 10), held=held, today=D(2023, 8, 2)).chain(engine.LEGAL_FOLLOWUP)
    assert chain[1].due_date == D(2024, 2, 1)


def test_supervisory_visits_falling_in_2024_cite_barnets_lov_156():
    chain = legal_chain(D(2023, 9, 1), placement=True).chain(engine.SUPERVISION)
    assert chain[0].due_date == D(2024, 3, 1)
    assert chain[0].rule == "Barnets Lov § 156, stk. 5"
    assert legal_chain(D(2023, 5, 1), placement=True).chain(engine.SUPERVISION)[0].rule == (
        "Serviceloven § 148, stk. 3"
    )


def test_serviceloven_ignores_an_investigation_running_alongside():
    schedule = legal_chain(D(2023, 6, 1), investigation_end=D(2023, 7, 20))
    assert schedule.chain(engine.LEGAL_FOLLOWUP)[0].due_date == D(2023, 9, 1)


def test_the_first_follow_up_of_2024_moves_to_a_parallel_investigation_ending_in_2024():
    # Barnets Lov § 95, stk. 2, nr. 1 governs a first follow-up that falls in 2024.
    schedule = legal_chain(D(2023, 12, 31), investigation_end=D(2024, 1, 20))
    assert schedule.chain(engine.LEGAL_FOLLOWUP)[0].due_date == D(2024, 1, 20)


def test_barnets_lov_95_from_the_first_day_of_2024():
    chain = legal_chain(D(2024, 1, 1)).chain(engine.LEGAL_FOLLOWUP)
    # 1 Jan + 3 months = 1 Apr; then the default 6 months until a cadence is decided.
    assert [i.due_date for i in chain[:3]] == [D(2024, 4, 1), D(2024, 10, 1), D(2025, 4, 1)]
    assert chain[0].rule == "Barnets Lov § 95"
    assert "indtil kadencen er besluttet" in chain[1].explanation_da


def test_barnets_lov_first_follow_up_when_a_parallel_investigation_ends_earlier():
    chain = legal_chain(D(2024, 1, 1), investigation_end=D(2024, 2, 15)).chain(engine.LEGAL_FOLLOWUP)
    assert chain[0].due_date == D(2024, 2, 15)
    assert "sideløbende undersøgelse" in chain[0].explanation_da


def test_barnets_lov_investigation_ending_after_three_months_does_not_move_the_first():
    chain = legal_chain(D(2024, 1, 1), investigation_end=D(2024, 5, 1)).chain(engine.LEGAL_FOLLOWUP)
    assert chain[0].due_date == D(2024, 4, 1)


def test_barnets_lov_cadence_decided_at_the_first_follow_up():
    held = [engine.Held(D(2024, 2, 10), statutory_cadence_months=4)]
    chain = legal_chain(D(2024, 1, 1), held=held, today=D(2024, 2, 11)).chain(engine.LEGAL_FOLLOWUP)
    assert [i.due_date for i in chain[:3]] == [D(2024, 4, 1), D(2024, 6, 10), D(2024, 10, 10)]
    assert "hver 4. måned som besluttet" in chain[1].explanation_da


def test_the_latest_follow_up_before_a_legal_deadline_counts():
    # Monthly follow-ups: the legal deadline of 1 Apr is met by the one of 25 Mar, so the next
    # legal deadline is 25 Sep.
    held = [engine.Held(D(2024, m, 25)) for m in (1, 2, 3)]
    chain = legal_chain(D(2024, 1, 1), held=held, today=D(2024, 3, 26)).chain(engine.LEGAL_FOLLOWUP)
    assert (chain[0].due_date, chain[0].held_on) == (D(2024, 4, 1), D(2024, 3, 25))
    assert chain[1].due_date == D(2024, 9, 25)


def test_placements_need_two_supervisory_visits_a_year_with_a_child_conversation():
    visit = engine.Held(D(2024, 6, 1), supervisory_visit=True, child_conversation=True)
    not_a_visit = engine.Held(D(2024, 5, 1), child_conversation=True)
    schedule = legal_chain(D(2024, 1, 1), held=[not_a_visit, visit], today=D(2024, 6, 2), placement=True)
    chain = schedule.chain(engine.SUPERVISION)
    assert [(i.due_date, i.held_on) for i in chain[:2]] == [
        (D(2024, 7, 1), D(2024, 6, 1)),
        (D(2024, 12, 1), None),
    ]
    assert chain[0].rule == "Barnets Lov § 156, stk. 5"
    assert chain[0].kind == engine.STATUTORY


def test_a_visit_without_a_child_conversation_is_no_supervisory_visit():
    visit = engine.Held(D(2024, 6, 1), supervisory_visit=True, child_conversation=False)
    chain = legal_chain(D(2024, 1, 1), held=[visit], today=D(2024, 6, 2), placement=True).chain(
        engine.SUPERVISION
    )
    assert chain[0].status == engine.UPCOMING and chain[0].held_on is None


def test_which_binds_first_municipal_or_statutory():
    rule = engine_rule(HERNING, "family_treatment")
    # Family treatment has no municipal follow-up after 8 months: from then the law binds.
    held = [engine.Held(d) for d in (D(2026, 2, 2), D(2026, 4, 5), D(2026, 7, 5), D(2026, 9, 5))]
    schedule = engine.schedule(rule=rule, start=D(2026, 1, 5), held=held, today=D(2026, 9, 6))
    first = schedule.next_pending()
    assert (first.due_date, first.kind) == (D(2027, 3, 5), engine.STATUTORY)
    # Early on, the municipal rule binds first.
    early = engine.schedule(rule=rule, start=D(2026, 1, 5), held=[], today=D(2026, 1, 6)).next_pending()
    assert (early.due_date, early.kind) == (D(2026, 2, 2), engine.MUNICIPAL)


def test_an_exception_relaxes_the_extra_follow_ups_and_never_the_statutory_ones():
    rule = engine_rule(HERNING, "foster_family")
    relax = engine.Relaxation(
        label_da="Barndomsanbringelse i plejefamilie",
        label_en="Childhood placement in foster care",
        from_date=D(2026, 3, 1),
        extra_forms=(engine.PHONE, engine.MAIL),
        child_conversation_required=False,
    )
    plain = engine.preview(
        rule=rule, start=D(2026, 1, 5), until=D(2026, 12, 31), legal=engine.LegalContext(placement=True)
    )
    relaxed = engine.schedule(
        rule=rule,
        start=D(2026, 1, 5),
        held=[],
        today=D(2026, 1, 5),
        until=D(2026, 12, 31),
        legal=engine.LegalContext(placement=True),
        relaxations=[relax],
    ).items
    # The same dates, municipal and statutory alike: nothing is removed.
    assert [(i.due_date, i.kind) for i in relaxed] == [(i.due_date, i.kind) for i in plain]
    municipal = [i for i in relaxed if i.kind == engine.MUNICIPAL]
    assert municipal[0].allowed_forms == (engine.MEETING,)  # before the approval
    assert municipal[1].allowed_forms == (engine.MEETING, engine.PHONE, engine.MAIL)
    assert not municipal[1].child_conversation_required
    assert municipal[1].relaxed_by == "Barndomsanbringelse i plejefamilie"
    assert all(
        i.child_conversation_required and not i.relaxed_by for i in relaxed if i.kind == engine.STATUTORY
    )


def test_the_childhood_exception_never_relaxes_the_first_year_whatever_its_from_date():
    rule = engine_rule(HERNING, "foster_family")
    start = D(2026, 1, 5)
    spec = EXCEPTIONS["childhood_foster"]
    relax = engine.Relaxation(
        label_da="Barndomsanbringelse i plejefamilie",
        label_en=spec["label_en"],
        from_date=D(2026, 1, 5),  # approved on the first day
        extra_forms=spec["extra_forms"],
        child_conversation_required=spec["child_conversation_required"],
        not_before_months=spec["not_before_months"],
    )
    items = engine.schedule(
        rule=rule,
        start=start,
        held=[],
        today=start,
        until=D(2027, 12, 31),
        legal=engine.LegalContext(placement=True),
        relaxations=[relax],
    ).items
    municipal = [i for i in items if i.kind == engine.MUNICIPAL]
    first_year = [i for i in municipal if i.due_date < D(2027, 1, 5)]
    after = [i for i in municipal if i.due_date >= D(2027, 1, 5)]
    assert len(first_year) >= 8 and after
    assert not any(i.relaxed_by for i in first_year)
    assert all(i.child_conversation_required and i.allowed_forms == (engine.MEETING,) for i in first_year)
    assert all(i.relaxed_by and not i.child_conversation_required for i in after)


def test_no_relaxation_touches_a_statutory_item():
    """Every exception of Herningmodellen 1.0, approved on the first day, on every placement and
    boarding-school rule: the statutory items are the very same as without it."""
    legal = engine.LegalContext(placement=True)
    for code in ("foster_family", "institution", "boarding_school"):
        rule = engine_rule(HERNING, code)
        for spec in EXCEPTIONS.values():
            relax = engine.Relaxation(
                label_da="x",
                label_en=spec["label_en"],
                from_date=D(2024, 1, 1),
                extra_forms=spec["extra_forms"],
                child_conversation_required=spec["child_conversation_required"],
                not_before_months=spec.get("not_before_months", 0),
            )
            args = {
                "rule": rule,
                "start": D(2024, 3, 4),
                "held": [],
                "today": D(2024, 3, 4),
                "until": D(2027, 3, 4),
                "legal": legal,
            }
            plain = [i for i in engine.schedule(**args).items if i.kind == engine.STATUTORY]
            relaxed = engine.schedule(**args, relaxations=[relax]).items
            assert [i for i in relaxed if i.kind == engine.STATUTORY] == plain
            assert any(i.relaxed_by for i in relaxed if i.kind == engine.MUNICIPAL)
