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
from safefeed.recommend import context as policy_context
from safefeed.recommend import rank, state, vectors

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
    discount: float = 1.0,
) -> None:
    """Apply one event; `sensitive`: it is about a likely-sensitive video (or is a likely-sensitive search);
    `discount`: how much of a positive signal on a video that is not flagged may still teach (1: all)."""
    weight: float | None = None
    scale = sensitive_weight(event.kind, rules) if sensitive else min(max(discount, 0.0), 1.0)
    if scale < 1.0:
        base = signals.weight(event)
        if base > 0:  # moving towards it: only as far as the band allows
            weight = base * scale
        confidence *= scale
    if not personalised:  # no profiling at all: explicit controls still apply
        vector, topic, confidence = None, None, 0.0
        weight = 0.0 if event.kind is not model.EventKind.NOT_INTERESTED else None
    state.learn(current, event, signals, vector=vector, topic=topic, weight=weight, confidence=confidence)


def apply(
    current: state.AccountState,
    event: model.Event,
    context: policy_context.Context,
    parts: rank.Parts,
    signals: state.Signals,
    *,
    vector: Vector | None = None,
) -> None:
    """Apply one event to the state, as the policy allows: what it is about (the video, or the search)
    is looked up here (`vector`: the video's, if already at hand)."""
    items, index, flags = parts.items, parts.index, parts.flags[context.band]
    if event.kind is model.EventKind.IMPRESSION:
        state.learn(current, event, signals, vector=None, topic=None, weight=0.0)
        return
    topic: str | None = None
    sensitive = False
    discount = 1.0
    confidence = vectors.confidence(event)
    position = None if event.video_id is None else items.position.get(event.video_id)
    if position is not None:
        if vector is None:
            vector = index.reconstruct(np.asarray([position]))[0]
        topic = items.topic_of(position)
        if event.kind is model.EventKind.NOT_INTERESTED:
            topic = None  # not interested in this one video: its topic stays welcome
        sensitive = bool(flags.sensitive[position])
        if context.rules.sensitivity.discount_learning:
            discount = learning_discount(float(flags.evidence[position]), context.rules.sensitivity.threshold)
    elif event.kind is model.EventKind.SEARCH and event.query:
        if policy_context.withheld(event.query, context):  # logged, but it teaches the feed nothing, on replay too
            state.learn(current, event, signals, vector=None, topic=None, weight=0.0)
            return
        vector = vectors.query(event.query)
        if context.rules.sensitivity.explicit_weight < 1.0:
            _, found = index.search(vector[None, :], QUERY_NEIGHBOURS)
            near = found[0][found[0] >= 0]
            sensitive = sensitive_query(event.query, flags.sensitive[near])
    teach(
        current,
        event,
        signals,
        rules=context.rules,
        personalised=context.personalised,
        vector=vector,
        topic=topic,
        confidence=confidence,
        sensitive=sensitive,
        discount=discount,
    )


def learning_discount(evidence: float, threshold: float) -> float:
    """How much of a positive signal a video with this evidence of mental health may teach: all of it at
    none, nothing at the band's threshold (where it is flagged and `sensitive_weight` decides).

    >>> learning_discount(0.0, 0.3), round(learning_discount(0.15, 0.3), 3), learning_discount(0.6, 0.3)
    (1.0, 0.5, 0.0)
    """
    return float(min(max(1.0 - evidence / threshold, 0.0), 1.0))
