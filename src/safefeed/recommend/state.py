"""An account's learned state, updated synchronously from each event.

The state is derived data: replaying the account's events (after its last
snapshot) rebuilds it exactly, so the event log stays the only source of truth.
"""

from __future__ import annotations

import dataclasses
import math
import pickle
from collections import OrderedDict, deque

import numpy as np
import numpy.typing as npt

from safefeed import model

Vector = npt.NDArray[np.float32]
SERVED_HISTORY = 200  # longer than any dispersion window a policy may set


@dataclasses.dataclass(frozen=True, slots=True)
class Signals:
    """How much each kind of event moves an account's interests (configurable).

    Watching is passive: its weight grows with the fraction watched, and a
    short watch counts against the video. Explicit signals weigh more.
    """

    watch: float = 1.0  # times (fraction - watch_neutral_fraction)
    watch_neutral_fraction: float = 0.3
    rewatch: float = 1.5
    like: float = 2.0
    share: float = 2.5
    comment: float = 1.5
    follow: float = 3.0
    search: float = 2.0
    skip: float = -0.5
    not_interested: float = -4.0
    report: float = -5.0
    half_life_hours: float = 24.0
    seen_horizon_hours: float = 24.0 * 30

    def weight(self, event: model.Event) -> float:
        kind = event.kind
        if kind is model.EventKind.WATCH:
            return self.watch * (min(event.fraction or 0.0, 3.0) - self.watch_neutral_fraction)
        return float(getattr(self, kind.value, 0.0))


@dataclasses.dataclass(slots=True)
class AccountState:
    """Mutable: the engine owns one per account and changes it in place."""

    interest: Vector
    updated_at: float = 0.0  # epoch seconds of the last decay
    topic_affinity: dict[str, float] = dataclasses.field(default_factory=dict)
    seen: OrderedDict[str, float] = dataclasses.field(default_factory=OrderedDict)
    # What was shown, in order: dispersion windows carry over page boundaries through it.
    served: deque[str] = dataclasses.field(default_factory=lambda: deque(maxlen=SERVED_HISTORY))
    interactions: OrderedDict[str, float] = dataclasses.field(default_factory=OrderedDict)  # video -> confidence
    following: set[str] = dataclasses.field(default_factory=set)
    blocked_videos: set[str] = dataclasses.field(default_factory=set)
    blocked_creators: set[str] = dataclasses.field(default_factory=set)
    blocked_hashtags: set[str] = dataclasses.field(default_factory=set)
    blocked_topics: set[str] = dataclasses.field(default_factory=set)
    events: int = 0
    pages: int = 0  # pages served: the cursor counts them
    last_page: tuple[str, tuple[str, ...], str] | None = None  # (cursor asked, ids, next cursor)

    @classmethod
    def empty(cls, dimensions: int) -> AccountState:
        return cls(interest=np.zeros(dimensions, dtype=np.float32))

    def decay(self, now: float, signals: Signals) -> None:
        """Fade interests with the configured half-life, up to `now`."""
        elapsed = now - self.updated_at
        if self.updated_at and elapsed > 0:
            factor = math.pow(0.5, elapsed / (signals.half_life_hours * 3600.0))
            self.interest *= factor
            for topic in self.topic_affinity:
                self.topic_affinity[topic] *= factor
        self.updated_at = max(self.updated_at, now)

    def mark_seen(self, video_ids: list[str] | tuple[str, ...], now: float, signals: Signals) -> None:
        for video_id in video_ids:
            if video_id in self.seen:  # moved, not re-inserted: the key stays the catalog's own string
                self.seen.move_to_end(video_id)
            self.seen[video_id] = now
        horizon = now - signals.seen_horizon_hours * 3600.0
        while self.seen and next(iter(self.seen.values())) < horizon:
            self.seen.popitem(last=False)

    def dumps(self) -> bytes:
        return pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def loads(data: bytes) -> AccountState:
        state = pickle.loads(data)
        assert isinstance(state, AccountState)
        return state


def learn(
    state: AccountState,
    event: model.Event,
    signals: Signals,
    *,
    vector: Vector | None,
    topic: str | None,
    weight: float | None = None,
    confidence: float = 0.0,
    max_interactions: int = 500,
) -> None:
    """Update the state from one event, in place; the next page reflects it.

    `vector` and `topic` describe what the event is about (the video, or the
    search query); `weight` overrides the configured weight of the event;
    `confidence` is the implicit-feedback evidence it adds for its video.
    """
    now = event.at.timestamp()
    state.decay(now, signals)
    state.events += 1
    kind = event.kind
    if event.video_id is not None:
        state.mark_seen([event.video_id], now, signals)
    if kind is model.EventKind.IMPRESSION:
        if event.video_id is not None:
            state.served.append(event.video_id)
        return
    if kind is model.EventKind.FOLLOW and event.creator_id is not None:
        state.following.add(event.creator_id)
    if kind is model.EventKind.NOT_INTERESTED:
        for target, blocked in (
            (event.video_id, state.blocked_videos),
            (event.creator_id, state.blocked_creators),
            (event.hashtag, state.blocked_hashtags),
            (event.topic, state.blocked_topics),
        ):
            if target is not None:
                blocked.add(target.lower() if blocked is state.blocked_hashtags else target)
        if event.topic is not None:
            topic = event.topic
    if kind is model.EventKind.REPORT and event.video_id is not None:
        state.blocked_videos.add(event.video_id)
    if confidence > 0 and event.video_id is not None:
        state.interactions[event.video_id] = state.interactions.pop(event.video_id, 0.0) + confidence
        while len(state.interactions) > max_interactions:
            state.interactions.popitem(last=False)
    amount = signals.weight(event) if weight is None else weight
    if vector is not None and amount:
        state.interest += np.float32(amount) * vector
    if topic is not None and amount:
        state.topic_affinity[topic] = state.topic_affinity.get(topic, 0.0) + amount
