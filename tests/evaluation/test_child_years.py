"""Issue 21 point 1: child-years (årsbørn) are child-days / 365 for any period, so the figures of
the parts of a period add up to those of the whole.

The fixture ``spanning`` is four children whose placements cross the boundary between the two
halves of 2025 (H1 = 1 January-30 June, 181 days; H2 = 1 July-31 December, 184 days), all in
team A. Unit costs as in ``conftest``: foster family 1,000 a day until 30 June and 1,200 a day
from 1 July; institution 2,000 a day.

  C1  foster family 2024-10-01..2025-03-31, broke down
        2025: Jan 31 + Feb 28 + Mar 31 = 90 days, all in H1; spend 90 x 1,000 = 90,000
  C2  institution 2025-05-01..09-30, ended as planned
        H1: May 31 + Jun 30 = 61; H2: Jul 31 + Aug 31 + Sep 30 = 92; 153 days
        spend 61 x 2,000 = 122,000 (H1) + 92 x 2,000 = 184,000 (H2) = 306,000
  C3  foster family from 2025-06-01, still placed
        H1: Jun 30; H2: 184; 214 days
        spend 30 x 1,000 = 30,000 (H1) + 184 x 1,200 = 220,800 (H2) = 250,800
  C4  institution 2025-02-01..08-15, broke down
        H1: Feb 28 + Mar 31 + Apr 30 + May 31 + Jun 30 = 150; H2: Jul 31 + Aug 15 = 46; 196 days
        spend 150 x 2,000 = 300,000 (H1) + 46 x 2,000 = 92,000 (H2) = 392,000

Child-days:       family care   institution   all placed
  H1              90 + 30 = 120  61 + 150 = 211  331
  H2               0 + 184 = 184  92 + 46 = 138  322
  2025            304            349            653 = 331 + 322

Child-years = child-days / 365:
  H1   331 / 365 = 0.9068...   (the old figure, 331 / 181 = 1.8287, was the average placed)
  H2   322 / 365 = 0.8822...   (old: 322 / 184 = 1.75)
  2025 653 / 365 = 1.7890...   = H1 + H2 (old: 1.8287 + 1.75 = 3.58 against 1.79)
Average placed on a day of the period = child-days / the period's days:
  H1 331 / 181 = 1.8287; H2 322 / 184 = 1.75; 2025 653 / 365 = 1.7890
Spend: H1 90,000 + 122,000 + 30,000 + 300,000 = 542,000; H2 184,000 + 220,800 + 92,000 = 496,800;
  2025 1,038,800 = 542,000 + 496,800
Spend per child-year = spend / child-years = spend x 365 / child-days:
  H1 542,000 x 365 / 331 = 597,673.72; H2 496,800 x 365 / 322 = 563,142.86;
  2025 1,038,800 x 365 / 653 = 580,646.25
Breakdowns (dated by the placement's last day): C1 31 March (H1), C4 15 August (H2); 2025: 2.
  In % of child-years: H1 1 / 0.9068 = 110.27 %; H2 1 / 0.8822 = 113.35 %; 2025 2 / 1.7890 = 111.79 %
Complaints: C2 on 30 June (H1), C3 on 1 July (H2).
Ladder movements: up from clarification when C4 (Feb), C2 (May) and C3 (June) start; down when C1
  (March) ends: 4 in H1; down when C4 (August) and C2 (September) end: 2 in H2; 6 in 2025.
"""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import pytest
import time_machine
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluation import selectors
from evaluation.figures import FigureContext, breakdown_rates, child_years, placement_costs
from evaluation.periods import Period, half_year, year
from evaluation.scope import Scope
from evaluation.services import complaint_register, snapshot_backfill
from measures.models import Measure
from tests.evaluation.conftest import _end, _prices, _start
from tests.factories import CaseFactory

D = datetime.date
H1, H2, YEAR = half_year(2025, 1), half_year(2025, 2), year(2025)


