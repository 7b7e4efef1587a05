"""Significance tests, with scipy: the paired comparison of SDQ scores before and after (KORA 2017,
Tab. 3.3) and the tests of two rates in the comparison of district groups."""

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


def fisher_exact(k1: int, n1: int, k2: int, n2: int) -> float | None:
    """Fisher's exact test (two-sided) of the proportions k1 of n1 and k2 of n2. None when they are
    no proportions (an empty base, or more events than the base, as when one case has two
    complaints)."""
    if n1 <= 0 or n2 <= 0 or not 0 <= k1 <= n1 or not 0 <= k2 <= n2:
        return None
    return float(scipy_stats.fisher_exact([[k1, n1 - k1], [k2, n2 - k2]]).pvalue)


def two_rates(k1: int, t1: float, k2: int, t2: float) -> float | None:
    """The exact test of two rates of events per exposure (k1 events in t1 child-years against k2
    in t2), two-sided: given the k1 + k2 events, under equal rates k1 is binomial with the share
    t1 / (t1 + t2). None without exposure in both or without any event."""
    if t1 <= 0 or t2 <= 0 or k1 + k2 == 0:
        return None
    return float(scipy_stats.binomtest(k1, k1 + k2, t1 / (t1 + t2)).pvalue)
