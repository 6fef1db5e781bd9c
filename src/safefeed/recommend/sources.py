"""Candidate sources: where the items a page is ranked from come from.

Each source answers one question about an account (what is near its
interests, what do the creators it follows post, what is popular where it
lives, what lies outside its usual topics) with item positions, best first.
"""

from __future__ import annotations

import dataclasses
from typing import Protocol

import numpy as np
import numpy.typing as npt

from safefeed.content import generate
from safefeed.recommend import index as vector_index
from safefeed.recommend import items as catalog_items
from safefeed.recommend import state as account_state

Positions = npt.NDArray[np.int64]


@dataclasses.dataclass(frozen=True, slots=True)
class Request:
    """What every source may look at for one page."""

    state: account_state.AccountState
    interest: npt.NDArray[np.float32]  # unit interest vector, or zeros when nothing is known
    region: str
    chosen_topics: tuple[str, ...]
    rng: np.random.Generator
    personalised: bool = True


class CandidateSource(Protocol):
    """A named way of finding items for an account."""

    name: str

    def candidates(self, request: Request, k: int) -> Positions:
        """Up to k item positions, best first."""
        ...


@dataclasses.dataclass(slots=True)
class Interest:
    """Nearest neighbours of the account's interest vector in the vector index."""

    index: vector_index.VectorIndex
    name: str = "interest"

    def candidates(self, request: Request, k: int) -> Positions:
        return self.scored(request, k)[0]

    def scored(self, request: Request, k: int) -> tuple[Positions, npt.NDArray[np.float32]]:
        """The candidates with their inner product with the interest vector: the index computed it already."""
        if not request.personalised or not request.interest.any():
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        scores, positions = self.index.search(request.interest[None, :], k)
        found = positions[0] >= 0
        return np.asarray(positions[0][found], dtype=np.int64), np.asarray(scores[0][found], dtype=np.float32)


@dataclasses.dataclass(slots=True)
class Following:
    """The newest videos of creators the account follows."""

    items: catalog_items.Items
    per_creator: int = 5
    name: str = "following"

    def candidates(self, request: Request, k: int) -> Positions:
        codes = self.items.creator_code
        creators = [codes[creator] for creator in sorted(request.state.following) if creator in codes]
        if not creators:
            return np.zeros(0, dtype=np.int64)
        found = np.concatenate([self.items.by_creator[c][: self.per_creator] for c in creators])
        order = np.argsort(-self.items.created_at[found], kind="stable")
        return found[order][:k]


@dataclasses.dataclass(slots=True)
class Trending:
    """Popular and recent videos, for the account's region first; a random draw from the top."""

    items: catalog_items.Items
    pool: int = 2000
    half_life_days: float = 14.0
    name: str = "trending"
    _top: dict[str, Positions] = dataclasses.field(default_factory=dict)

    def top(self, region: str) -> Positions:
        if region not in self._top:
            items = self.items
            age_days = (items.newest - items.created_at) / 86_400.0
            score = items.popularity * np.power(0.5, age_days / self.half_life_days).astype(np.float32)
            if region:
                local = np.asarray([r == region for r in items.region], dtype=np.float32)
                score = score + np.float32(0.25) * local
            count = min(self.pool, len(score))
            best = np.argpartition(-score, count - 1)[:count] if count else np.zeros(0, dtype=np.int64)
            self._top[region] = best[np.argsort(-score[best], kind="stable")].astype(np.int64)
        return self._top[region]

    def candidates(self, request: Request, k: int) -> Positions:
        top = self.top(request.region)
        if len(top) <= k:
            return top
        picked = request.rng.choice(len(top), size=k, replace=False)
        return top[np.sort(picked)]


@dataclasses.dataclass(slots=True)
class Topics:
    """The most popular videos of given topics: chosen interests, or an educational (STEM) tab."""

    items: catalog_items.Items
    fixed_topics: tuple[str, ...] = ()  # empty: the account's chosen topics
    name: str = "chosen"

    def candidates(self, request: Request, k: int) -> Positions:
        wanted = self.fixed_topics or request.chosen_topics
        codes = self.items.topic_code
        groups = [self.items.by_topic[codes[topic]][: 4 * k] for topic in wanted if topic in codes]
        if not groups:
            return np.zeros(0, dtype=np.int64)
        pool = np.concatenate(groups)
        picked = request.rng.choice(len(pool), size=min(k, len(pool)), replace=False)
        return pool[np.sort(picked)]


@dataclasses.dataclass(slots=True)
class Explore:
    """Random videos from outside the account's top topics, so a feed never closes in on itself."""

    items: catalog_items.Items
    top_topics: int = 3
    name: str = "explore"

    def candidates(self, request: Request, k: int) -> Positions:
        if len(self.items) == 0:
            return np.zeros(0, dtype=np.int64)
        # Without profiling (DSA Art. 38) what was learned about the account may not steer even this.
        affinity = request.state.topic_affinity if request.personalised else {}
        usual = sorted(affinity, key=lambda topic: -affinity[topic])[: self.top_topics]
        codes = self.items.topic_code
        usual_codes = [codes[topic] for topic in usual if topic in codes and affinity[topic] > 0]
        drawn = request.rng.integers(0, len(self.items), size=4 * k)
        keep = ~catalog_items.among(self.items.topic[drawn], usual_codes, len(self.items.topics))
        return np.unique(drawn[keep])[:k].astype(np.int64)


@dataclasses.dataclass(slots=True)
class Support:
    """Supportive mental-health videos (help-seeking, recovery, professional), verified professionals first:
    what the support tab serves to someone who chose it."""

    items: catalog_items.Items
    supportive: npt.NDArray[np.bool_]  # by position: a trusted label calls it supportive
    name: str = "support"

    def candidates(self, request: Request, k: int) -> Positions:
        found = np.flatnonzero(self.supportive)
        if not len(found):
            return np.zeros(0, dtype=np.int64)
        order = np.lexsort((-self.items.popularity[found], ~self.items.verified[found]))
        return found[order][: 4 * k].astype(np.int64)


def every(items: catalog_items.Items, index: vector_index.VectorIndex) -> list[CandidateSource]:
    """The For You tab's sources, in the order that decides which one found a candidate first."""
    return [Following(items), Interest(index), Topics(items), Trending(items), Explore(items)]


def stem(items: catalog_items.Items) -> Topics:
    """The STEM tab's one source: the educational topics, fixed."""
    return Topics(items, fixed_topics=tuple(sorted(generate.EDUCATIONAL_TOPICS)), name="stem")
