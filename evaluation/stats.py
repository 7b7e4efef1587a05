"""The paired comparison of SDQ scores before and after (KORA 2017, Tab. 3.3), with scipy's t-test."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

from scipy import stats as scipy_stats

# Below this many children a before/after comparison carries a plain warning: KORA's 25 children
# were too few to conclude anything (KORA 2017, ch. 3.3).
SMALL_GROUP = 30


@dataclass(frozen=True)
class PairedResult:
    n: int
    mean_before: float | None
    mean_after: float | None
    mean_change: float | None
    sd_change: float | None
    t: float | None
    p: float | None
    ci_low: float | None
    ci_high: float | None

    @property
    def small(self) -> bool:
        return self.n < SMALL_GROUP

    @property
    def significant(self) -> bool:
        return self.p is not None and self.p < 0.05


def paired(before: list[float], after: list[float]) -> PairedResult:
    """Means, mean change (after - before), the paired t-test (two-sided) and the 95 % confidence
    interval of the mean change. The test needs two pairs whose changes are not all equal."""
    n = len(before)
    if n == 0:
        return PairedResult(0, None, None, None, None, None, None, None, None)
    changes = [a - b for b, a in zip(before, after, strict=True)]
    mean_change = statistics.fmean(changes)
    result = {
        "n": n,
        "mean_before": statistics.fmean(before),
        "mean_after": statistics.fmean(after),
        "mean_change": mean_change,
        "sd_change": None,
        "t": None,
        "p": None,
        "ci_low": None,
        "ci_high": None,
    }
    if n >= 2:
        sd = statistics.stdev(changes)
        result["sd_change"] = sd
        if sd > 0:
            test = scipy_stats.ttest_rel(after, before)
            half_width = scipy_stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)
            result.update(
                t=float(test.statistic),
                p=float(test.pvalue),
                ci_low=mean_change - half_width,
                ci_high=mean_change + half_width,
            )
    return PairedResult(**result)
