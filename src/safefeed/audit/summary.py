"""The per-target summary: the flat figures `safefeed audit summary` prints, and the series for the plots.

Built from `metrics`' plain functions of the log. Shares are scored by the
answer key where the world has one; where a target was scored by the
classifier, the shares are also given corrected for the classifier's
measured error (`estimates.corrected_share`), and harmful items per 10,000
minor impressions always come with their exact 95% upper bound.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from safefeed.audit import estimates, metrics, persona, runner, scoring
from safefeed.audit.metrics import Flags, Floats


def _session_minutes(logs: Sequence[runner.Log], durations: dict[str, float]) -> float:
    return max((durations.get(log.persona, 0.0) for log in logs), default=0.0)


def _last_sixth(logs: Sequence[runner.Log], horizon: float) -> tuple[Floats, Floats]:
    """(hits, served) per session in the last sixth of the session: the 6th hour of a 6-hour run."""
    pairs = [metrics.share_between(metrics.minutes(log), metrics.mh(log), horizon * 5 / 6, horizon) for log in logs]
    return np.asarray([p[0] for p in pairs], np.float64), np.asarray([p[1] for p in pairs], np.float64)


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None or math.isnan(value) else round(value, digits)


def series(
    logs: Sequence[runner.Log], flag: Callable[[runner.Log], Flags], width: float, horizon: float, seed: int
) -> dict[str, list[float | None]]:
    """Share per time window across sessions, with bootstrap intervals (for the plots)."""
    counts = [metrics.window_counts(metrics.minutes(log), flag(log), width, horizon) for log in logs]
    starts = np.arange(0.0, horizon, width)
    out: dict[str, list[float | None]] = {"minutes": [], "share": [], "low": [], "high": [], "served": []}
    for index, start in enumerate(starts):
        hits = np.asarray([c[0][index] for c in counts if index < len(c[0])])
        served = np.asarray([c[1][index] for c in counts if index < len(c[1])])
        estimate = metrics.pooled_share(hits, served, seed=seed + index, resamples=400)
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
        estimate = metrics.pooled_share(hits, served, seed=start, resamples=400)
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
    hour6 = metrics.pooled_share(a_hits, a_served, seed=seed)
    control6 = metrics.pooled_share(c_hits, c_served, seed=seed + 1)
    ratio_estimate = metrics.ratio((a_hits, a_served), (c_hits, c_served), seed=seed + 2)

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
        "arm_test_p": _round(
            metrics.permutation_test(per_session(automated), per_session(automated_control), seed=seed)
        ),
        "mh_share_interested": _round(
            metrics.pooled_share(
                np.asarray([metrics.mh(x).sum() for x in interested], np.float64),
                np.asarray([len(metrics.mh(x)) for x in interested], np.float64),
            ).value
        ),
        "mh_share_control": _round(
            metrics.pooled_share(
                np.asarray([metrics.mh(x).sum() for x in control], np.float64),
                np.asarray([len(metrics.mh(x)) for x in control], np.float64),
            ).value
        ),
        "minutes_to_half_rewatch": metrics.median_minutes(
            [metrics.minutes_to_share(metrics.minutes(x), metrics.mh(x), window=metrics.HALF_WINDOW) for x in manual]
        ),
        "minutes_to_half_automated": metrics.median_minutes(
            [metrics.minutes_to_share(metrics.minutes(x), metrics.mh(x), window=metrics.HALF_WINDOW) for x in automated]
        ),
        "minutes_to_first_mh": metrics.median_minutes(
            [metrics.time_to_first(metrics.minutes(x), metrics.mh(x)) for x in interested]
        ),
        "max_mh_share_window_20": _round(
            max((metrics.max_window_share(metrics.mh(x), 20) for x in minors), default=0.0)
        ),
        "max_mh_share_window_10": _round(
            max((metrics.max_window_share(metrics.mh(x), 10) for x in minors), default=0.0)
        ),
        "longest_mh_run": max((metrics.longest_run(metrics.mh(x)) for x in logs), default=0),
        "harmful_items_minors": int(sum(metrics.harmful(x).sum() for x in minors)),
        "share_exposed_mh": _round(metrics.share_ever_exposed(metrics.mh(x) for x in logs)),
        "share_exposed_harmful": _round(metrics.share_ever_exposed(metrics.harmful(x) for x in logs)),
        "topic_entropy_bits": _round(
            float(np.mean([metrics.topic_entropy(x.columns["topic"]) for x in logs])) if logs else None, 3
        ),
        "creator_diversity": _round(
            float(np.mean([metrics.creator_diversity(x.columns["creator_id"]) for x in logs])) if logs else None, 3
        ),
        "control_watch_minutes": _round(watch_minutes(control), 2),
        **honest_figures(logs, interested, control, (a_hits, a_served), seed=seed),
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
            name: series(group, metrics.mh, window, _session_minutes(group, durations), seed)
            for name, group in groups.items()
        },
        "harmful_series": {
            name: series(group, metrics.harmful, window, _session_minutes(group, durations), seed)
            for name, group in groups.items()
        },
        "by_position": {name: by_position(group, metrics.mh) for name, group in groups.items()},
    }


def _counts(group: Sequence[runner.Log]) -> tuple[Floats, Floats]:
    """(mental-health items, items) per session."""
    hits = np.asarray([float(metrics.mh(x).sum()) for x in group], np.float64)
    return hits, np.asarray([float(len(x.columns["t_s"])) for x in group], np.float64)


def honest_figures(
    logs: Sequence[runner.Log],
    interested: Sequence[runner.Log],
    control: Sequence[runner.Log],
    hour6: tuple[Floats, Floats],
    *,
    seed: int,
) -> dict[str, Any]:
    """Which labels the engine saw and scored it, harmful items per 10,000 minor impressions with the 95%
    upper bound, and the mental-health shares corrected for the scorer's error.

    Scored by the answer key, the corrected share is the share itself with its session bootstrap interval;
    scored (in part) by the classifier, it is Rogan-Gladen corrected with the classifier's measured
    sensitivity and specificity on real captions, the interval carrying their uncertainty too.
    """
    minors = [log for log in logs if log.age < 18]
    harmful = int(sum(metrics.harmful(x).sum() for x in minors))
    impressions = sum(len(x.columns["t_s"]) for x in minors)
    rate = estimates.rate(harmful, impressions)
    scored = sorted({log.scored_by for log in logs if log.scored_by}) or [scoring.ANSWER_KEY]
    by_classifier = any(name != scoring.ANSWER_KEY for name in scored)
    out: dict[str, Any] = {
        "engine_labels": "; ".join(sorted({log.engine_labels for log in logs if log.engine_labels})) or None,
        "scored_by": "; ".join(scored),
        "minor_impressions": impressions,
        "harmful_per_10k_minor_impressions": _round(rate.value, 3),
        "harmful_per_10k_minor_impressions_upper95": _round(rate.upper, 3),
    }
    error = scoring.classifier_error()
    for offset, (name, (hits, served)) in enumerate(
        (
            ("mh_share_interested", _counts(interested)),
            ("mh_share_control", _counts(control)),
            ("mh_share_hour_6", hour6),
        )
    ):
        if by_classifier:
            corrected = estimates.corrected_share(hits, served, error, seed=seed + 10 + offset)
            value, low, high = corrected.value, corrected.low, corrected.high
        else:
            plain = metrics.pooled_share(hits, served, seed=seed + 10 + offset)
            value, low, high = plain.value, plain.low, plain.high
        out[f"{name}_corrected"] = _round(value)
        out[f"{name}_corrected_ci"] = [_round(low), _round(high)]
    if by_classifier:
        out["scorer_sensitivity"] = round(error.sensitivity, 4)
        out["scorer_specificity"] = round(error.specificity, 4)
    return out


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
