"""The sweep's speed-up from 1 to 2 worker processes, as the national benchmark judges it (issue 22,
point 1): one ratio per alternated pair of runs, and their median against the target."""

from __future__ import annotations

import pytest

from benchmarks.run_sweep import SPEED_UP_TARGET, speed_up, speed_ups, sweep_table
from followups.models import SweepRun


def _first(count: int, seconds: float) -> tuple:
    label = f"Full sweep, first run: every deadline built, reminders written; {count} worker process"
    label += "es" if count > 1 else ""
    return (label, "full", seconds, 45.0 if count > 1 else 60.0, SweepRun(), 1.0, 200.0)


def _nightly(seconds: float) -> tuple:
    label = "Full sweep, nothing changed (the nightly run); 2 worker processes"
    return (label, "full", seconds, 5.0, SweepRun(), 1.0, 200.0)


def test_each_pair_is_its_own_ratio_in_the_order_run():
    rows = [_first(1, 60.0), _first(2, 40.0), _first(1, 54.0), _first(2, 30.0), _nightly(4.0)]
    ratios, few, many = speed_ups(rows)
    assert (few, many) == (1, 2)
    assert ratios == [1.5, 1.8]
    # The median of two is their mean; the first 1-worker run over the last 2-worker run (2.0×)
    # would have said more than either pair.
    assert speed_up(rows) == (pytest.approx(1.65), 1, 2)


def test_the_table_names_every_pair_and_judges_the_median():
    rows = [_first(1, 60.0), _first(2, 40.0), _first(1, 54.0), _first(2, 30.0)]
    text = "\n".join(sweep_table(rows))
    assert "1.65× ✓, the median of 2 alternated pairs (1.50×, 1.80×)" in text
    below = [_first(1, 60.0), _first(2, 40.0), _first(1, 45.0), _first(2, 30.0)]
    assert speed_up(below)[0] < SPEED_UP_TARGET
    assert "1.50× ✗, the median of 2 alternated pairs (1.50×, 1.50×)" in "\n".join(sweep_table(below))


def test_one_pair_is_reported_alone_and_one_count_gives_none():
    text = "\n".join(sweep_table([_first(1, 60.0), _first(2, 40.0)]))
    assert "from 1 to 2 worker processes: 1.50× ✗ (target" in text
    assert speed_ups([_first(2, 40.0), _nightly(4.0)]) is None
