"""Issue 21 point 4: spend covers every measure active on a day (not only the case's highest), by
ladder step and measure type, preventive measures included, at the unit cost valid on the day,
and can be shown in the prices of a chosen year with the price index.

The fixture ``spending`` is three children in team A, snapshots from 1 July 2024 to 31 December
2025. Unit costs per year, chosen so that a day costs a round sum:

  foster family   365,000 (1,000 a day) until 2025-06-30, 438,000 (1,200 a day) from 2025-07-01
  family treatment 146,000 (400 a day); MST 219,000 (600 a day); respite care 73,000 (200 a day)

  S1  foster family from 2025-01-01 (step 5) and, at the same time, family treatment (step 2)
      2025-03-01..04-30 = Mar 31 + Apr 30 = 61 days. The snapshot names only the foster family
      (the highest); the family treatment is spent all the same.
        foster 2025: 181 x 1,000 + 184 x 1,200 = 181,000 + 220,800 = 401,800
        family treatment 2025: 61 x 400 = 24,400
  S2  MST 2025-06-01..07-31 = Jun 30 + Jul 31 = 61 days: 61 x 600 = 36,600 (H1 30 x 600 = 18,000,
      H2 31 x 600 = 18,600)
  S3  respite care from 2024-07-01: 2nd half of 2024 184 x 200 = 36,800; 2025 365 x 200 = 73,000

2025 in each year's own prices:
  placements 401,800; preventive 24,400 + 36,600 + 73,000 = 134,000; all 535,800
  step 5 (foster family) 401,800; step 2 (family treatment, MST, respite care) 134,000
  H1 2025: foster 181,000 + family treatment 24,400 + MST 18,000 + respite 181 x 200 = 36,200 = 259,600
  H2 2025: foster 220,800 + MST 18,600 + respite 184 x 200 = 36,800 = 276,200; H1 + H2 = 535,800

Price index (set in the test): 2024 = 120, 2025 = 125.
  2025 in 2024 prices: 535,800 x 120 / 125 = 514,368
  2024-07-01..2025-12-31 in 2024 prices: 36,800 + 514,368 = 551,168
  the same in 2025 prices: 36,800 x 125 / 120 = 38,333.33 + 535,800 = 574,133.33
"""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluation import selectors
from evaluation.figures import FigureContext, placement_costs, spend_per_measure
from evaluation.periods import Period, half_year, year
from evaluation.scope import Scope
from evaluation.services import snapshot_backfill
from measures.models import Measure, PriceIndex, UnitCost
from tests.evaluation.conftest import _end, _start
from tests.factories import CaseFactory, measure_type

D = datetime.date
H1, H2, YEAR = half_year(2025, 1), half_year(2025, 2), year(2025)
SINCE_2024 = Period(D(2024, 7, 1), D(2025, 12, 31), "2024-2025")
H2_2024 = half_year(2024, 2)

COSTS = {
    "foster_family": [(D(2013, 1, 1), D(2025, 6, 30), 365_000), (D(2025, 7, 1), None, 438_000)],
    "family_treatment": [(D(2013, 1, 1), None, 146_000)],
    "mst": [(D(2013, 1, 1), None, 219_000)],
    "respite_care": [(D(2013, 1, 1), None, 73_000)],
}


@pytest.fixture
def spending(org):
    user = org.advisor
    with time_machine.travel("2026-01-15 10:00 +01:00", tick=False):
        for code, periods in COSTS.items():
            mt = measure_type(code)
            UnitCost.objects.filter(measure_type=mt).delete()
            for start, end, amount in periods:
                UnitCost.objects.create(
                    measure_type=mt, valid_from=start, valid_to=end, amount_per_year=Decimal(amount)
                )
        PriceIndex.objects.update_or_create(year=2024, defaults={"value": Decimal(120)})
        PriceIndex.objects.update_or_create(year=2025, defaults={"value": Decimal(125)})
        c = {f"S{i}": CaseFactory(team=org.team_a, advisor=user, opened_on=D(2024, 6, 1)) for i in (1, 2, 3)}
        reason = Measure.EndingReason
        _start(c["S1"], "foster_family", D(2025, 1, 1), user)
        _end(_start(c["S1"], "family_treatment", D(2025, 3, 1), user), D(2025, 4, 30), reason.PLANNED, user)
        _end(_start(c["S2"], "mst", D(2025, 6, 1), user), D(2025, 7, 31), reason.PLANNED, user)
        _start(c["S3"], "respite_care", D(2024, 7, 1), user)
        snapshot_backfill(municipality=org.municipality, start=D(2024, 7, 1), end=D(2025, 12, 31))
    scope = Scope(municipality_id=org.municipality.pk)
    types = {code: measure_type(code).pk for code in COSTS}
    return SimpleNamespace(org=org, scope=scope, types=types, **c)


def _by_code(spent, types):
    return {code: spent.amount.get(pk, Decimal(0)) for code, pk in types.items()}


