"""Every code of docs/domain.md §3 against dates worked out by hand from the rule text.

The start is Monday 5 January 2026 unless a test says otherwise. Weeks are 7 days; months are
calendar months from the start (milestones) or from the previous follow-up (intervals).
"""

from __future__ import annotations

import datetime

import pytest

from followups import engine
from followups.presets import HERNING, HERNING_RULES, HVIDOVRE, HVIDOVRE_RULES, engine_rule

D = datetime.date
START = D(2026, 1, 5)
END_2026 = D(2026, 12, 31)


def municipal_dates(rule_set: str, code: str, *, start=START, until=END_2026) -> list[datetime.date]:
    items = engine.preview(rule=engine_rule(rule_set, code), start=start, until=until)
    return [i.due_date for i in items if i.kind == engine.MUNICIPAL]


# "first after 2w, then every 6w": 5 Jan + 14 days, then + 42 days each (all Mondays).
TWO_THEN_SIX_WEEKS_2026 = [
    D(2026, 1, 19),
    D(2026, 3, 2),
    D(2026, 4, 13),
    D(2026, 5, 25),
    D(2026, 7, 6),
    D(2026, 8, 17),
    D(2026, 9, 28),
    D(2026, 11, 9),
    D(2026, 12, 21),
]


@pytest.mark.parametrize("code", ["institution", "secure_institution", "own_room", "supported_housing"])
def test_placements_first_after_two_weeks_then_every_six_weeks(code):
    assert municipal_dates(HERNING, code) == TWO_THEN_SIX_WEEKS_2026


def test_short_term_placement_every_four_weeks_from_the_start():
    assert municipal_dates(HERNING, "short_term_placement", until=D(2026, 6, 30)) == [
        D(2026, 2, 2),
        D(2026, 3, 2),
        D(2026, 3, 30),
        D(2026, 4, 27),
        D(2026, 5, 25),
        D(2026, 6, 22),
    ]


@pytest.mark.parametrize("code", ["foster_family", "special_foster_family", "network_foster_family"])
def test_foster_family_switches_to_quarterly_after_first_year(code):
    # The follow-up of 21 Dec 2026 lies in the first year (before 5 Jan 2027), so the next is
    # 6 weeks later, 1 Feb 2027; from then on every 3 calendar months.
    assert municipal_dates(HERNING, code, until=D(2027, 12, 31)) == [
        *TWO_THEN_SIX_WEEKS_2026,
        D(2027, 2, 1),
        D(2027, 5, 1),
        D(2027, 8, 1),
        D(2027, 11, 1),
    ]


def test_boarding_school_at_four_weeks_three_and_six_months_then_quarterly():
    items = [
        i
        for i in engine.preview(
            rule=engine_rule(HERNING, "boarding_school"), start=START, until=D(2027, 1, 31)
        )
        if i.kind == engine.MUNICIPAL
    ]
    assert [i.due_date for i in items] == [
        D(2026, 2, 2),
        D(2026, 4, 5),
        D(2026, 7, 5),
        D(2026, 10, 5),
        D(2027, 1, 5),
    ]
    assert "status fra skolen" in items[2].purpose_da


@pytest.mark.parametrize("code", ["preventive", "respite_care"])
def test_preventive_first_after_four_weeks_then_quarterly_with_a_status_at_six_months(code):
    # 2 Feb (4 weeks), 2 May (3 months after), 5 Jul (6 months from the start, before 2 Aug),
    # then every 3 months from 5 Jul.
    items = [
        i
        for i in engine.preview(rule=engine_rule(HERNING, code), start=START, until=D(2027, 1, 31))
        if i.kind == engine.MUNICIPAL
    ]
    assert [i.due_date for i in items] == [
        D(2026, 2, 2),
        D(2026, 5, 2),
        D(2026, 7, 5),
        D(2026, 10, 5),
        D(2027, 1, 5),
    ]
    assert "fortsættelse af indsatsen" in items[2].purpose_da


def test_mst_at_four_and_eight_weeks_and_three_months_ending_at_five_months():
    items = [
        i
        for i in engine.preview(rule=engine_rule(HERNING, "mst"), start=START, until=D(2026, 12, 31))
        if i.kind == engine.MUNICIPAL
    ]
    assert [i.due_date for i in items] == [D(2026, 2, 2), D(2026, 3, 2), D(2026, 4, 5), D(2026, 6, 5)]
    assert items[-1].programme_end
    assert "forløbet afsluttes 5 måneder efter start" in items[-1].explanation_da
    assert "forslag til videre forløb" in items[2].purpose_da


