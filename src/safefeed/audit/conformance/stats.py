"""Intervals and tests for the suite's measurements: every figure goes out with its uncertainty.

Proportions get Wilson (estimate) or Clopper-Pearson (exact bounds, used for
zeros: "0 of 1,200, at most 0.25% at 95%"); differences of proportions get
Newcombe's hybrid score interval; ratios Katz's log interval; topic mixes a
seeded permutation test. Items within one session are not independent, so
these intervals are somewhat narrow; the suite says so in its notes.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np

from safefeed.audit import estimates

Z95 = 1.959963984540054


@dataclasses.dataclass(frozen=True, slots=True)
class Interval:
    """An estimate with its 95% interval."""

    estimate: float
    low: float
    high: float

    def __post_init__(self) -> None:
        assert self.low <= self.estimate + 1e-12 and self.estimate <= self.high + 1e-12, self


def wilson(successes: int, trials: int) -> Interval:
    """The share with Wilson's score interval.

    >>> i = wilson(5, 100); (round(i.low, 3), round(i.high, 3))
    (0.022, 0.112)
    """
    assert 0 <= successes <= trials
    if trials == 0:
        return Interval(0.0, 0.0, 1.0)
    p = successes / trials
    denominator = 1 + Z95**2 / trials
    centre = (p + Z95**2 / (2 * trials)) / denominator
    half = Z95 * math.sqrt(p * (1 - p) / trials + Z95**2 / (4 * trials**2)) / denominator
    return Interval(p, max(0.0, min(p, centre - half)), min(1.0, max(p, centre + half)))


def clopper_pearson(successes: int, trials: int) -> Interval:
    """The share with the exact (conservative) interval; a zero's upper bound is 1 - 0.025^(1/n).

    >>> round(clopper_pearson(0, 1000).high, 5)
    0.00368
    """
    assert 0 <= successes <= trials
    if trials == 0:
        return Interval(0.0, 0.0, 1.0)
    return Interval(successes / trials, *estimates.clopper_pearson(successes, trials))


def difference(a: int, n: int, b: int, m: int) -> Interval:
    """a/n - b/m with Newcombe's hybrid score interval (method 10).

    >>> i = difference(10, 100, 10, 100); (i.estimate, i.low < 0 < i.high)
    (0.0, True)
    """
    first, second = wilson(a, n), wilson(b, m)
    p, q = first.estimate, second.estimate
    delta = p - q
    low = delta - math.sqrt((p - first.low) ** 2 + (second.high - q) ** 2)
    high = delta + math.sqrt((first.high - p) ** 2 + (q - second.low) ** 2)
    return Interval(delta, max(-1.0, low), min(1.0, high))


def ratio(a: int, n: int, b: int, m: int) -> Interval:
    """(a/n) / (b/m) with Katz's log interval; a zero cell gets half an item (Haldane), so it stays finite.

    >>> round(ratio(20, 100, 10, 100).estimate, 2)
    2.0
    """
    assert n > 0 and m > 0
    if a == 0 or b == 0:
        a_, b_, n_, m_ = a + 0.5, b + 0.5, n + 0.5, m + 0.5
    else:
        a_, b_, n_, m_ = float(a), float(b), float(n), float(m)
    estimate = (a_ / n_) / (b_ / m_)
    spread = Z95 * math.sqrt(max(0.0, 1 / a_ - 1 / n_ + 1 / b_ - 1 / m_))
    return Interval(estimate, estimate * math.exp(-spread), estimate * math.exp(spread))


def total_variation(first: Sequence[str], second: Sequence[str]) -> float:
    """Half the L1 distance between two samples' category shares (0: same mix, 1: disjoint).

    >>> total_variation(["a", "a", "b", "b"], ["a", "b"])
    0.0
    """
    if not first or not second:
        return 0.0
    keys = sorted(set(first) | set(second))
    p = np.asarray([first.count(k) for k in keys], dtype=float) / len(first)
    q = np.asarray([second.count(k) for k in keys], dtype=float) / len(second)
    return float(0.5 * np.abs(p - q).sum())


@dataclasses.dataclass(frozen=True, slots=True)
class Permutation:
    """A permutation test of 'the two samples come from one mix': its p-value (with the Monte Carlo
    interval of that p-value) and the observed distance."""

    p_value: Interval
    distance: float
    rounds: int


def same_mix(
    first: Sequence[Sequence[str]], second: Sequence[Sequence[str]], *, rounds: int = 999, seed: int = 0
) -> Permutation:
    """Do two groups of accounts get one mix? Each account's served categories stay together.

    The statistic is the total variation distance between the groups' pooled
    mixes; the permutation reassigns whole accounts between the groups, because
    items within one account's feed are not independent (a page clusters
    topics), and permuting items would find differences that are not there.

    >>> same = [["a"] * 5 + ["b"] * 5] * 4
    >>> same_mix(same, same, rounds=99).p_value.estimate
    1.0
    >>> apart = same_mix([["a"] * 10] * 4, [["b"] * 10] * 4, rounds=199)
    >>> apart.distance, apart.p_value.estimate < 0.05
    (1.0, True)
    """
    flat = [[*a] for a in first], [[*b] for b in second]
    observed = total_variation([x for a in flat[0] for x in a], [x for b in flat[1] for x in b])
    if not any(flat[0]) or not any(flat[1]):
        return Permutation(Interval(1.0, 0.0, 1.0), observed, 0)
    keys = sorted({x for group in (*flat[0], *flat[1]) for x in group})
    index = {key: i for i, key in enumerate(keys)}
    counts = np.asarray([np.bincount([index[x] for x in g], minlength=len(keys)) for g in (*flat[0], *flat[1])])
    rng = np.random.default_rng(seed)
    size = len(flat[0])
    at_least = 0
    for _ in range(rounds):
        order = rng.permutation(len(counts))
        p, q = counts[order[:size]].sum(axis=0), counts[order[size:]].sum(axis=0)
        if p.sum() == 0 or q.sum() == 0:
            continue
        if 0.5 * np.abs(p / p.sum() - q / q.sum()).sum() >= observed - 1e-12:
            at_least += 1
    exact = clopper_pearson(at_least, rounds)
    estimate = (at_least + 1) / (rounds + 1)
    return Permutation(Interval(estimate, min(estimate, exact.low), max(estimate, exact.high)), observed, rounds)
