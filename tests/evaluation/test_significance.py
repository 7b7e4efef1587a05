"""Issue 21 point 5: comparisons that say whether a difference is real, and rolling twelve months.

The expected p-values are worked out by hand from the distributions the tests rest on.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import translation

from evaluation.figures import FigureContext
from evaluation.periods import rolling_years
from evaluation.scope import Scope
from evaluation.stats import fisher_exact, two_rates
from evaluation.tables import Cell, relative_change

D = datetime.date


def test_fishers_exact_test_of_two_proportions():
    # 0 of 3 against 3 of 3: with 3 events among 6, the first group holds 0 of them with
    # probability C(3,0) C(3,3) / C(6,3) = 1/20, and as extreme the other way 3: 1/20; p = 0.1
    assert round(fisher_exact(0, 3, 3, 3), 6) == 0.1
    # the same share in both: nothing more extreme than what was seen, p = 1
    assert round(fisher_exact(2, 10, 2, 10), 6) == 1.0
    # no proportions: an empty base, or more complaints than cases
    assert fisher_exact(1, 0, 1, 3) is None
    assert fisher_exact(4, 3, 1, 3) is None


def test_exact_test_of_two_rates_per_child_year():
    # 0 breakdowns in 1 child-year against 4 in 1: given 4 events, under equal rates the first
    # period's count is binomial(4, 1/2); P(0) = P(4) = 1/16, so p = 2/16 = 0.125
    assert two_rates(0, 1.0, 4, 1.0) == 0.125
    # 0 against 10: p = 2 / 2^10 = 0.001953
    assert round(two_rates(0, 1.0, 10, 1.0), 6) == 0.001953
    # 1 event in 1 child-year against 3 in 3: the same rate, p = 1
    assert two_rates(1, 1.0, 3, 3.0) == 1.0
    assert two_rates(0, 1.0, 0, 1.0) is None
    assert two_rates(1, 0.0, 1, 1.0) is None


def test_p_values_show_three_decimals_and_never_zero():
    with translation.override("da"):
        assert Cell(0.0449, "p3").display() == "0,045"
        assert Cell(0.125, "p3").display() == "0,125"
        assert Cell(2 / 4096, "p3").display() == "<0,001"
    assert Cell(0.0449, "p3").export() == 0.045


def test_change_in_percent_of_the_first_period():
    # 8 to 10 is +25 %; from 0 there is no change in %
    assert relative_change(Cell(8), Cell(10)).value == Decimal(25)
    assert relative_change(Cell(0), Cell(10)).value is None
    hidden = Cell(2, n=2, primary=True)
    assert relative_change(hidden, Cell(10)).hidden


def test_rolling_twelve_months_back_from_the_last_day():
    periods = rolling_years(D(2026, 1, 14), D(2024, 1, 1))
    assert [(p.start, p.end) for p in periods] == [
        (D(2023, 1, 15), D(2024, 1, 14)),
        (D(2024, 1, 15), D(2025, 1, 14)),
        (D(2025, 1, 15), D(2026, 1, 14)),
    ]
    # twelve months are 365 days, or 366 with 29 February 2024 in them
    assert [p.days for p in periods] == [365, 366, 365]
    with translation.override("da"):
        assert rolling_years(D(2026, 1, 14), D(2026, 1, 1))[0].name == "12 mdr. til 14.01.2026"


def test_rolling_periods_are_clipped_to_the_days_with_data():
    ctx = FigureContext.for_years(
        Scope(municipality_id=1),
        (D(2025, 1, 1), D(2026, 1, 14)),
        year_from=2025,
        year_to=2026,
        granularity="rolling",
    )
    assert [(p.start, p.end, p.partial) for p in ctx.periods] == [
        (D(2025, 1, 1), D(2025, 1, 14), True),
        (D(2025, 1, 15), D(2026, 1, 14), False),
    ]
    assert (ctx.start, ctx.end) == (D(2025, 1, 1), D(2026, 1, 14))