@pytest.mark.parametrize("code", ["contact_person", "private_contact_person"])
def test_contact_person_at_four_weeks_three_six_nine_months_and_so_on(code):
    assert municipal_dates(HERNING, code, until=D(2027, 1, 31)) == [
        D(2026, 2, 2),
        D(2026, 4, 5),
        D(2026, 7, 5),
        D(2026, 10, 5),
        D(2027, 1, 5),
    ]


def test_family_treatment_milestones_end_with_the_providers_written_status_at_eight_months():
    items = [
        i
        for i in engine.preview(
            rule=engine_rule(HERNING, "family_treatment"), start=START, until=D(2027, 12, 31)
        )
        if i.kind == engine.MUNICIPAL
    ]
    assert [i.due_date for i in items] == [D(2026, 2, 2), D(2026, 4, 5), D(2026, 7, 5), D(2026, 9, 5)]
    assert items[-1].purpose_da == "skriftlig status fra Familiecenteret"


def test_early_support_has_no_municipal_and_no_statutory_follow_up():
    items = engine.preview(
        rule=engine_rule(HERNING, "early_support"),
        start=START,
        until=D(2027, 12, 31),
        legal=engine.LegalContext(applies=False),
    )
    assert items == ()


def test_herning_preset_has_a_rule_for_every_code_of_the_catalog():
    from measures.catalog import MEASURE_TYPES

    assert set(HERNING_RULES) == {code for code, *_ in MEASURE_TYPES}
    assert set(HVIDOVRE_RULES) == {code for code, *_ in MEASURE_TYPES}


def test_hvidovre_placements_after_four_weeks_then_every_six_weeks_with_assessment_at_six_months():
    # 2 Feb (4 w), then + 42 days: 16 Mar, 27 Apr, 8 Jun; 5 Jul (6 months, before 20 Jul); then
    # + 42 days from 5 Jul: 16 Aug.
    items = [
        i
        for i in engine.preview(rule=engine_rule(HVIDOVRE, "institution"), start=START, until=D(2026, 8, 31))
        if i.kind == engine.MUNICIPAL
    ]
    assert [i.due_date for i in items] == [
        D(2026, 2, 2),
        D(2026, 3, 16),
        D(2026, 4, 27),
        D(2026, 6, 8),
        D(2026, 7, 5),
        D(2026, 8, 16),
    ]
    assert "hjemgivelse" in items[4].purpose_da


def test_hvidovre_preventive_after_four_weeks_then_every_second_month():
    assert municipal_dates(HVIDOVRE, "preventive", until=D(2026, 9, 30)) == [
        D(2026, 2, 2),
        D(2026, 4, 2),
        D(2026, 6, 2),
        D(2026, 8, 2),
    ]


def test_explanation_names_start_rule_and_rule_set_in_one_sentence():
    rule = engine_rule(
        HERNING, "institution", measure_da="Anbringelse på institution", measure_en="Residential institution"
    )
    first = engine.preview(rule=rule, start=START, until=D(2026, 1, 31))[0]
    assert first.explanation_da == (
        "Anbringelse på institution startede 5. januar 2026; regel: første opfølgning efter 2 uger, "
        "derefter hver 6. uge (Herningmodellen 1.0); 2 uger efter start."
    )
    assert first.explanation_en == (
        "Residential institution started 5 January 2026; rule: first follow-up after 2 weeks, "
        "then every 6 weeks (Herningmodellen 1.0); 2 weeks after the start."
    )
    assert first.rule == "Herningmodellen 1.0"


def test_next_counts_from_the_day_actually_held():
    rule = engine_rule(HERNING, "institution")
    # Held three days late: the next is 6 weeks after 22 Jan, not after 19 Jan.
    schedule = engine.schedule(
        rule=rule, start=START, held=[engine.Held(D(2026, 1, 22))], today=D(2026, 1, 23)
    )
    first, second = schedule.chain(engine.FOLLOWUP)
    assert (first.status, first.held_on, first.on_time) == (engine.HELD, D(2026, 1, 22), False)
    assert second.due_date == D(2026, 3, 5)
    assert "efter opfølgningen 22. januar 2026" in second.explanation_da


