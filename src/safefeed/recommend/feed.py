"""The For You feed pipeline: candidates -> eligibility -> scoring -> re-ranking -> page -> impression log.

`Engine` holds the state at the edges (the store, the vector index, the
accounts' learned state); every ranking step it calls is a pure function.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
import hashlib
import threading
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from safefeed import model
from safefeed.content import embedding
from safefeed.recommend import explain, rerank, score, sources, vectors
from safefeed.recommend import index as vector_index
from safefeed.recommend import items as catalog_items
from safefeed.recommend import state as account_state
from safefeed.store import repository

Positions = npt.NDArray[np.int64]

REMOVED = catalog_items.ENFORCEMENT_CODES[model.Enforcement.NOT_ALLOWED]
NEVER_RECOMMENDED = catalog_items.ENFORCEMENT_CODES[model.Enforcement.FYF_INELIGIBLE]


class InvalidCursor(ValueError):
    """The cursor was not issued to this account by this feed."""


@dataclasses.dataclass(frozen=True, slots=True)
class EngineConfig:
    signals: account_state.Signals = account_state.Signals()
    weights: score.Weights = score.Weights()
    candidates_per_source: int = 150
    interest_candidates: int = 400  # the nearest neighbours carry most of the relevance: take more
    explore_every: int = 8  # one explore slot in every 8 items
    creator_window: int = 6  # no creator twice within this many consecutive items
    topic_window: int = 10  # ... and no topic more than topic_cap times within this many
    topic_cap: int = 7
    max_page: int = 100
    seed: int = 0


def encode_cursor(account_id: str, page: int) -> str:
    return base64.urlsafe_b64encode(f"{account_id}\x1f{page}".encode()).decode().rstrip("=")


def decode_cursor(account_id: str, cursor: str) -> int:
    """The page number a cursor stands for; refuses cursors of other accounts."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        owner, page = raw.split("\x1f")
        number = int(page)
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise InvalidCursor(
            f"cursor {cursor!r} is not one this feed issued; omit it to start a new page"
        ) from error
    if owner != account_id:
        raise InvalidCursor("that cursor belongs to another account; omit it to start a new page")
    return number


