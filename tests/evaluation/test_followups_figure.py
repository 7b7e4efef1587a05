"""Follow-ups per case and half-year (KORA Fig. 2.2), worked out by hand.

Three cases in team A, each with an institution placement from 1 November 2024, under a test rule
set that the municipality follows: "every 2 months" (a phase counted from the previous follow-up,
from the start before the first). Each case holds follow-ups on 5 January, 5 March and 1 May 2025.

Municipal rule, each case:
  due 2025-01-01 (start + 2 m), held 01-05: late
  due 2025-03-05 (01-05 + 2 m), held 03-05: on time
  due 2025-05-05 (03-05 + 2 m), held 05-01: on time
  due 2025-07-01 (05-01 + 2 m), not held by 31 December: not on time
Law (Barnets Lov § 95, the measure started after 1 January 2024), each case:
  first due 2025-02-01 (start + 3 m), held 01-05: on time
  next due 2025-07-05 (01-05 + the default 6 m), held 05-01: on time
  next due 2025-11-01 (05-01 + 6 m), not held: not on time
  (supervisory visits, § 156, are not counted)

1st half 2025 (181 days), 3 institution cases all along = 3 case-half-years:
  held 9 → 3.0 per case; rule 9 due → 3.0; law 3 due → 1.0
  on time: rule 6 of 9 = 66.7 %; law 3 of 3 = 100 %
2nd half 2025 (184 days), 3 case-half-years:
  held 0 → 0.0; rule 3 due → 1.0; law 6 due → 2.0
  on time: rule 0 of 3 = 0 %; law 3 of 6 = 50 %
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine

from evaluation.figures import FIGURES, FigureContext
from evaluation.periods import half_year
from evaluation.scope import Scope
from evaluation.selectors import followups_per_half_year
from evaluation.services import snapshot_backfill
from followups.models import MunicipalityRuleSet, Rule, RulePhase, RuleSet
from measures.services import measure_start
from tests.factories import HEARD, CaseFactory, measure_type
from tests.followups.factories import hold

D = datetime.date


@pytest.fixture
def three_placements(org):
    rule_set = RuleSet.objects.create(
        name="Test: hver 2. måned", municipality=org.municipality, valid_from=D(2020, 1, 1)
    )
    rule = Rule.objects.create(rule_set=rule_set, measure_type=measure_type("institution"))
    RulePhase.objects.create(rule=rule, order=0, every_amount=2, every_unit="months")
    MunicipalityRuleSet.objects.create(municipality=org.municipality, rule_set=rule_set)
    with time_machine.travel("2024-11-01 09:00 +01:00", tick=False):
        measures = [
            measure_start(
                hearing=HEARD,
                case=CaseFactory(team=org.team_a, advisor=org.advisor, opened_on=D(2024, 10, 1)),
                measure_type=measure_type("institution"),
                start_date=D(2024, 11, 1),
                decided_by=org.advisor,
            )
            for _ in range(3)
        ]
    for day in (D(2025, 1, 5), D(2025, 3, 5), D(2025, 5, 1)):
        with time_machine.travel(f"{day.isoformat()} 12:00 +01:00", tick=False):
            for measure in measures:
                hold(measure, day, by=org.advisor)
    snapshot_backfill(municipality=org.municipality, start=D(2024, 11, 1), end=D(2025, 12, 31))
    return measures


def test_the_counts_behind_the_figure(org, three_placements):
    h1, h2 = half_year(2025, 1), half_year(2025, 2)
    first, second = followups_per_half_year(Scope(org.municipality.pk), [h1, h2], today=D(2025, 12, 31))
    assert first.case_half_years("institution") == 3
    assert (
        first.held["institution"],
        first.due_municipal["institution"],
        first.due_statutory["institution"],
    ) == (9, 9, 3)
    assert (first.on_time_municipal["institution"], first.on_time_statutory["institution"]) == (6, 3)
    assert second.case_half_years("institution") == 3
    assert second.held.get("institution", 0) == 0
    assert (second.due_municipal["institution"], second.due_statutory["institution"]) == (3, 6)
    assert (second.on_time_municipal.get("institution", 0), second.on_time_statutory["institution"]) == (0, 3)


def test_a_written_status_received_is_not_counted_as_a_follow_up_held(org, three_placements):
    from followups.models import Form

    with time_machine.travel("2025-08-01 12:00 +02:00", tick=False):
        hold(
            three_placements[0],
            D(2025, 8, 1),
            by=org.advisor,
            form=Form.DOCUMENT,
            participants="Institutionen",
            child_conversation_held=False,
        )
    _first, second = followups_per_half_year(
        Scope(org.municipality.pk), [half_year(2025, 1), half_year(2025, 2)], today=D(2025, 12, 31)
    )
    assert second.held.get("institution", 0) == 0


def _context(org):
    return FigureContext(
        scope=Scope(org.municipality.pk),
        first=D(2024, 11, 1),
        last=D(2025, 12, 31),
        start=D(2025, 1, 1),
        end=D(2025, 12, 31),
        periods=[half_year(2025, 1), half_year(2025, 2)],
    )


def test_follow_ups_per_case_beside_the_rule_and_the_law(org, three_placements):
    figure = FIGURES["opfoelgning"](_context(org))
    rows = {r.label: [c.value for c in r.cells] for r in figure.table.rows}
    assert rows["Institutionsanbringelser: afholdt"] == [Decimal(3), Decimal(0)]
    assert rows["Institutionsanbringelser: kommunens regel"] == [Decimal(3), Decimal(1)]
    assert rows["Institutionsanbringelser: lovens minimum"] == [Decimal(1), Decimal(2)]
    # No foster-family cases: nothing to divide by, shown as empty, not as zero.
    assert rows["Plejefamilieanbringelser: afholdt"] == [None, None]
    assert figure.chart is not None


def test_the_share_held_on_time(org, three_placements):
    figure = FIGURES["rettidighed"](_context(org))
    rows = {r.label: [c.display() for c in r.cells] for r in figure.table.rows}
    # the share beside its base counts (issue 21 point 5): H1 6 of 9 and 3 of 3, H2 0 of 3 and 3 of 6
    assert rows["Institutionsanbringelser: kommunens regel"] == ["66,7 %", "6 af 9", "0,0 %", "0 af 3"]
    assert rows["Institutionsanbringelser: loven"] == ["100,0 %", "3 af 3", "50,0 %", "3 af 6"]
    assert figure.table.flat_columns()[:2] == [
        "1. halvår 2025 – Andel",
        "1. halvår 2025 – Rettidige af forfaldne",
    ]


def test_fewer_than_three_cases_are_not_shown(org, three_placements):
    from dataclasses import replace

    from evaluation.models import CaseSnapshot, SnapshotRun

    # The case was in team B all along: its snapshots, and the runs that encode them, say so.
    for model in (CaseSnapshot, SnapshotRun):
        model.objects.filter(case=three_placements[0].case_id).update(team=org.team_b)
    team_a_only = replace(_context(org), scope=Scope(org.municipality.pk, team_ids=(org.team_a.pk,)))
    figure = FIGURES["opfoelgning"](team_a_only)
    held = next(r for r in figure.table.rows if r.label == "Institutionsanbringelser: afholdt")
    assert [c.display() for c in held.cells] == ["<3", "<3"]


@time_machine.travel("2026-01-10 09:00 +01:00", tick=False)
def test_the_section_page_shows_both_figures(org, login, three_placements):
    html = (
        login(org.team_leader)
        .get("/evaluering/opfoelgning/?year_from=2025&year_to=2025&granularity=half")
        .content.decode()
    )
    assert "Opfølgninger pr. sag pr. halvår" in html
    assert "Opfølgninger holdt rettidigt" in html


def test_kora_variant_counts_only_follow_ups_with_a_child_conversation(org, three_placements):
    """Issue 21 point 10. One more follow-up on the first case on 15 May 2025, by phone without
    the child: 1st half 2025 then holds 10 follow-ups in 3 case-half-years, 9 of them with a child
    conversation. KORA's definition: 9 / 3 = 3.0 per case; the product's (all held): 10 / 3 = 3.3.
    2nd half: none held, 0.0 in both."""
    from followups.models import Form

    with time_machine.travel("2025-05-15 12:00 +02:00", tick=False):
        hold(
            three_placements[0],
            D(2025, 5, 15),
            by=org.advisor,
            form=Form.PHONE,
            participants="Mor",
            child_conversation_held=False,
            no_conversation_reason="Barnet var på lejrskole.",
        )
    figure = FIGURES["opfoelgning-kora"](_context(org))
    rows = {r.label: [c.display() for c in r.cells] for r in figure.table.rows}
    assert rows["Institutionsanbringelser: med børnesamtale (KORA)"] == ["3,0", "0,0"]
    assert rows["Institutionsanbringelser: alle afholdte"] == ["3,3", "0,0"]
    assert rows["Plejefamilieanbringelser: med børnesamtale (KORA)"] == ["–", "–"]
    assert figure.table.title == "Opfølgninger med børnesamtale pr. sag pr. halvår (KORA's definition)"
    assert any("Med børnesamtale (KORA)" in note for note in figure.table.notes)
    assert any("Alle afholdte" in note for note in figure.table.notes)