def test_every_active_measure_is_spent_not_only_the_highest(spending):
    (spent,) = selectors.spend(spending.scope, [YEAR])
    assert _by_code(spent, spending.types) == {
        "foster_family": Decimal(401800),
        "family_treatment": Decimal(24400),  # beside the foster family the snapshot names
        "mst": Decimal(36600),
        "respite_care": Decimal(73000),
    }
    # measure-days: foster 365, family treatment 61, MST 61, respite care 365; one child each
    t = spending.types
    assert [spent.days[t[c]] for c in COSTS] == [365, 61, 61, 365]
    assert [spent.children[t[c]] for c in COSTS] == [1, 1, 1, 1]
    assert all(n == 0 for n in spent.unpriced_days.values())
    # the placement figures' spend is the placement measures' spend: 401,800
    (placed,) = selectors.placements(spending.scope, [YEAR])
    assert placed.group_spend("all") == Decimal(401800)


def test_spend_of_the_halves_with_the_price_change_between_them(spending):
    h1, h2 = selectors.spend(spending.scope, [H1, H2])
    # H1: 181,000 + 24,400 + 18,000 + 36,200 = 259,600; H2: 220,800 + 18,600 + 36,800 = 276,200
    assert sum(h1.amount.values()) == Decimal(259600)
    assert sum(h2.amount.values()) == Decimal(276200)
    assert _by_code(h2, spending.types)["foster_family"] == Decimal(220800)  # 184 x 1,200


def test_spend_in_the_prices_of_a_chosen_year(spending):
    in_2024 = selectors.price_level(2024)
    in_2025 = selectors.price_level(2025)
    assert in_2024.factor(2025) == Decimal(120) / Decimal(125)
    (spent,) = selectors.spend(spending.scope, [YEAR], in_2024)
    # 535,800 x 120 / 125 = 514,368
    assert sum(spent.amount.values()) == Decimal(514368)
    (spent,) = selectors.spend(spending.scope, [SINCE_2024], in_2024)
    # 36,800 (2024, its own prices) + 514,368 = 551,168
    assert sum(spent.amount.values()) == Decimal(551168)
    (spent,) = selectors.spend(spending.scope, [SINCE_2024], in_2025)
    # 36,800 x 125 / 120 + 535,800 = 574,133.33
    assert round(sum(spent.amount.values()), 2) == Decimal("574133.33")
    # a year without an index value stays in its own prices, and is named
    assert selectors.price_level(2030).missing([SINCE_2024]) == [2024, 2025]
    assert in_2024.missing([SINCE_2024]) == []


def test_the_shipped_price_index_is_editable_data(db):
    shipped = dict(PriceIndex.objects.filter(year__lte=2023).values_list("year", "value"))
    assert shipped[2015] == Decimal("100.00")  # the index's base year
    assert shipped[2023] == Decimal("117.21")
    assert all(p.source for p in PriceIndex.objects.filter(year__lte=2023))


def _ctx(scope, periods, base=None):
    return FigureContext(
        scope,
        D(2024, 7, 1),
        D(2025, 12, 31),
        periods[0].start,
        periods[-1].end,
        periods,
        prices=selectors.price_level(base),
    )


def test_the_figure_by_step_and_measure_type_with_preventive_measures(spending):
    with translation.override("da"):
        figure = spend_per_measure(_ctx(spending.scope, [YEAR], base=2024))
    table = figure.table
    assert table.columns == ["Udgift (kr., 2024-priser)", "I % af alle udgifter"]
    rows = {r.label: r for r in table.rows}
    # in 2024 prices (x 0.96): foster 385,728; family treatment 23,424; MST 35,136; respite 70,080
    values = {label: rows[label].cells[0].value for label in rows}
    assert values["Anbringelser i alt"] == Decimal(385728)
    assert values["Forebyggende indsatser i alt"] == Decimal(128640)  # 134,000 x 0.96
    assert values["Alle indsatser i alt"] == Decimal(514368)
    step_rows = [r for r in table.rows if r.total and r.level == 0][:2]
    assert [r.label[:2] for r in step_rows] == ["2.", "5."]
    assert [r.cells[0].value for r in step_rows] == [Decimal(128640), Decimal(385728)]
    # each type is one child: every amount is hidden, and the totals with them
    assert {r.cells[0].display() for r in table.rows} == {"<3"}
    assert any("2024-priser" in note for note in table.notes)


def test_the_placement_figure_names_the_prices_it_is_in(spending):
    with translation.override("da"):
        figure = placement_costs(_ctx(spending.scope, [YEAR], base=2030))
    assert figure.table.columns == ["Udgift (kr., 2030-priser)", "Pr. årsbarn (kr., 2030-priser)"]
    assert any("mangler et prisindeks for 2025" in note for note in figure.table.notes)


# --- Additivity over any split, with the price change of 1 July inside (hypothesis) ----------------


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


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(split=splits(), base=st.sampled_from([None, 2024, 2025]))
def test_spend_of_the_parts_adds_up_to_the_whole(spending, split, base):
    whole, parts = split
    prices = selectors.price_level(base)
    (all_of_it,) = selectors.spend(spending.scope, [whole], prices)
    pieces = selectors.spend(spending.scope, parts, prices)
    for pk in spending.types.values():
        assert sum(p.days.get(pk, 0) for p in pieces) == all_of_it.days.get(pk, 0)
        total = sum((p.amount.get(pk, Decimal(0)) for p in pieces), Decimal(0))
        assert abs(total - all_of_it.amount.get(pk, Decimal(0))) < Decimal("1e-9")
