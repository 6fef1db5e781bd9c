"""Peers and baselines nobody here tuned: a random feed, and `implicit`'s ALS retrained as events arrive."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse
import threadpoolctl

from safefeed import model
from safefeed.audit import history
from safefeed.recommend import vectors


def _servable(videos: Sequence[model.Video]) -> list[model.Video]:
    """What any platform may show: everything not removed (the peers know nothing else about moderation)."""
    return [video for video in videos if video.enforcement is not model.Enforcement.NOT_ALLOWED]


def _seed(*parts: object) -> int:
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little")


class Null:
    """A random feed from the same catalog: what the share would be if the feed knew nothing about you."""

    def __init__(self, videos: Sequence[model.Video], *, seed: int = 0) -> None:
        self.videos = _servable(videos)
        self.seed = seed
        self._rngs: dict[str, np.random.Generator] = {}
        self._seen: dict[str, set[int]] = {}

    def start(self, account: model.Account) -> None:
        self._rngs[account.id] = np.random.default_rng(_seed(self.seed, account.id))
        self._seen[account.id] = set()

    def feed(self, account_id: str, n: int, now: dt.datetime) -> Sequence[model.Video]:
        rng, seen = self._rngs[account_id], self._seen[account_id]
        if len(seen) >= len(self.videos):
            seen.clear()  # the catalog is exhausted: start over rather than end the feed
        page: list[model.Video] = []
        while len(page) < n and len(seen) < len(self.videos):
            position = int(rng.integers(len(self.videos)))
            if position not in seen:
                seen.add(position)
                page.append(self.videos[position])
        return page

    def send(self, events: Sequence[model.Event]) -> None:
        return None  # a random feed learns nothing


@dataclasses.dataclass(frozen=True, slots=True)
class AlsSettings:
    factors: int = 32
    iterations: int = 4
    regularization: float = 0.05
    retrain_every: int = 30  # pages: a full refit on everything seen so far; in between, fold in
    # In a world without a history (`audit.history`), the population the peer simulates for itself:
    population: int = 300  # synthetic background users the peer learned from before the audit
    population_items: int = 40  # engagements per background user (mean)
    population_mh_share: float = 0.05  # background users who engage with mental-health videos
    population_mh_affinity: float = history.MH_AFFINITY  # their engagements' mental-health share
    seed: int = 0


class ImplicitAls:
    """A peer nobody here wrote: `implicit`'s ALS on a background population, retrained as events arrive.

    Before the audit the peer has a history to learn from: the world's own
    (`past`, the background population's logged events, as SafeFeed's engine
    learns from them), or, in a world without one, a population from the same
    generator (`audit.history.simulate`) with the peer's settings: users who
    each like a few topics (a few, `population_mh_share`, also the
    mental-health videos in `mh_ids`, which the auditor's world knows), drawn
    by popularity. Each page is `recommend` with
    the persona's interactions folded in; every `retrain_every` pages the model
    is refit on the population plus all audit accounts. Interactions use the
    engine's implicit-feedback confidences (`vectors.confidence`).
    """

    def __init__(
        self,
        videos: Sequence[model.Video],
        *,
        settings: AlsSettings = AlsSettings(),
        mh_ids: frozenset[str] = frozenset(),
        past: Sequence[model.Event] = (),
    ) -> None:
        self.videos = _servable(videos)
        self.settings = settings
        self.mh_ids = mh_ids
        self.position = {video.id: index for index, video in enumerate(self.videos)}
        logged = history.from_events(past, self.videos)
        self._background = history.matrix(logged, len(self.videos)) if len(logged) else self._population()
        self._rows: dict[str, dict[int, float]] = {}
        self._seen: dict[str, list[int]] = {}
        self._pages: dict[str, int] = {}
        self._model: Any = None

    def _population(self) -> scipy.sparse.csr_matrix:
        s = self.settings
        population = history.Population(
            users=s.population,
            engagements=s.population_items,
            mh_share=s.population_mh_share,
            mh_affinity=s.population_mh_affinity,
            seed=s.seed,
        )
        return history.matrix(history.simulate(self.videos, self.mh_ids, population), len(self.videos))

    def _user_items(self, account_id: str) -> scipy.sparse.csr_matrix:
        row = self._rows[account_id]
        columns = np.fromiter(row.keys(), dtype=np.int64, count=len(row))
        values = np.fromiter(row.values(), dtype=np.float32, count=len(row))
        return scipy.sparse.csr_matrix((values, (np.zeros(len(row), np.int64), columns)), shape=(1, len(self.videos)))

    def _fit(self) -> None:
        from implicit.cpu.als import AlternatingLeastSquares

        s = self.settings
        audit = [self._user_items(account_id) for account_id in sorted(self._rows)]
        matrix = scipy.sparse.vstack([self._background, *audit]).tocsr().astype(np.float32)
        with threadpoolctl.threadpool_limits(1, "blas"), warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="OpenBLAS is configured", category=RuntimeWarning)
            als = AlternatingLeastSquares(
                factors=s.factors,
                regularization=s.regularization,
                iterations=s.iterations,
                random_state=s.seed,
            )
            als.fit(matrix, show_progress=False)
        self._model = als

    def start(self, account: model.Account) -> None:
        self._rows[account.id] = {}
        self._seen[account.id] = []
        self._pages[account.id] = 0
        if self._model is None:
            self._fit()

    def feed(self, account_id: str, n: int, now: dt.datetime) -> Sequence[model.Video]:
        pages = self._pages[account_id]
        if pages and pages % self.settings.retrain_every == 0:
            self._fit()
        self._pages[account_id] = pages + 1
        seen = self._seen[account_id]
        with threadpoolctl.threadpool_limits(1, "blas"):
            ids, _ = self._model.recommend(
                0,
                self._user_items(account_id),
                N=n,
                filter_already_liked_items=False,
                filter_items=np.asarray(seen, dtype=np.int32) if seen else None,
                recalculate_user=True,
            )
        chosen = [int(i) for i in np.asarray(ids).tolist() if int(i) >= 0][:n]
        seen.extend(chosen)
        return [self.videos[i] for i in chosen]

    def send(self, events: Sequence[model.Event]) -> None:
        for event in events:
            position = None if event.video_id is None else self.position.get(event.video_id)
            weight = vectors.confidence(event)
            if position is None or weight <= 0 or event.account_id not in self._rows:
                continue
            row = self._rows[event.account_id]
            row[position] = row.get(position, 0.0) + weight
