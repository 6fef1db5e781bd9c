"""Learning: one event into an account's state, as far as the policy lets it teach.

Every path by which an event can raise content in the feed passes here: the
interest vector (content), the topic affinity, the implicit-feedback
confidence that the ALS fold-in reads, and searches. On a likely-sensitive
video (or a likely-sensitive search) a positive signal is scaled by the
band's weight: for under-18s that weight is 0, so a like, share, comment,
follow, rewatch or long watch teaches the feed nothing about it. Moving
away from sensitive content (a skip, a short watch, "not interested") is
always learned. A follow is still recorded (it is the account's own list),
but the follow source and the following feature cannot raise a likely-
sensitive video for a minor (`recommend.exposure`).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from safefeed import model
from safefeed.content import lexicon
from safefeed.policy import rules as policy_rules
from safefeed.recommend import state

Vector = npt.NDArray[np.float32]
QUERY_NEIGHBOURS = 10  # a search is likely sensitive when most of what it finds is


def sensitive_weight(kind: model.EventKind, rules: policy_rules.Band) -> float:
    """How much a positive event on a likely-sensitive video may teach in this band (0: nothing).

    >>> teen = policy_rules.built_in("default").bands[model.AgeBand.U16]
    >>> sensitive_weight(model.EventKind.LIKE, teen), sensitive_weight(model.EventKind.WATCH, teen)
    (0.0, 0.0)
    """
    if kind in policy_rules.PASSIVE_EVENTS:
        return rules.passive_sensitive_weight
    return rules.sensitivity.explicit_weight


def sensitive_query(query: str, found_sensitive: npt.NDArray[np.bool_]) -> bool:
    """A search about mental health: the lexicon names a theme, or most of the nearest videos are likely sensitive.

    >>> sensitive_query("sad songs", np.zeros(10, bool)), sensitive_query("dance", np.zeros(10, bool))
    (True, False)
    """
    if any(match.kind == "theme" for match in lexicon.match(query)):
        return True
    return bool(len(found_sensitive)) and float(np.mean(found_sensitive)) >= 0.5


def teach(
    current: state.AccountState,
    event: model.Event,
    signals: state.Signals,
    *,
    rules: policy_rules.Band,
    personalised: bool,
    vector: Vector | None,
    topic: str | None,
    confidence: float,
    sensitive: bool,
) -> None:
    """Apply one event; `sensitive`: it is about a likely-sensitive video (or is a likely-sensitive search)."""
    weight: float | None = None
    if sensitive:
        scale = sensitive_weight(event.kind, rules)
        base = signals.weight(event)
        if base > 0:  # moving towards it: only as far as the band allows
            weight = base * scale
        confidence *= scale
    if not personalised:  # no profiling at all: explicit controls still apply
        vector, topic, confidence = None, None, 0.0
        weight = 0.0 if event.kind is not model.EventKind.NOT_INTERESTED else None
    state.learn(current, event, signals, vector=vector, topic=topic, weight=weight, confidence=confidence)
