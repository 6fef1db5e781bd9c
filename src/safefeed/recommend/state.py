"""An account's learned state, updated synchronously from each event.

The state is derived data: replaying the account's events (after its last
snapshot) rebuilds it exactly, so the event log stays the only source of truth.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import pickle
import sys
from collections import OrderedDict, deque
from collections.abc import Mapping

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
    # A video seen within the horizon is not shown again, unless `seen_limit` newer ones were seen since:
    # the limit bounds an account's memory (16 bytes a video) whatever it watches.
    seen_horizon_hours: float = 24.0 * 30
    seen_limit: int = 10_000
    interaction_limit: int = 500  # the newest videos interacted with, for collaborative filtering

    def weight(self, event: model.Event) -> float:
        kind = event.kind
        if kind is model.EventKind.WATCH:
            return self.watch * (min(event.fraction or 0.0, 3.0) - self.watch_neutral_fraction)
        return float(getattr(self, kind.value, 0.0))


Hashes = npt.NDArray[np.uint64]


def id_hash(video_id: str) -> int:
    """A stable 64-bit name for a video id (Python's own string hash changes from process to process)."""
    return int.from_bytes(hashlib.blake2b(video_id.encode(), digest_size=8).digest(), "little")


def id_hashes(video_ids: list[str]) -> Hashes:
    return np.fromiter((id_hash(video_id) for video_id in video_ids), dtype=np.uint64, count=len(video_ids))


@dataclasses.dataclass(slots=True, eq=False)
class Seen:
    """The videos an account saw within the horizon: 64-bit id hashes with when each was last seen.

    It is an account's largest state and is tested against hundreds of
    candidates per page, so it lives in sorted arrays (16 bytes a video) with
    the newest few in a dict until they are merged in. A merge forgets what
    is past the horizon and all but the newest `limit`, so it holds at most
    `limit + MERGE_AT`. Two ids sharing a hash (odds about 1 in 10^9 for 10^5
    videos seen) would only hide one video.
    """

    hashes: Hashes = dataclasses.field(default_factory=lambda: np.empty(0, dtype=np.uint64))  # sorted
    times: npt.NDArray[np.float64] = dataclasses.field(default_factory=lambda: np.empty(0, dtype=np.float64))
    recent: dict[int, float] = dataclasses.field(default_factory=dict)  # not in `hashes` yet
    oldest: float = math.inf  # no time in here is older (a bound: it may be older than the oldest)

    MERGE_AT = 256  # recent ones merged into the arrays at this many

    @classmethod
    def of(cls, times: Mapping[str, float]) -> Seen:
        seen = cls()
        for video_id, at in times.items():
            seen.mark(video_id, at, horizon_s=math.inf, limit=len(times))
        return seen

    def __len__(self) -> int:
        return len(self.hashes) + len(self.recent)

    def keys(self) -> set[int]:
        """The id hashes seen (see `id_hash`)."""
        return set(self.hashes.tolist()) | set(self.recent)

    def __contains__(self, video_id: object) -> bool:
        return isinstance(video_id, str) and bool(self.contains(np.asarray([id_hash(video_id)], dtype=np.uint64))[0])

    def contains(self, hashes: Hashes) -> npt.NDArray[np.bool_]:
        """Which of these id hashes were seen."""
        recent = np.sort(np.fromiter(self.recent, dtype=np.uint64, count=len(self.recent)))
        return _in_sorted(self.hashes, hashes) | _in_sorted(recent, hashes)

    def mark(self, video_id: str, now: float, *, horizon_s: float, limit: int) -> None:
        """Seen at `now` (the latest time counts); what was last seen more than `horizon_s` before it
        is forgotten, and so is all but the newest `limit` when the recent ones are merged in."""
        key = id_hash(video_id)
        at = int(np.searchsorted(self.hashes, np.uint64(key)))
        if at < len(self.hashes) and int(self.hashes[at]) == key:
            self.times[at] = max(self.times[at], now)
        else:
            self.recent[key] = max(self.recent.get(key, now), now)
        self.oldest = min(self.oldest, now)
        if len(self.recent) >= self.MERGE_AT or self.oldest < now - horizon_s:
            self.merge(now - horizon_s, limit)

    def merge(self, cutoff: float, limit: int) -> None:
        """Move the recent ones into the arrays, keeping the newest `limit` seen at or after `cutoff`."""
        count = len(self.recent)
        keys = np.fromiter(self.recent, dtype=np.uint64, count=count)
        times = np.fromiter(self.recent.values(), dtype=np.float64, count=count)
        order = np.argsort(keys)
        places = np.searchsorted(self.hashes, keys[order])
        self.hashes = np.insert(self.hashes, places, keys[order])
        self.times = np.insert(self.times, places, times[order])
        self.recent = {}
        keep = self.times >= cutoff
        if keep.sum() > limit:  # then the newest `limit` are all within the horizon
            keep = np.zeros(len(self.times), dtype=np.bool_)
            keep[np.argsort(self.times)[len(self.times) - limit :]] = True
        if not keep.all():
            self.hashes, self.times = self.hashes[keep], self.times[keep]
        self.oldest = float(self.times.min()) if len(self.times) else math.inf


def _in_sorted(keys: Hashes, hashes: Hashes) -> npt.NDArray[np.bool_]:
    """Which `hashes` are among the sorted `keys` (a binary search each: np.isin would sort both)."""
    if not len(keys):
        return np.zeros(len(hashes), dtype=np.bool_)
    at = np.searchsorted(keys, hashes).clip(max=len(keys) - 1)
    return np.asarray(keys[at] == hashes, dtype=np.bool_)


@dataclasses.dataclass(slots=True)
class AccountState:
    """Mutable: the engine owns one per account and changes it in place."""

    interest: Vector
    updated_at: float = 0.0  # epoch seconds of the last decay
    topic_affinity: dict[str, float] = dataclasses.field(default_factory=dict)
    seen: Seen = dataclasses.field(default_factory=Seen)
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
    # The newest page's ranking decisions (`cursor.Served`); a snapshot from before them holds (cursor, ids, next).
    last_page: object = None

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
        horizon_s = signals.seen_horizon_hours * 3600.0
        for video_id in video_ids:
            self.seen.mark(video_id, now, horizon_s=horizon_s, limit=signals.seen_limit)

    def dumps(self) -> bytes:
        return pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def loads(data: bytes) -> AccountState:
        state = pickle.loads(data)
        assert isinstance(state, AccountState)
        if not isinstance(state.seen, Seen):  # a snapshot from before `Seen`: video id -> time
            state.seen = Seen.of(state.seen)
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
    # One string per video however many events name it (each parsed request brings its own copy).
    video_id = None if event.video_id is None else sys.intern(event.video_id)
    if video_id is not None:
        state.mark_seen([video_id], now, signals)
    if kind is model.EventKind.IMPRESSION:
        if video_id is not None:
            state.served.append(video_id)
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
    if confidence > 0 and video_id is not None:
        state.interactions[video_id] = state.interactions.pop(video_id, 0.0) + confidence
        while len(state.interactions) > signals.interaction_limit:
            state.interactions.popitem(last=False)
    amount = signals.weight(event) if weight is None else weight
    if vector is not None and amount:
        state.interest += np.float32(amount) * vector
    if topic is not None and amount:
        state.topic_affinity[topic] = state.topic_affinity.get(topic, 0.0) + amount
