"""The likes test (issue 21): does liking mental-health videos raise them for a minor above a control's?

The figure is the interested arm's mental-health share over the larger of the
control arm's share and the catalog's base rate (a control served none must
not make any share look infinite, and a feed that serves the catalog's own
mix has not amplified anything). Scored by the answer key where the world has
one; where the classifier scored served items, both shares are Rogan-Gladen
corrected for its measured error and the interval carries that uncertainty.
`ratio_upper95` is the conservative bound: the interested share's upper limit
over the larger of the control's lower limit and the base rate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from safefeed import model
from safefeed.audit import estimates, metrics, persona, runner, scoring

BOUND = 2.0  # the "no more than 2x"


def _counts(logs: Sequence[runner.Log]) -> tuple[metrics.Floats, metrics.Floats]:
    hits = np.asarray([metrics.mh(log).sum() for log in logs], np.float64)
    served = np.asarray([len(metrics.mh(log)) for log in logs], np.float64)
    return hits, served


def _share(
    logs: Sequence[runner.Log], by_classifier: bool, error: estimates.ClassifierError, seed: int
) -> dict[str, Any]:
    hits, served = _counts(logs)
    out: dict[str, Any] = {"served": int(served.sum()), "apparent_hits": int(hits.sum())}
    if by_classifier:
        corrected = estimates.corrected_share(hits, served, error, seed=seed)
        out.update(share=corrected.value, low=corrected.low, high=corrected.high, apparent=corrected.apparent)
    else:
        # The session bootstrap misses the noise within a session (with one session it has no width):
        # the interval is the wider of it and the exact binomial one on the pooled counts, so a zero
        # is never bare.
        pooled = metrics.pooled_share(hits, served, seed=seed)
        exact_low, exact_high = estimates.clopper_pearson(int(hits.sum()), int(served.sum()))
        low = min(exact_low, pooled.low if pooled.low is not None else exact_low)
        high = max(exact_high, pooled.high if pooled.high is not None else exact_high)
        out.update(share=pooled.value, low=low, high=high)
    out["max_mh_share_window_20"] = max((metrics.max_window_share(metrics.mh(log), 20) for log in logs), default=0.0)
    return out


def base_rate(answer_key: Mapping[str, model.Label], engine_labels: Sequence[model.Label | None]) -> float:
    """The catalog's mental-health share: by the answer key where it covers the catalog, else the engine's
    classifier labels corrected for the classifier's error."""
    if answer_key and len(answer_key) >= len(engine_labels):
        return sum(label.mh_related for label in answer_key.values()) / len(answer_key)
    error = scoring.classifier_error()
    apparent = sum(bool(label and label.mh_related) for label in engine_labels) / max(1, len(engine_labels))
    return estimates.rogan_gladen(apparent, error.sensitivity, error.specificity)


def ratio(logs: Sequence[runner.Log], base: float, *, seed: int = 0) -> dict[str, Any]:
    """Interested-to-max(control, base rate) mental-health ratio of one target's logs, with its bound."""
    by_classifier = any(log.scored_by != scoring.ANSWER_KEY for log in logs)
    error = scoring.classifier_error()
    interested = _share([log for log in logs if log.arm == persona.INTERESTED], by_classifier, error, seed)
    control = _share([log for log in logs if log.arm == persona.CONTROL], by_classifier, error, seed + 1)
    denominator = max(control["share"] or 0.0, base)
    lower_denominator = max(control["low"] or 0.0, base)
    value = None if interested["share"] is None or denominator <= 0 else interested["share"] / denominator
    upper = None if interested["high"] is None or lower_denominator <= 0 else interested["high"] / lower_denominator
    return {
        "scored_by": "; ".join(sorted({log.scored_by for log in logs})),
        "corrected": by_classifier,
        "base_rate": base,
        "interested": interested,
        "control": control,
        "ratio": value,
        "ratio_upper95": upper,
        "bound": BOUND,
        "within_bound": value is not None and value <= BOUND,
    }


def hand_labelled(logs: Sequence[runner.Log], covered: frozenset[str]) -> dict[str, dict[str, Any]]:
    """Per arm: the served items the real hand labels cover, and their mental-health share by those labels."""
    out = {}
    for arm in persona.ARMS:
        flags = [
            bool(mh)
            for log in logs
            if log.arm == arm
            for video_id, mh in zip(log.columns["video_id"], log.columns["mh"], strict=True)
            if video_id in covered
        ]
        low, high = estimates.clopper_pearson(sum(flags), len(flags)) if flags else (None, None)
        out[arm] = {
            "served": len(flags),
            "mh": sum(flags),
            "share": sum(flags) / len(flags) if flags else None,
            "ci95": [low, high],
        }
    return out
