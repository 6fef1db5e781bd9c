"""The platform's past: a background population whose events the engine learns co-engagement from.

A real platform's rabbit hole is behaviour, not captions: millions of users
watched, liked and shared before a 13-year-old signed up, and some of them
engaged with mental-health videos, so those videos sit together in the item
factors learned from the event log even when their captions say `#dance`.
The audit's world gets such a past. Each background user likes a few
everyday topics; a small share (`mh_share`, from the auditor's answer key,
as the auditor knows its world) also engages with mental-health videos.
Videos are drawn by popularity; each engagement is a watch (sometimes a
rewatch, like, comment or share), and users also scroll past videos they
barely watch. The events go into the world's log from adult background
accounts (never audit personas), and the engine learns from them only what
any platform learns from its log: `vectors.train_collaborative`.

`simulate` is the one population generator: the world's history and the ALS
peer's background users (`targets.peers.ImplicitAls`) both come from it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt
import scipy.sparse
import threadpoolctl

from safefeed import model
from safefeed.recommend import vectors
from safefeed.store import repository

ACCOUNT_PREFIX = "history-"  # audit personas are "audit-...": the two never meet
REGIONS = ("KE", "PH", "US", "GB", "DE", "BR", "IN", "NG")
BATCH = 20_000  # events per append: one transaction each
MH_AFFINITY = 0.4  # the share of an engaged user's engagements that are mental-health videos
Progress = Callable[[str, int, int], None]  # (step, done, total)


@dataclasses.dataclass(frozen=True, slots=True)
class Population:
    """Who used the platform before the audit, and how (each field a realism knob, with its plausible range)."""

    users: int | None = None  # background users; None: `users_per_video` times the catalog's videos
    users_per_video: float = 0.1  # a platform's users grow with what it holds (0: no history)
    engagements: int = 40  # videos each user engaged with (mean, Poisson)
    topics: int = 3  # everyday topics each user likes
    mh_share: float = 0.08  # users who also engage with mental-health videos (an assumption: 0.03-0.15 plausible)
    mh_affinity: float = MH_AFFINITY  # the share of such a user's engagements that are mental-health videos
    skims: float = 0.5  # videos scrolled past (watched briefly) per engagement, drawn from everything
    like: float = 0.10  # per engagement: likes, rewatches, comments, shares (TikTok-like rates)
    rewatch: float = 0.08
    comment: float = 0.01
    share: float = 0.015
    days: float = 30.0  # how far back the history reaches
    seed: int = 0

    def count(self, videos: int) -> int:
        """How many background users a catalog of `videos` has.

        >>> Population().count(30_000), Population(users=7).count(30_000), Population(users_per_video=0).count(10)
        (3000, 7, 0)
        """
        return self.users if self.users is not None else round(self.users_per_video * videos)

    def __post_init__(self) -> None:
        for name in ("users", "users_per_video", "engagements", "topics"):
            if (getattr(self, name) or 0) < 0:
                raise model.InvalidValue(f"history {name} must be >= 0, got {getattr(self, name)}")
        for name in ("mh_share", "mh_affinity", "like", "rewatch", "comment", "share"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise model.InvalidValue(f"history {name} must be within 0-1, got {getattr(self, name)}")
        if self.skims < 0 or self.days <= 0:
            raise model.InvalidValue(f"history skims must be >= 0 and days > 0, got {self.skims}, {self.days}")


@dataclasses.dataclass(frozen=True, slots=True)
class Interactions:
    """The population's events as columns: one row per event, videos by position in the list given."""

    user: npt.NDArray[np.int64]
    position: npt.NDArray[np.int64]
    kind: tuple[model.EventKind, ...]
    fraction: npt.NDArray[np.float32]  # watch fraction (0 for the other kinds)
    users: int

    def __len__(self) -> int:
        return len(self.user)


def account_id(user: int) -> str:
    return f"{ACCOUNT_PREFIX}{user:06d}"