def test_only_the_oldest_missed_follow_up_is_overdue_and_the_rest_count_from_today():
    rule = engine_rule(HERNING, "institution")
    schedule = engine.schedule(rule=rule, start=START, held=[], today=D(2026, 4, 1), until=D(2026, 6, 30))
    chain = schedule.chain(engine.FOLLOWUP)
    assert [(i.due_date, i.status) for i in chain] == [
        (D(2026, 1, 19), engine.OVERDUE),
        (D(2026, 5, 13), engine.UPCOMING),  # 6 weeks after today (1 April)
        (D(2026, 6, 24), engine.UPCOMING),
    ]


def test_a_date_agreed_at_the_follow_up_replaces_the_rules_next_date():
    rule = engine_rule(HERNING, "institution")
    held = [engine.Held(D(2026, 1, 19), next_agreed_on=D(2026, 2, 20))]
    schedule = engine.schedule(rule=rule, start=START, held=held, today=D(2026, 1, 20))
    item = schedule.next_pending(engine.FOLLOWUP)
    assert item.due_date == D(2026, 2, 20)
    assert "aftalt ved opfølgningen 19. januar 2026" in item.explanation_da


def test_nothing_falls_due_after_the_measure_ends():
    rule = engine_rule(HERNING, "institution")
    schedule = engine.schedule(
        rule=rule,
        start=START,
        held=[],
        today=START,
        end=D(2026, 3, 1),
        until=D(2026, 12, 31),
        legal=engine.LegalContext(placement=True),
    )
    assert [i.due_date for i in schedule.items] == [D(2026, 1, 19)]


def test_describe_rule_in_both_languages():
    assert (
        engine.describe_rule(engine_rule(HERNING, "foster_family"), "da")
        == "første opfølgning efter 2 uger, derefter hver 6. uge det første år, så hver 3. måned"
    )
    assert (
        engine.describe_rule(engine_rule(HERNING, "mst"), "en")
        == "follow-up after 4 weeks, 8 weeks and 3 months, the programme ends after 5 months"
    )
    assert (
        engine.describe_rule(engine_rule(HERNING, "short_term_placement"), "da") == "opfølgning hver 4. uge"
    )


def _next_municipal(held):
    rule = engine_rule(HERNING, "institution")
    return engine.schedule(rule=rule, start=START, held=held, today=D(2026, 1, 20)).next_pending(
        engine.FOLLOWUP
    )


def test_a_later_date_than_the_rule_stands_only_once_the_team_leader_approved_it():
    # The rule: 6 weeks after the follow-up on 19 January, 2 March; agreed: 16 March.
    asked = engine.Held(D(2026, 1, 19), next_agreed_on=D(2026, 3, 16), later_state=engine.LATER_REQUESTED)
    item = _next_municipal([asked])
    assert item.due_date == D(2026, 3, 2)
    assert "den aftalte senere dato 16. marts 2026 afventer teamlederens godkendelse" in item.explanation_da
    assert "awaits the team leader's approval" in item.explanation_en
    # A later date recorded with no request (or a refused one) moves nothing either.
    assert _next_municipal([asked._replace(later_state="")]).due_date == D(2026, 3, 2)
    refused = _next_municipal([asked._replace(later_state=engine.LATER_REFUSED)])
    assert refused.due_date == D(2026, 3, 2)
    assert "afvist af teamlederen" in refused.explanation_da
    approved = _next_municipal(
        [
            asked._replace(
                later_state=engine.LATER_APPROVED,
                later_decided_by="Tina Leder",
                later_decided_on=D(2026, 1, 21),
            )
        ]
    )
    assert approved.due_date == D(2026, 3, 16)
    assert "udsat efter aftale, godkendt af Tina Leder 21. januar 2026" in approved.explanation_da
    assert "postponed by agreement, approved by Tina Leder on 21 January 2026" in approved.explanation_en


def test_a_date_agreed_on_or_before_the_rules_date_needs_no_approval():
    for agreed in (D(2026, 2, 20), D(2026, 3, 2)):
        item = _next_municipal([engine.Held(D(2026, 1, 19), next_agreed_on=agreed)])
        assert item.due_date == agreed
        assert "aftalt ved opfølgningen 19. januar 2026" in item.explanation_da
