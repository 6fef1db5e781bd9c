"""Metrics: plain functions of the log (the per-target summary built from them is `audit.summary`).

Everything here reads `runner.Log` columns (or plain arrays) and returns
numbers; randomness (bootstrap, permutation) takes an explicit seed. The unit
of resampling is the session (persona x repetition), because items served to
one account are not independent of each other.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import numpy.typing as npt

from safefeed import model
from safefeed.audit import runner

Flags = npt.NDArray[np.bool_]
Floats = npt.NDArray[np.float64]
# "More than half of the feed" is read over the last 10 items: about what a persona that
# rewatches mental-health videos sees in 10 minutes, and one app batch for one that skips.
HALF_WINDOW = 10
HARMFUL = frozenset({model.Harm.POTENTIALLY_HARMFUL.value, model.Harm.VIOLATIVE.value})


def mh(log: runner.Log) -> Flags:
    return np.asarray(log.columns["mh"], dtype=np.bool_)


def harmful(log: runner.Log) -> Flags:
    return np.asarray([harm in HARMFUL for harm in log.columns["harm"]], dtype=np.bool_)


def minutes(log: runner.Log) -> Floats:
    return np.asarray(log.columns["t_s"], dtype=np.float64) / 60.0


# -- one session ---------------------------------------------------------------------


def window_counts(t_min: Floats, flag: Flags, width: float, horizon: float) -> tuple[Floats, Floats]:
    """(hits, served) per window [k*width, (k+1)*width) up to `horizon` minutes.

    >>> window_counts(np.array([0.0, 1.0, 5.0]), np.array([True, False, True]), 5.0, 10.0)
    (array([1., 1.]), array([2., 1.]))
    """
    edges = np.arange(0.0, horizon + 1e-9, width)
    if len(edges) < 2 or edges[-1] < horizon - 1e-9:
        edges = np.append(edges, horizon)
    served, _ = np.histogram(t_min, bins=edges)
    hits, _ = np.histogram(t_min[flag], bins=edges)
    return hits.astype(np.float64), served.astype(np.float64)


def share_between(t_min: Floats, flag: Flags, low: float, high: float) -> tuple[int, int]:
    """(hits, served) among items served in [low, high) minutes."""
    inside = (t_min >= low) & (t_min < high)
    return int(flag[inside].sum()), int(inside.sum())


def trailing_share(flag: Flags, window: int) -> Floats:
    """Share of flagged items among the last `window` items, at each full window's last item.

    >>> trailing_share(np.array([True, False, True, True]), 2).tolist()
    [0.5, 0.5, 1.0]
    """
    if len(flag) < window:
        return np.zeros(0)
    sums = np.convolve(flag.astype(np.float64), np.ones(window), mode="valid")
    return sums / window


def minutes_to_share(t_min: Floats, flag: Flags, *, threshold: float = 0.5, window: int = 20) -> float | None:
    """Minutes scrolled until the share among the last `window` items first exceeds `threshold` (None: never).

    The time is when the window's last item was served.

    >>> minutes_to_share(np.arange(4.0), np.array([False, True, True, True]), window=2)
    2.0
    """
    shares = trailing_share(flag, window)
    above = np.flatnonzero(shares > threshold)
    return None if not len(above) else float(t_min[above[0] + window - 1])


def time_to_first(t_min: Floats, flag: Flags) -> float | None:
    """Minutes until the first flagged item was served (None: never)."""
    hits = np.flatnonzero(flag)
    return None if not len(hits) else float(t_min[hits[0]])


def longest_run(flag: Flags) -> int:
    """The longest run of consecutive flagged items.

    >>> longest_run(np.array([True, True, False, True, True, True]))
    3
    """
    best = 0
    for value, group in itertools.groupby(flag.tolist()):
        if value:
            best = max(best, sum(1 for _ in group))
    return best


def max_window_share(flag: Flags, window: int = 20) -> float:
    """The highest share of flagged items in any `window` consecutive items (all items if fewer)."""
    if not len(flag):
        return 0.0
    if len(flag) < window:
        return float(flag.mean())
    return float(trailing_share(flag, window).max())


def topic_entropy(topics: Sequence[str]) -> float:
    """Shannon entropy of the served topics, in bits (0: one topic only).

    >>> topic_entropy(["a", "b", "a", "b"])
    1.0
    """
    counts = np.asarray(list(Counter(topics).values()), dtype=np.float64)
    if not len(counts):
        return 0.0
    p = counts / counts.sum()
    return float(-(p * np.log2(p)).sum() + 0.0)


def creator_diversity(creators: Sequence[str]) -> float:
    """Distinct creators per served item (1: never the same creator twice).

    >>> creator_diversity(["a", "a", "b", "c"])
    0.75
    """
    return len(set(creators)) / len(creators) if creators else 0.0


def share_ever_exposed(flags: Iterable[Flags]) -> float:
    """Share of sessions that were served at least one flagged item."""
    exposed = [bool(flag.any()) for flag in flags]
    return sum(exposed) / len(exposed) if exposed else 0.0


# -- across sessions: estimates with intervals, and tests -------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Estimate:
    value: float | None
    low: float | None
    high: float | None
    sessions: int


def pooled_share(hits: Floats, served: Floats, *, seed: int = 0, resamples: int = 2000) -> Estimate:
    """Pooled share sum(hits)/sum(served) with a session-level (cluster) bootstrap 95% interval."""
    hits, served = np.asarray(hits, np.float64), np.asarray(served, np.float64)
    if served.sum() == 0:
        return Estimate(None, None, None, len(served))
    value = float(hits.sum() / served.sum())
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(served), size=(resamples, len(served)))
    totals = served[picks].sum(axis=1)
    shares = np.divide(hits[picks].sum(axis=1), totals, out=np.full(resamples, np.nan), where=totals > 0)
    low, high = np.nanpercentile(shares, [2.5, 97.5])
    return Estimate(value, float(low), float(high), len(served))


def bootstrap_ci(
    values: Sequence[float],
    *,
    statistic: Callable[[Floats], float] = lambda a: float(np.mean(a)),
    seed: int = 0,
    resamples: int = 2000,
) -> Estimate:
    """A statistic of per-session values with a percentile bootstrap 95% interval."""
    array = np.asarray(values, dtype=np.float64)
    if not len(array):
        return Estimate(None, None, None, 0)
    rng = np.random.default_rng(seed)
    draws = np.asarray([statistic(array[rng.integers(0, len(array), len(array))]) for _ in range(resamples)])
    low, high = np.percentile(draws, [2.5, 97.5])
    return Estimate(statistic(array), float(low), float(high), len(array))


def ratio(
    numerator: tuple[Floats, Floats],
    denominator: tuple[Floats, Floats],
    *,
    seed: int = 0,
    resamples: int = 2000,
) -> Estimate:
    """Ratio of two pooled shares, each bootstrapped by session; a zero denominator counts half an item.

    The half item (a continuity correction) keeps the ratio finite and says
    "at least this much" when the control saw none at all.
    """
    (a_hits, a_served), (b_hits, b_served) = numerator, denominator
    if a_served.sum() == 0 or b_served.sum() == 0:
        return Estimate(None, None, None, len(a_served) + len(b_served))

    def value(ah: float, an: float, bh: float, bn: float) -> float:
        return (ah / an) / (max(bh, 0.5) / bn)

    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(resamples):
        i = rng.integers(0, len(a_served), len(a_served))
        j = rng.integers(0, len(b_served), len(b_served))
        if a_served[i].sum() and b_served[j].sum():
            draws.append(value(a_hits[i].sum(), a_served[i].sum(), b_hits[j].sum(), b_served[j].sum()))
    low, high = np.percentile(draws, [2.5, 97.5]) if draws else (math.nan, math.nan)
    point = value(a_hits.sum(), a_served.sum(), b_hits.sum(), b_served.sum())
    return Estimate(point, float(low), float(high), len(a_served) + len(b_served))


def permutation_test(a: Sequence[float], b: Sequence[float], *, seed: int = 0, resamples: int = 10_000) -> float | None:
    """Two-sided p-value for a difference in means between two groups of sessions (exact when small).

    >>> permutation_test([1.0, 1.0, 1.0], [0.0, 0.0, 0.0])
    0.1
    """
    x, y = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if not len(x) or not len(y):
        return None
    pooled = np.concatenate([x, y])
    observed = abs(x.mean() - y.mean())
    if math.comb(len(pooled), len(x)) <= resamples:
        diffs = []
        for chosen in itertools.combinations(range(len(pooled)), len(x)):
            mask = np.zeros(len(pooled), dtype=np.bool_)
            mask[list(chosen)] = True
            diffs.append(abs(pooled[mask].mean() - pooled[~mask].mean()))
        return float(np.mean(np.asarray(diffs) >= observed - 1e-12))
    rng = np.random.default_rng(seed)
    hits = 0
    for _ in range(resamples):
        shuffled = rng.permutation(pooled)
        hits += abs(shuffled[: len(x)].mean() - shuffled[len(x) :].mean()) >= observed - 1e-12
    return (hits + 1) / (resamples + 1)


def median_minutes(values: Sequence[float | None]) -> float | None:
    """Median where None (never reached) counts as later than any time; None if the median never reached."""
    if not values:
        return None
    ordered = sorted(math.inf if v is None else v for v in values)
    middle = float(np.median(ordered))
    return None if math.isinf(middle) or math.isnan(middle) else round(middle, 3)