@pytest.fixture
def spanning(org):
    user = org.advisor
    with time_machine.travel("2026-01-15 10:00 +01:00", tick=False):
        _prices()
        c = {
            f"C{i}": CaseFactory(team=org.team_a, advisor=user, opened_on=D(2024, 9, 1)) for i in range(1, 5)
        }
        reason = Measure.EndingReason
        _end(_start(c["C1"], "foster_family", D(2024, 10, 1), user), D(2025, 3, 31), reason.BREAKDOWN, user)
        _end(_start(c["C2"], "institution", D(2025, 5, 1), user), D(2025, 9, 30), reason.PLANNED, user)
        _start(c["C3"], "foster_family", D(2025, 6, 1), user)
        _end(_start(c["C4"], "institution", D(2025, 2, 1), user), D(2025, 8, 15), reason.BREAKDOWN, user)
        complaint_register(case=c["C2"], received_on=D(2025, 6, 30), subject="decision", recorded_by=user)
        complaint_register(case=c["C3"], received_on=D(2025, 7, 1), subject="decision", recorded_by=user)
        snapshot_backfill(municipality=org.municipality, start=D(2025, 1, 1), end=D(2025, 12, 31))
    return Scope(municipality_id=org.municipality.pk)


def _ctx(scope, periods):
    return FigureContext(scope, D(2025, 1, 1), D(2025, 12, 31), periods[0].start, periods[-1].end, periods)


def test_child_days_and_child_years_of_the_halves_add_up_to_the_year(spanning):
    h1, h2 = selectors.placements(spanning, [H1, H2])
    (whole,) = selectors.placements(spanning, [YEAR])
    assert (h1.group_days("family_care"), h1.group_days("institution"), h1.group_days("all")) == (
        120,
        211,
        331,
    )
    assert (h2.group_days("family_care"), h2.group_days("institution"), h2.group_days("all")) == (
        184,
        138,
        322,
    )
    assert (whole.group_days("family_care"), whole.group_days("institution")) == (304, 349)
    assert h1.child_years("all") == Decimal(331) / 365
    assert h2.child_years("all") == Decimal(322) / 365
    assert whole.child_years("all") == Decimal(653) / 365
    assert round(h1.child_years("all") + h2.child_years("all"), 20) == round(whole.child_years("all"), 20)
    # the average placed is its own figure, over the period's own days
    assert round(h1.average_placed("all"), 4) == Decimal("1.8287")
    assert h2.average_placed("all") == Decimal("1.75")
    assert round(whole.average_placed("all"), 4) == Decimal("1.7890")


def test_spend_and_spend_per_child_year(spanning):
    h1, h2 = selectors.placements(spanning, [H1, H2])
    (whole,) = selectors.placements(spanning, [YEAR])
    assert (h1.group_spend("all"), h2.group_spend("all"), whole.group_spend("all")) == (
        Decimal(542000),
        Decimal(496800),
        Decimal(1038800),
    )
    assert round(h1.spend_per_child_year("all"), 2) == Decimal("597673.72")
    assert round(h2.spend_per_child_year("all"), 2) == Decimal("563142.86")
    assert round(whole.spend_per_child_year("all"), 2) == Decimal("580646.25")


def test_breakdowns_complaints_and_movements_per_half(spanning):
    assert selectors.breakdowns(spanning, [H1, H2]) == [(1, 1), (1, 1)]
    assert selectors.breakdowns(spanning, [YEAR]) == [(2, 2)]
    assert sum(selectors.complaints(spanning, [H1, H2]).values()) == 2
    assert [
        sum(v for (p, _t), v in selectors.complaints(spanning, [H1, H2]).items() if p == i) for i in (0, 1)
    ] == [1, 1]
    moved = [
        sum(n for n, _cases in selectors.movement_reasons(spanning, p.start, p.end).values())
        for p in (H1, H2, YEAR)
    ]
    assert moved == [4, 2, 6]
    h1, h2 = selectors.placements(spanning, [H1, H2])
    (whole,) = selectors.placements(spanning, [YEAR])
    rates = [Decimal(n) * 100 / p.child_years("all") for n, p in ((1, h1), (1, h2), (2, whole))]
    assert [round(r, 2) for r in rates] == [Decimal("110.27"), Decimal("113.35"), Decimal("111.79")]