class Engine:
    """A personalised, infinitely scrollable feed that learns from every event as it happens."""

    def __init__(
        self,
        store: repository.Store,
        catalog: catalog_items.Items,
        index: vector_index.VectorIndex,
        factors: npt.NDArray[np.float32],
        *,
        config: EngineConfig = EngineConfig(),
    ) -> None:
        assert index.size == len(catalog) == len(factors), (
            "index, catalog and factors must hold the same items"
        )
        self.store = store
        self.items = catalog
        self.index = index
        self.factors = factors
        self.gram = (factors.T @ factors).astype(np.float32)
        self.config = config
        self.sources: list[sources.CandidateSource] = [
            sources.Following(catalog),
            sources.Interest(index),
            sources.Topics(catalog),
            sources.Trending(catalog),
            sources.Explore(catalog),
        ]
        self._states: dict[str, account_state.AccountState] = {}
        self._lock = threading.RLock()

    # -- account state ---------------------------------------------------

    def state(self, account_id: str) -> account_state.AccountState:
        """The account's learned state: its snapshot plus every event logged after it."""
        with self._lock:
            if account_id not in self._states:
                snapshot = self.store.snapshot(account_id)
                seq, current = (
                    (0, self._empty())
                    if snapshot is None
                    else (snapshot[0], account_state.AccountState.loads(snapshot[1]))
                )
                for _, event in self.store.events(account_id=account_id, after_seq=seq):
                    self._learn(current, event)
                self._states[account_id] = current
            return self._states[account_id]

    def _empty(self) -> account_state.AccountState:
        return account_state.AccountState.empty(self.index_dimensions)

    @property
    def index_dimensions(self) -> int:
        return vectors.DIMENSIONS

    def _learn(self, account: account_state.AccountState, event: model.Event) -> None:
        vector: npt.NDArray[np.float32] | None = None
        topic: str | None = None
        position = None if event.video_id is None else self.items.position.get(event.video_id)
        if position is not None:
            vector = self.index.reconstruct(np.asarray([position]))[0]
            topic = self.items.topic_of(position)
            if event.kind is model.EventKind.NOT_INTERESTED:
                topic = None  # not interested in this one video: its topic stays welcome
        elif event.kind is model.EventKind.SEARCH and event.query:
            vector = self.query_vector(event.query)
        account_state.learn(
            account,
            event,
            self.config.signals,
            vector=vector,
            topic=topic,
            confidence=vectors.confidence(event),
        )

    def query_vector(self, query: str) -> npt.NDArray[np.float32]:
        """A search query in item space (content part only)."""
        content = embedding.embed([query])[0]
        return np.concatenate([content, np.zeros(vectors.FACTORS, dtype=np.float32)])

    # -- events ----------------------------------------------------------

    def record(self, events: Sequence[model.Event]) -> None:
        """Validate, log durably, then learn: when this returns the events are on disk and in the state.

        Raises UnknownAccount or UnknownVideo (and writes nothing) if any event names one.
        """
        for account_id in {event.account_id for event in events}:
            self.store.account(account_id)
        for event in events:
            if event.video_id is not None and event.video_id not in self.items.position:
                raise repository.UnknownVideo(f"no video with id {event.video_id!r} in the catalog")
        self.store.append_events(events)
        with self._lock:
            for event in events:
                self._learn(self.state(event.account_id), event)

    def refresh(self, account_id: str) -> None:
        """Forget everything learned about the account, completely and permanently."""
        self.store.account(account_id)
        with self._lock:
            empty = self._empty()
            self.store.put_snapshot(account_id, self.store.last_seq(), empty.dumps())
            self._states[account_id] = empty

    # -- the feed --------------------------------------------------------

    def feed(
        self, account_id: str, *, n: int = 20, cursor: str | None = None, now: dt.datetime | None = None
    ) -> model.Page:
        """The next n items for the account; the same cursor asked twice gives the same page."""
        if not 1 <= n <= self.config.max_page:
            raise ValueError(f"n must be between 1 and {self.config.max_page}, got {n}")
        account = self.store.account(account_id)
        moment = now or dt.datetime.now(dt.UTC)
        with self._lock:
            current = self.state(account_id)
            if cursor is not None:
                decode_cursor(account_id, cursor)
                if current.last_page is not None and current.last_page[0] == cursor:
                    return self._page(account, current, cursor, current.last_page[1], current.last_page[2])
            chosen, found_by = self._rank(account, current, n)
            ids = tuple(self.items.ids[position] for position in chosen)
            page_number = current.pages + 1
            next_cursor = encode_cursor(account_id, page_number)
            asked = cursor or encode_cursor(account_id, current.pages)
            impressions = [
                model.Event(account_id, model.EventKind.IMPRESSION, moment, video_id=i) for i in ids
            ]
            self.store.append_events(impressions)
            current.mark_seen(ids, moment.timestamp(), self.config.signals)
            current.pages = page_number
            current.last_page = (asked, ids, next_cursor)
            return self._page(account, current, asked, ids, next_cursor, found_by)

    def account_factors(self, current: account_state.AccountState) -> npt.NDArray[np.float32]:
        """The account's ALS vector, folded in from its interactions (zeros if there are none)."""
        known = [
            (self.items.position[v], c) for v, c in current.interactions.items() if v in self.items.position
        ]
        if not known or not self.gram.any():
            return np.zeros(self.factors.shape[1], dtype=np.float32)
        positions, confidences = zip(*known, strict=True)
        return score.fold_in(
            self.factors[list(positions)],
            np.asarray(confidences, dtype=np.float32),
            self.gram,
            regularization=vectors.REGULARIZATION,
        )

    def interest_query(
        self, current: account_state.AccountState, account_factors: npt.NDArray[np.float32]
    ) -> npt.NDArray[np.float32]:
        """The unit query for the interest source: recent content interests and, where known, ALS taste."""
        content = vectors.normalise(current.interest[: -vectors.FACTORS])
        taste = vectors.normalise(account_factors)
        has = np.asarray([taste.any()])
        return vectors.normalise(vectors.combine(content[None, :], taste[None, :], has)[0])

    def _rank(
        self, account: model.Account, current: account_state.AccountState, n: int
    ) -> tuple[list[int], dict[int, str]]:
        items = self.items
        taste = self.account_factors(current)
        interest = self.interest_query(current, taste)
        request = sources.Request(
            state=current,
            interest=interest,
            region=account.region,
            chosen_topics=account.settings.chosen_interests,
            rng=self._rng(account.id, current.pages),
        )
        found_by: dict[int, str] = {}
        k = max(self.config.candidates_per_source, 4 * n)
        for source in self.sources:
            wanted = max(k, self.config.interest_candidates) if source.name == "interest" else k
            for position in source.candidates(request, wanted).tolist():
                found_by.setdefault(position, source.name)
        candidates = np.fromiter(found_by, dtype=np.int64, count=len(found_by))
        candidates = candidates[self._eligible(candidates, current)]
        features = self._features(candidates, interest, taste, current)
        relevance = score.relevance(features, self.config.weights)
        ranked = candidates[np.argsort(-relevance, kind="stable")]
        recent = [items.position[i] for i in list(current.seen)[-10:] if i in items.position]
        explore = [p for p in ranked.tolist() if found_by[p] == "explore"]
        ordinary = ranked[np.asarray([found_by[p] != "explore" for p in ranked.tolist()], dtype=np.bool_)]
        page = rerank.diversify(
            ordinary,
            items.creator,
            items.topic,
            n,
            history_creators=[int(items.creator[p]) for p in recent],
            history_topics=[int(items.topic[p]) for p in recent],
            creator_window=self.config.creator_window,
            topic_window=self.config.topic_window,
            topic_cap=self.config.topic_cap,
        )
        if len(page) < n:  # a small catalog: let explore items fill the page
            page += [p for p in explore if p not in page][: n - len(page)]
        page = rerank.insert_slots(page, explore, every=self.config.explore_every)
        return page, found_by

    def _eligible(self, candidates: Positions, current: account_state.AccountState) -> npt.NDArray[np.bool_]:
        items = self.items
        enforcement = items.enforcement[candidates]
        keep = (enforcement != REMOVED) & (enforcement != NEVER_RECOMMENDED)
        blocked_creators = {
            items.creator_code[c] for c in current.blocked_creators if c in items.creator_code
        }
        blocked_topics = {items.topic_code[t] for t in current.blocked_topics if t in items.topic_code}
        for row, position in enumerate(candidates.tolist()):
            if not keep[row]:
                continue
            video_id = items.ids[position]
            keep[row] = not (
                video_id in current.seen
                or video_id in current.blocked_videos
                or int(items.creator[position]) in blocked_creators
                or int(items.topic[position]) in blocked_topics
                or not current.blocked_hashtags.isdisjoint(items.hashtags[position])
            )
        return np.asarray(keep, dtype=np.bool_)

    def _features(
        self,
        candidates: Positions,
        interest: npt.NDArray[np.float32],
        taste: npt.NDArray[np.float32],
        current: account_state.AccountState,
    ) -> score.Features:
        items = self.items
        if len(candidates) and interest.any():
            similarity = self.index.reconstruct(candidates) @ interest
        else:
            similarity = np.zeros(len(candidates), dtype=np.float32)
        affinity = np.asarray(
            [current.topic_affinity.get(items.topics[t], 0.0) for t in items.topic[candidates].tolist()],
            dtype=np.float32,
        )
        newest = float(items.created_at.max()) if len(items) else 0.0
        age_days = (newest - items.created_at[candidates]) / 86_400.0
        following_codes = {items.creator_code[c] for c in current.following if c in items.creator_code}
        followed = np.asarray(
            [int(c) in following_codes for c in items.creator[candidates]], dtype=np.float32
        )
        return score.Features(
            similarity=similarity.astype(np.float32),
            topic=score.squash_affinity(affinity),
            popularity=items.popularity[candidates],
            freshness=np.power(0.5, age_days / 7.0).astype(np.float32),
            following=followed,
            collaborative=(self.factors[candidates] @ taste).astype(np.float32),
        )

    def _rng(self, account_id: str, page: int) -> np.random.Generator:
        digest = hashlib.blake2b(f"{self.config.seed}:{account_id}:{page}".encode(), digest_size=8).digest()
        return np.random.default_rng(int.from_bytes(digest, "little"))

    def _page(
        self,
        account: model.Account,
        current: account_state.AccountState,
        cursor: str,
        ids: tuple[str, ...],
        next_cursor: str,
        found_by: dict[int, str] | None = None,
    ) -> model.Page:
        videos = {video.id: video for video in self.store.videos(list(ids))}
        taste = self.account_factors(current)
        interest = self.interest_query(current, taste)
        positions = [self.items.position[i] for i in ids]
        features = self._features(np.asarray(positions, dtype=np.int64), interest, taste, current)
        relevance = score.relevance(features, self.config.weights)
        page_items = []
        for row, video_id in enumerate(ids):
            position = positions[row]
            source = (found_by or {}).get(position, "interest")
            topic = self.items.topic_of(position)
            page_items.append(
                model.FeedItem(
                    video=videos[video_id],
                    score=float(relevance[row]),
                    source=source,
                    reasons=explain.reasons(
                        source=source,
                        topic=topic,
                        region=account.region,
                        similarity=float(features.similarity[row]),
                        topic_affinity=float(features.topic[row]),
                        followed=bool(features.following[row]),
                        personalised=True,
                    ),
                )
            )
        return model.Page(account.id, tuple(page_items), cursor, next_cursor)

    # -- search ----------------------------------------------------------

    def search(
        self, account_id: str, query: str, *, n: int = 20, now: dt.datetime | None = None
    ) -> list[model.Video]:
        """Videos matching the query by caption and hashtags; searching also feeds interests."""
        event = model.Event(account_id, model.EventKind.SEARCH, now or dt.datetime.now(dt.UTC), query=query)
        self.record([event])
        terms = {term.lstrip("#").lower() for term in query.split() if term.strip("#")}
        _, found = self.index.search(
            self.query_vector(query)[None, :], min(max(10 * n, 200), len(self.items))
        )
        positions = [p for p in found[0].tolist() if p >= 0 and self.items.enforcement[p] != REMOVED]

        def lexical(position: int) -> int:
            words = set(self.items.hashtags[position]) | set(self.items.captions_lower[position].split())
            return len(terms & words)

        ranked = sorted(positions, key=lambda p: -lexical(p))[:n]  # stable: vector order breaks ties
        return self.store.videos([self.items.ids[p] for p in ranked])


def build(
    store: repository.Store, *, config: EngineConfig = EngineConfig(), exact_below: int = 100_000
) -> Engine:
    """An engine over everything the store holds (embed videos that have no vector first)."""
    loaded = vectors.load(store)
    ids = loaded.ids
    videos = {video.id: video for video in store.iter_videos()}
    with_vectors = set(ids)
    missing = [video_id for video_id in videos if video_id not in with_vectors]
    if missing:
        raise repository.UnknownVideo(
            f"{len(missing)} videos have no vectors yet (e.g. {missing[0]!r}); run `safefeed train` first"
        )
    catalog = catalog_items.build(videos[video_id] for video_id in ids)
    index = vector_index.FaissIndex(vectors.DIMENSIONS, exact_below=exact_below, seed=config.seed)
    index.build(loaded.combined)
    return Engine(store, catalog, index, loaded.factors, config=config)
