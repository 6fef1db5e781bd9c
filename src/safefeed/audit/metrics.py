"""Metrics: plain functions of the log, then a per-target summary built from them.

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
from typing import Any

import numpy as np
import numpy.typing as npt

from safefeed import model
from safefeed.audit import persona, runner

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


# -- the summary ---------------------------------------------------------------------------


def _session_minutes(logs: Sequence[runner.Log], durations: dict[str, float]) -> float:
    return max((durations.get(log.persona, 0.0) for log in logs), default=0.0)


def _last_sixth(logs: Sequence[runner.Log], horizon: float) -> tuple[Floats, Floats]:
    """(hits, served) per session in the last sixth of the session: the 6th hour of a 6-hour run."""
    pairs = [share_between(minutes(log), mh(log), horizon * 5 / 6, horizon) for log in logs]
    return np.asarray([p[0] for p in pairs], np.float64), np.asarray([p[1] for p in pairs], np.float64)


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None or math.isnan(value) else round(value, digits)


def series(
    logs: Sequence[runner.Log], flag: Callable[[runner.Log], Flags], width: float, horizon: float, seed: int
) -> dict[str, list[float | None]]:
    """Share per time window across sessions, with bootstrap intervals (for the plots)."""
    counts = [window_counts(minutes(log), flag(log), width, horizon) for log in logs]
    starts = np.arange(0.0, horizon, width)
    out: dict[str, list[float | None]] = {"minutes": [], "share": [], "low": [], "high": [], "served": []}
    for index, start in enumerate(starts):
        hits = np.asarray([c[0][index] for c in counts if index < len(c[0])])
        served = np.asarray([c[1][index] for c in counts if index < len(c[1])])
        estimate = pooled_share(hits, served, seed=seed + index, resamples=400)
        out["minutes"].append(float(start + min(width, horizon - start)))
        out["share"].append(_round(estimate.value))
        out["low"].append(_round(estimate.low))
        out["high"].append(_round(estimate.high))
        out["served"].append(float(served.sum()))
    return out


def by_position(
    logs: Sequence[runner.Log], flag: Callable[[runner.Log], Flags], band: int = 50
) -> list[dict[str, Any]]:
    """Share by position in the session (bands of `band` items), with intervals."""
    longest = max((len(log.columns["t_s"]) for log in logs), default=0)
    rows = []
    for start in range(0, longest, band):
        hits = np.asarray([float(flag(log)[start : start + band].sum()) for log in logs])
        served = np.asarray([float(len(log.columns["t_s"][start : start + band])) for log in logs])
        estimate = pooled_share(hits, served, seed=start, resamples=400)
        rows.append(
            {
                "from": start,
                "to": start + band,
                "share": _round(estimate.value),
                "low": _round(estimate.low),
                "high": _round(estimate.high),
            }
        )
    return rows


def summarise_target(
    logs: Sequence[runner.Log], durations: dict[str, float], *, window: float, seed: int = 0
) -> dict[str, Any]:
    """The flat summary of one target (see `report` for what each key means) plus its series."""
    interested = [log for log in logs if log.arm == persona.INTERESTED]
    control = [log for log in logs if log.arm == persona.CONTROL]
    automated = [log for log in interested if log.variant == "automated"]
    automated_control = [log for log in control if log.variant == "automated"]
    manual = [log for log in interested if log.variant != "automated"]
    minors = [log for log in logs if log.age < 18]
    horizon = _session_minutes(automated or interested, durations)
    a_hits, a_served = _last_sixth(automated, horizon)
    c_hits, c_served = _last_sixth(automated_control, horizon)
    hour6 = pooled_share(a_hits, a_served, seed=seed)
    control6 = pooled_share(c_hits, c_served, seed=seed + 1)
    ratio_estimate = ratio((a_hits, a_served), (c_hits, c_served), seed=seed + 2)

    def per_session(group: Sequence[runner.Log]) -> list[float]:
        hits, served = _last_sixth(group, horizon)
        return [float(h / n) for h, n in zip(hits, served, strict=True) if n]

    wall = sum(log.wall_s for log in logs)
    impressions = sum(log.impressions for log in logs)
    summary: dict[str, Any] = {
        "sessions": len(logs),
        "impressions": impressions,
        "impressions_per_s_core": _round(impressions / wall if wall else None, 1),
        "mh_share_hour_6": _round(hour6.value),
        "mh_share_hour_6_ci": [_round(hour6.low), _round(hour6.high)],
        "mh_share_control_hour_6": _round(control6.value),
        "ratio_to_control": _round(ratio_estimate.value, 3),
        "ratio_to_control_ci": [_round(ratio_estimate.low, 3), _round(ratio_estimate.high, 3)],
        "arm_test_p": _round(permutation_test(per_session(automated), per_session(automated_control), seed=seed)),
        "mh_share_interested": _round(
            pooled_share(
                np.asarray([mh(x).sum() for x in interested], np.float64),
                np.asarray([len(mh(x)) for x in interested], np.float64),
            ).value
        ),
        "mh_share_control": _round(
            pooled_share(
                np.asarray([mh(x).sum() for x in control], np.float64),
                np.asarray([len(mh(x)) for x in control], np.float64),
            ).value
        ),
        "minutes_to_half_rewatch": median_minutes(
            [minutes_to_share(minutes(x), mh(x), window=HALF_WINDOW) for x in manual]
        ),
        "minutes_to_half_automated": median_minutes(
            [minutes_to_share(minutes(x), mh(x), window=HALF_WINDOW) for x in automated]
        ),
        "minutes_to_first_mh": median_minutes([time_to_first(minutes(x), mh(x)) for x in interested]),
        "max_mh_share_window_20": _round(max((max_window_share(mh(x), 20) for x in minors), default=0.0)),
        "max_mh_share_window_10": _round(max((max_window_share(mh(x), 10) for x in minors), default=0.0)),
        "longest_mh_run": max((longest_run(mh(x)) for x in logs), default=0),
        "harmful_items_minors": int(sum(harmful(x).sum() for x in minors)),
        "share_exposed_mh": _round(share_ever_exposed(mh(x) for x in logs)),
        "share_exposed_harmful": _round(share_ever_exposed(harmful(x) for x in logs)),
        "topic_entropy_bits": _round(
            float(np.mean([topic_entropy(x.columns["topic"]) for x in logs])) if logs else None, 3
        ),
        "creator_diversity": _round(
            float(np.mean([creator_diversity(x.columns["creator_id"]) for x in logs])) if logs else None, 3
        ),
        "control_watch_minutes": _round(watch_minutes(control), 2),
    }
    notes = sorted({log.note for log in logs if log.note})
    groups = {
        f"{arm}-{variant}": [log for log in logs if log.arm == arm and log.variant == variant]
        for arm, variant in sorted({(log.arm, log.variant) for log in logs})
    }
    return {
        "summary": summary,
        "notes": notes,
        "series": {
            name: series(group, mh, window, _session_minutes(group, durations), seed) for name, group in groups.items()
        },
        "harmful_series": {
            name: series(group, harmful, window, _session_minutes(group, durations), seed)
            for name, group in groups.items()
        },
        "by_position": {name: by_position(group, mh) for name, group in groups.items()},
    }


def watch_minutes(logs: Sequence[runner.Log]) -> float | None:
    """Mean minutes per session spent on videos the persona chose to watch (skips excluded)."""
    if not logs:
        return None
    totals = [
        float(np.asarray(log.columns["seconds"], np.float64)[~np.asarray(log.columns["skipped"], np.bool_)].sum()) / 60
        for log in logs
    ]
    return float(np.mean(totals))


def summarise(
    logs: Sequence[runner.Log], durations: dict[str, float], *, baseline: str, window: float, seed: int = 0
) -> dict[str, Any]:
    """Per-target summaries; `control_watch_time_vs_engagement` compares control watch time to `baseline`."""
    by_target: dict[str, list[runner.Log]] = {}
    for log in logs:
        by_target.setdefault(log.target, []).append(log)
    out = {name: summarise_target(group, durations, window=window, seed=seed) for name, group in by_target.items()}
    reference = out.get(baseline, {}).get("summary", {}).get("control_watch_minutes")
    for result in out.values():
        mine = result["summary"]["control_watch_minutes"]
        result["summary"]["control_watch_time_vs_engagement"] = (
            None if not reference or mine is None else round(mine / reference, 4)
        )
    return out