def simulate(videos: Sequence[model.Video], mh_ids: frozenset[str], population: Population) -> Interactions:
    """The population's engagements with `videos` (mental health known from `mh_ids`), seeded."""
    rng = np.random.default_rng(population.seed)
    by_topic: dict[str, list[int]] = {}
    mental_health: list[int] = []
    for index, video in enumerate(videos):
        if video.id in mh_ids:
            mental_health.append(index)
        else:
            by_topic.setdefault(video.topic or "", []).append(index)
    popularity = np.asarray([np.log1p(video.counters.views) + 1.0 for video in videos])
    everyday = sorted(by_topic)
    pools = {topic: np.asarray(members, dtype=np.int64) for topic, members in by_topic.items()}
    mh_pool = np.asarray(mental_health, dtype=np.int64)
    everything = np.arange(len(videos), dtype=np.int64)

    def draw(pool: npt.NDArray[np.int64], size: int) -> npt.NDArray[np.int64]:
        size = min(size, len(pool))
        if size <= 0:
            return np.zeros(0, dtype=np.int64)
        weights = popularity[pool] / popularity[pool].sum()
        return rng.choice(pool, size=size, replace=False, p=weights)

    user: list[npt.NDArray[np.int64]] = []
    position: list[npt.NDArray[np.int64]] = []
    kind: list[model.EventKind] = []
    fraction: list[npt.NDArray[np.float32]] = []
    p = population
    users = population.count(len(videos))
    for u in range(users if videos else 0):
        count = int(rng.poisson(p.engagements))
        liked = rng.permutation(len(everyday))[: p.topics].tolist()  # the user's everyday topics
        topical = np.concatenate([pools[everyday[t]] for t in liked]) if liked else np.zeros(0, np.int64)
        mh_count = int(rng.binomial(count, p.mh_affinity)) if len(mh_pool) and rng.random() < p.mh_share else 0
        engaged = np.concatenate([draw(topical, count - mh_count), draw(mh_pool, mh_count)])
        skimmed = np.setdiff1d(draw(everything, int(rng.poisson(p.skims * count))), engaged)
        for chosen, low, high in ((engaged, 0.5, 1.3), (skimmed, 0.02, 0.25)):
            user.append(np.full(len(chosen), u, dtype=np.int64))
            position.append(chosen)
            kind.extend([model.EventKind.WATCH] * len(chosen))
            fraction.append(rng.uniform(low, high, size=len(chosen)).astype(np.float32))
        for event_kind, rate in (
            (model.EventKind.REWATCH, p.rewatch),
            (model.EventKind.LIKE, p.like),
            (model.EventKind.COMMENT, p.comment),
            (model.EventKind.SHARE, p.share),
        ):
            chosen = engaged[rng.random(len(engaged)) < rate]
            user.append(np.full(len(chosen), u, dtype=np.int64))
            position.append(chosen)
            kind.extend([event_kind] * len(chosen))
            fraction.append(np.zeros(len(chosen), dtype=np.float32))
    if not user:
        empty = np.zeros(0, dtype=np.int64)
        return Interactions(empty, empty, (), np.zeros(0, np.float32), users)
    return Interactions(np.concatenate(user), np.concatenate(position), tuple(kind), np.concatenate(fraction), users)


def confidences(interactions: Interactions) -> npt.NDArray[np.float32]:
    """Each event's implicit-feedback confidence, as the engine weighs it (`vectors.confidence`)."""
    pairs = zip(interactions.kind, interactions.fraction.tolist(), strict=True)
    return np.fromiter(
        (vectors.kind_confidence(kind, fraction) for kind, fraction in pairs), dtype=np.float32, count=len(interactions)
    )


def matrix(interactions: Interactions, items: int) -> scipy.sparse.csr_matrix:
    """Users x items confidences (repeats add up), as the ALS peer learns from."""
    return scipy.sparse.csr_matrix(
        (confidences(interactions), (interactions.user, interactions.position)),
        shape=(interactions.users, items),
        dtype=np.float32,
    )