def test_the_figures_show_child_years_and_average_placed_apart(spanning):
    with translation.override("da"):
        halves = child_years(_ctx(spanning, [H1, H2]))
        whole = child_years(_ctx(spanning, [YEAR]))
        costs = placement_costs(_ctx(spanning, [H1, H2]))
        broke = breakdown_rates(_ctx(spanning, [H1, H2]))
    assert halves.table.columns == ["Årsbørn", "I % af alle anbragte", "Gns. anbragte"] * 2
    total = {r.label: [c.display() for c in r.cells] for r in halves.table.rows}["Anbragte i alt"]
    # H1: 0.91 child-years, 1.83 placed on an average day; H2: 0.88 and 1.75 (four and three children)
    assert total == ["0,91", "100,0 %", "1,83", "0,88", "100,0 %", "1,75"]
    total = {r.label: [c.display() for c in r.cells] for r in whole.table.rows}["Anbragte i alt"]
    assert total == ["1,79", "100,0 %", "1,79"]
    # family care and institution are two children each: hidden, with the average worked out from them
    family = {r.label: [c.display() for c in r.cells] for r in whole.table.rows}["Familiepleje i alt"]
    assert family == ["<3", "<3", "<3"]
    spend = {r.label: [c.display() for c in r.cells] for r in costs.table.rows}["Anbragte i alt"]
    assert spend == ["542.000", "597.674", "496.800", "563.143"]
    rows = {r.label: [c.display() for c in r.cells] for r in broke.table.rows}
    assert rows["Anbragte årsbørn i alt"] == ["0,91", "0,88"]
    # one breakdown (one child) a half-year: hidden, and the rate with it
    assert rows["Sammenbrud i % af anbragte årsbørn"] == ["<3", "<3"]


# --- Additivity over any split of a period (hypothesis) ----------------------------------------

TOLERANCE = Decimal("1e-18")


@st.composite
def splits(draw):
    """A period within 2025 and its split into consecutive parts at random days."""
    start = draw(st.dates(min_value=D(2025, 1, 1), max_value=D(2025, 12, 31)))
    end = draw(st.dates(min_value=start, max_value=D(2025, 12, 31)))
    length = (end - start).days
    cuts = sorted(draw(st.sets(st.integers(min_value=1, max_value=length), max_size=5)) if length else set())
    bounds = [start, *[start + datetime.timedelta(days=c) for c in cuts], end + datetime.timedelta(days=1)]
    parts = [
        Period(a, b - datetime.timedelta(days=1), f"part {i}")
        for i, (a, b) in enumerate(itertools.pairwise(bounds))
    ]
    return Period(start, end, "whole"), parts


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(split=splits(), team_only=st.booleans())
def test_figures_of_the_parts_add_up_to_the_whole(kora, split, team_only):
    whole, parts = split
    scope = Scope(
        municipality_id=kora.org.municipality.pk, team_ids=(kora.org.team_a.pk,) if team_only else None
    )
    (all_of_it,) = selectors.placements(scope, [whole])
    pieces = selectors.placements(scope, parts)
    for key in ("home_based", "family_care", "institution", "all", *selectors.CATEGORIES):
        assert sum(p.group_days(key) for p in pieces) == all_of_it.group_days(key)
        assert abs(sum(p.child_years(key) for p in pieces) - all_of_it.child_years(key)) < TOLERANCE
        assert abs(sum(p.group_spend(key) for p in pieces) - all_of_it.group_spend(key)) < TOLERANCE
    assert sum(p.unpriced_days for p in pieces) == all_of_it.unpriced_days

    (broke,) = selectors.breakdowns(scope, [whole])
    assert sum(n for n, _children in selectors.breakdowns(scope, parts)) == broke[0]
    assert sum(selectors.complaints(scope, parts).values()) == sum(
        selectors.complaints(scope, [whole]).values()
    )
    moved = sum(n for n, _cases in selectors.movement_reasons(scope, whole.start, whole.end).values())
    assert (
        sum(sum(n for n, _c in selectors.movement_reasons(scope, p.start, p.end).values()) for p in parts)
        == moved
    )