def events(videos: Sequence[model.Video], interactions: Interactions, *, days: float, seed: int) -> list[model.Event]:
    """The interactions as logged events, spread over the last `days` before the newest video (never before
    the video they are about appeared)."""
    rng = np.random.default_rng(seed)
    newest = max((video.created_at for video in videos), default=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    since = newest - dt.timedelta(days=days)
    offsets = rng.uniform(0.0, 1.0, size=len(interactions))
    logged: list[model.Event] = []
    for row in range(len(interactions)):
        video = videos[int(interactions.position[row])]
        first = max(video.created_at, since)
        kind = interactions.kind[row]
        fraction = float(interactions.fraction[row]) if kind is model.EventKind.WATCH else None
        logged.append(
            model.Event(
                account_id(int(interactions.user[row])),
                kind,
                first + (newest - first) * float(offsets[row]),
                video_id=video.id,
                fraction=fraction,
                seconds=None if fraction is None else round(fraction * video.duration_s, 3),
            )
        )
    return logged


def past(store: repository.Store) -> list[model.Event]:
    """The background population's events in a world's log (the audit's own accounts' left out)."""
    return [event for _, event in store.events() if event.account_id.startswith(ACCOUNT_PREFIX)]


def from_events(events: Sequence[model.Event], videos: Sequence[model.Video]) -> Interactions:
    """Logged events as interactions over `videos` (events about other videos, or none, left out)."""
    position = {video.id: index for index, video in enumerate(videos)}
    users: dict[str, int] = {}
    kept = [event for event in events if event.video_id is not None and event.video_id in position]
    return Interactions(
        np.asarray([users.setdefault(event.account_id, len(users)) for event in kept], dtype=np.int64),
        np.asarray([position[event.video_id or ""] for event in kept], dtype=np.int64),
        tuple(event.kind for event in kept),
        np.asarray([event.fraction or 0.0 for event in kept], dtype=np.float32),
        len(users),
    )


def accounts(users: int, *, seed: int) -> list[model.Account]:
    """The background accounts: adults of many regions (a platform's log is mostly theirs)."""
    rng = np.random.default_rng([seed, 1])
    years = rng.integers(1976, 2007, size=users)
    regions = rng.integers(0, len(REGIONS), size=users)
    return [
        model.Account(account_id(u), birth_year=int(years[u]), region=REGIONS[int(regions[u])]) for u in range(users)
    ]


def record(
    store: repository.Store,
    mh_ids: frozenset[str],
    population: Population,
    *,
    progress: Progress | None = None,
) -> int:
    """Give the store's world its past: background accounts and their events, then the collaborative
    item factors learned from the log (as `safefeed train` would). Returns how many events were logged."""
    users = population.count(store.count_videos())  # by the catalog's size, as the scenario reads it
    if users <= 0:
        return 0
    population = dataclasses.replace(population, users=users)
    videos = [video for video in store.iter_videos() if video.enforcement is not model.Enforcement.NOT_ALLOWED]
    people = accounts(users, seed=population.seed)
    for done, account in enumerate(people, 1):
        store.put_account(account)
        if progress is not None and (done % 500 == 0 or done == len(people)):
            progress("history accounts", done, len(people))
    logged = events(videos, simulate(videos, mh_ids, population), days=population.days, seed=population.seed + 1)
    for start in range(0, len(logged), BATCH):
        store.append(logged[start : start + BATCH], durable=False)
        if progress is not None:
            progress("history events", min(start + BATCH, len(logged)), len(logged))
    if progress is not None:
        progress("collaborative factors", 0, 1)
    with threadpoolctl.threadpool_limits(1, "blas"):  # implicit checks the pool when it is built
        vectors.train_collaborative(store, seed=population.seed)
    if progress is not None:
        progress("collaborative factors", 1, 1)
    return len(logged)
