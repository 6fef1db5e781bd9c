"""The engine: one feed request, one batch of events, one moderation decision, each told as a short story.

`Engine` holds the state at the edges (the store, the vector index, the
accounts' learned states, what the protections did); every stage it calls is
its own module of pure functions over arrays: `rank` (sources ->
eligibility -> the one scoring path -> re-ranking), `ads`, `impressions`
(the page logged with its decisions), `page` (assembly, notes, help, a
retried cursor's replay), `learn` (an event into an account's state),
`accounts` (the state cache), `search`, `profile` and `moderation`.
Everything that differs by age comes from the policy (`context`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
import numpy.typing as npt

from safefeed import model
from safefeed.policy import rules as policy_rules
from safefeed.recommend import accounts as account_cache
from safefeed.recommend import ads as sponsored_slots
from safefeed.recommend import context as policy_context
from safefeed.recommend import cursor as cursors
from safefeed.recommend import (
    following,
    impressions,
    learn,
    moderation,
    page,
    profile,
    rank,
    rerank,
    score,
    search,
    sensitivity,
    sources,
    state,
    vectors,
)
from safefeed.recommend import index as vector_index
from safefeed.recommend import items as catalog_items
from safefeed.store import pages, repository

PROTECTION_FLUSH_PAGES = 50  # protection counts reach the store every this many pages (and on flush)
Context = policy_context.Context
Tab = rank.Tab


@dataclasses.dataclass(frozen=True, slots=True)
class EngineConfig:
    signals: state.Signals = state.Signals()
    weights: score.Weights = score.Weights()
    candidates_per_source: int = 80  # fillers (following, trending, chosen, explore): enough for a page of 20
    interest_candidates: int = 400  # the nearest neighbours carry most of the relevance: take more
    max_page: int = 100
    ad_every: int = 0  # a sponsored slot in every `ad_every` items (0: no ads)
    seed: int = 0
    # Account states held in memory, least recently used dropped first: they reload from snapshot + log.
    cached_accounts: int = 20_000
    propagation: sensitivity.Propagation = sensitivity.Propagation()  # likely sensitive, from what surrounds a video


Resolve = Callable[[model.Account], model.Account]


def as_stored(account: model.Account) -> model.Account:
    return account


class Engine:
    """A personalised, infinitely scrollable feed that learns from every event as it happens."""

    def __init__(
        self,
        store: repository.Store,
        catalog: catalog_items.Items,
        index: vector_index.VectorIndex,
        factors: npt.NDArray[np.float32],
        *,
        policy: policy_rules.Policy,
        config: EngineConfig = EngineConfig(),
        videos: Iterable[model.Video] = (),
        resolve: Resolve = as_stored,
        evidence: sensitivity.Evidence | None = None,
    ) -> None:
        """`videos` seed the cache of full videos that pages are made of (up to VIDEO_CACHE_SIZE);
        `resolve` turns a stored account into the one the feed must serve (e.g. with a guardian's controls);
        `evidence`: what is known of each video's sensitivity (worked out from the catalog if not given)."""
        assert index.size == len(catalog) == len(factors), "index, catalog and factors must hold the same items"
        self.store = store
        self.items = catalog
        self.index = index
        self.factors = factors
        self.gram = (factors.T @ factors).astype(np.float32)
        self.policy = policy
        self.config = config
        self.resolve = resolve
        self.sources = sources.every(catalog, index)
        self.stem = sources.stem(catalog)
        self.evidence = evidence or sensitivity.build(catalog, index, propagation=config.propagation)
        self.flags = {band: sensitivity.flags(self.evidence, rules.sensitivity) for band, rules in policy.bands.items()}
        self.support = sources.Support(catalog, sensitivity.supportive(catalog, self.evidence))
        self.parts = rank.Parts(
            catalog,
            index,
            factors,
            self.gram,
            self.flags,
            policy.bands,
            config.weights,
            per_source=config.candidates_per_source,
            interest_candidates=config.interest_candidates,
        )
        # What the protections did, by (region, age band, protection): the transparency report reads it.
        self.protections: Counter[tuple[str, str, str]] = Counter()
        self.lock = threading.RLock()  # held while reading or changing the arrays ranking reads (moderation)
        self.accounts = account_cache.Accounts(
            store, account=self.account, teach=self._teach, cached=config.cached_accounts, lock=self.lock
        )
        self.videos = page.Videos(catalog, videos)
        self._pages_since_flush = 0

    def under(self, policy: policy_rules.Policy) -> Engine:
        """The same catalog, index and page cache under another policy (account states are not shared)."""
        return Engine(
            self.store,
            self.items,
            self.index,
            self.factors,
            policy=policy,
            config=self.config,
            videos=list(self.videos.cache.values()),
            resolve=self.resolve,
            evidence=self.evidence,
        )

    # -- the feed: one step ----------------------------------------------

    def feed(
        self,
        account_id: str,
        *,
        n: int = 20,
        cursor: str | None = None,
        now: dt.datetime | None = None,
        tab: Tab = "for_you",
        account: model.Account | None = None,
    ) -> model.Page:
        """The next n items of the tab (For You may be served as Following: `Context.tab_served`); the same
        cursor asked twice gives the same page. `account`: as `account()` gives it, where the caller just read it."""
        if not 1 <= n <= self.config.max_page:
            raise ValueError(f"n must be between 1 and {self.config.max_page}, got {n}")
        if tab not in rank.TABS:
            raise ValueError(f"tab must be one of {', '.join(rank.TABS)}, got {tab!r}")
        moment = now or dt.datetime.now(dt.UTC)
        context = self.context(self._served(account_id, account), moment)
        if context.tab_served(tab) == "following":
            return following.serve(self, context, n=n, cursor=cursor, asked=tab, moment=moment)
        with self.accounts.account_lock(account_id), self.lock:
            current = self.accounts.state(account_id, catch_up=True)
            position = self.accounts.position(account_id)
            if cursor is not None:
                replayed = page.replay(self.store, self.items, account_id, cursor, current.last_page, position, n=n)
                if replayed is not None:
                    return self._assemble(context, current, replayed, tab)
            active = rank.active(
                self.sources, tab, stem=self.stem, support=self.support, personalised=context.personalised
            )
            rng = self._rng(account_id, current.pages)
            ranked = rank.rank(self.parts, context, current, active, n=n, tab=tab, rng=rng)
            self._count(context, ranked.counts)
            # Ads for the sponsored slots (`ads.choose`): for minors by the neighbouring video, never the profile.
            rng, every = self._rng(account_id, -current.pages - 1), self.config.ad_every
            sponsored = sponsored_slots.choose(
                self.items, self.index, context.rules, ranked.page, every=every, interest=current.interest, rng=rng
            )
            chosen = rerank.insert_slots(ranked.page, sponsored, every=every)
            ads = frozenset(sponsored)
            scored = rank.score_missing(self.parts, context, current, chosen, ranked.scored)  # ads, where placed
            asked = cursor or cursors.encode(account_id, position.impression)
            decided = page.decided(self.items, chosen, ranked.found_by, scored, ads)
            served = impressions.log(
                self.store,
                self.accounts,
                current,
                position,
                account_id=account_id,
                asked=asked,
                decided=decided,
                moment=moment,
                learn=lambda event: self._learn(current, event, context),
            )
            self._pages_since_flush += 1
            if self._pages_since_flush >= PROTECTION_FLUSH_PAGES:
                self._pages_since_flush = 0
                self.flush_protections()
            plan = page.Plan(asked, served.ids, served.next_cursor, ranked.found_by, scored, ads)
            return self._assemble(context, current, plan, tab)

    def _assemble(self, context: Context, current: state.AccountState, plan: page.Plan, tab: Tab) -> model.Page:
        positions = [self.items.position[i] for i in plan.ids]
        scored = rank.score_missing(self.parts, context, current, positions, plan.scored)
        return page.assemble(self.items, self.flags[context.band], self.videos, context, plan, scored, tab=tab)

    # -- events ----------------------------------------------------------

    def record(self, events: Sequence[model.Event]) -> None:
        """Validate, log durably, then learn: when this returns the events are on disk and in the state.

        Raises UnknownAccount or UnknownVideo (and writes nothing) if any event names one.
        """
        accounts = {
            key: self.resolve(value) for key, value in self.store.accounts(e.account_id for e in events).items()
        }
        self.check(events)
        positions = self.items.position
        seqs = self.store.append_events_numbered(events)
        about = [positions[e.video_id] for e in events if e.video_id is not None]
        item_vectors = dict(zip(about, self.index.reconstruct(np.asarray(about, dtype=np.int64)), strict=True))
        contexts: dict[tuple[str, dt.date], Context] = {}
        with self.lock:
            for event, seq in zip(events, seqs, strict=True):
                current = self.accounts.state(event.account_id, catch_up=False)
                position = self.accounts.position(event.account_id)
                if seq <= position.seq:  # loaded (or caught up) from the log after the append: applied
                    continue
                key = (event.account_id, event.at.date())
                if key not in contexts:
                    contexts[key] = self.context(accounts[event.account_id], event.at)
                vector = None if event.video_id is None else item_vectors[positions[event.video_id]]
                self._learn(current, event, contexts[key], vector=vector)
                self.accounts.applied(position, [seq])

    def check(self, events: Sequence[model.Event]) -> None:
        """Raise UnknownVideo if any event names a video the catalog lacks; writes nothing."""
        positions = self.items.position
        for event in events:
            if event.video_id is not None and event.video_id not in positions:
                raise repository.UnknownVideo(f"no video with id {event.video_id!r} in the catalog")

    def _learn(
        self,
        current: state.AccountState,
        event: model.Event,
        context: Context,
        *,
        vector: npt.NDArray[np.float32] | None = None,
    ) -> None:
        """Apply one event to the state, as the policy allows (`vector`: the video's, if already at hand)."""
        learn.apply(current, event, context, self.parts, self.config.signals, vector=vector)

    def _teach(self, current: state.AccountState, event: model.Event, account: model.Account) -> None:
        """A logged event replayed into a state (`accounts`), under the policy of its moment."""
        self._learn(current, event, self.context(account, event.at))

    # -- moderation ------------------------------------------------------

    def moderate(
        self, video_id: str, *, enforcement: model.Enforcement | None = None, label: model.Label | None = None
    ) -> None:
        """A moderation decision (already stored) takes effect on this instance's next page."""
        position = self.items.position.get(video_id)
        if position is None:
            raise repository.UnknownVideo(f"no video with id {video_id!r} in the catalog")
        label = catalog_items.known_label(label)  # an answer key is never the platform's to read
        with self.lock:
            moderation.apply(self.parts, self.evidence, self.support, position, enforcement=enforcement, label=label)
            self.videos.forget(video_id)

    def review_priority(
        self, *, limit: int = 100, since: dt.datetime | None = None, now: dt.datetime | None = None
    ) -> list[tuple[str, float]]:
        """The videos the review queue should take first (`moderation.review_priority`)."""
        today = (now or dt.datetime.now(dt.UTC)).date()
        youngest = self.policy.bands[model.AgeBand.U16].sensitivity
        return moderation.review_priority(self.store, self.parts, self.evidence, youngest, limit, since, today)

    # -- the policy, the account, its state --------------------------------

    def context(self, account: model.Account, moment: dt.datetime) -> Context:
        return policy_context.decide(self.policy, account, moment)

    def account(self, account_id: str) -> model.Account:
        """The account as the feed serves it: stored settings with whatever `resolve` lays over them."""
        return self.resolve(self.store.account(account_id))

    def _served(self, account_id: str, account: model.Account | None) -> model.Account:
        if account is None:
            return self.account(account_id)
        assert account.id == account_id, "the account given must be the one asked for"
        return account

    def account_state(self, account_id: str) -> state.AccountState:
        """The account's learned state: its snapshot plus every event logged after it, by any instance."""
        return self.accounts.state(account_id, catch_up=True)

    @property
    def _states(self) -> Mapping[str, state.AccountState]:  # held in memory, least recently used first
        return self.accounts.states

    def account_factors(self, current: state.AccountState) -> npt.NDArray[np.float32]:
        """The account's ALS vector, folded in from its interactions (zeros if there are none)."""
        return rank.account_factors(self.parts, current)

    def interest_query(self, current: state.AccountState, taste: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """The unit query for the interest source: recent content interests and, where known, ALS taste."""
        return rank.interest_query(current, taste)

    def query_vector(self, query: str) -> npt.NDArray[np.float32]:
        """A search query in item space (content part only)."""
        return vectors.query(query)

    def refresh(self, account_id: str) -> None:
        """Forget everything learned about the account, completely and permanently."""
        self.store.account(account_id)
        with self.accounts.account_lock(account_id), self.lock:
            self.accounts.put_snapshot(account_id, account_cache.empty())

    def snapshot(self, account_id: str) -> None:
        """Store the account's state as its snapshot: loading it later (after a restart, or once
        dropped from memory) replays only the events logged after this one."""
        self.accounts.replace(account_id, lambda current: current)

    def forget(self, account_id: str) -> None:
        """Drop the account's state from memory, and the decisions of the pages it was served (after the
        account was deleted from the store)."""
        self.accounts.drop(account_id)
        pages.delete(self.store, account_id)

    # -- profile, why, search ---------------------------------------------

    def profile(self, account_id: str, *, now: dt.datetime | None = None) -> dict[str, object]:
        """What SafeFeed has inferred about the account, in terms a person can read and edit."""
        account = self.account(account_id)
        context = self.context(account, now or dt.datetime.now(dt.UTC))
        return profile.describe(account, context, self.account_state(account_id))

    def forget_interest(self, account_id: str, topic: str) -> None:
        """Remove one inferred interest (the account edits its profile); permanent, like a refresh."""
        self.accounts.replace(account_id, lambda current: profile.forget_topic(self.items, self.index, current, topic))

    def why(self, account_id: str, video_id: str, *, now: dt.datetime | None = None) -> tuple[str, ...]:
        """Why this video is (or would be) in the account's feed: the signals the ranking reads, in words."""
        position = self.items.position.get(video_id)
        if position is None:
            raise repository.UnknownVideo(f"no video with id {video_id!r} in the catalog")
        context = self.context(self.account(account_id), now or dt.datetime.now(dt.UTC))
        with self.lock:
            return profile.why(self.parts, context, self.account_state(account_id), position)

    def search(
        self,
        account_id: str,
        query: str,
        *,
        n: int = 20,
        now: dt.datetime | None = None,
        account: model.Account | None = None,
    ) -> model.SearchResult:
        """Videos matching the query by caption and hashtags; searching also feeds interests.

        An unsafe search from a minor (suicide, self-harm, eating disorders)
        returns help resources instead of videos. `account` as for `feed`.
        """
        moment = now or dt.datetime.now(dt.UTC)
        event = model.Event(account_id, model.EventKind.SEARCH, moment, query=query)
        context = self.context(self._served(account_id, account), moment)
        lines = search.help_for(query, context)
        self.record([event])  # a withheld search is logged, but teaches the feed nothing (`learn.apply`)
        if policy_context.withheld(query, context):
            self._count(context, {"search_withheld": 1})
            return model.SearchResult(videos=(), help=lines, withheld=True)
        found, counts = search.find(self.parts, context, self.account_state(account_id), query, n)
        self._count(context, counts)
        return model.SearchResult(videos=tuple(self.store.videos([self.items.ids[p] for p in found])), help=lines)

    # -- what the protections did -----------------------------------------

    def flush_protections(self) -> None:
        """Add what the protections did since the last flush to the store's totals."""
        with self.lock:
            counts, self.protections = self.protections, Counter()
        self.store.add_protection_counts(counts)

    def _count(self, context: Context, counts: Mapping[str, int]) -> None:
        for protection, amount in counts.items():
            if amount:
                self.protections[(context.account.region, context.band.value, protection)] += amount

    def _rng(self, account_id: str, page_number: int) -> np.random.Generator:
        digest = hashlib.blake2b(f"{self.config.seed}:{account_id}:{page_number}".encode(), digest_size=8).digest()
        return np.random.default_rng(int.from_bytes(digest, "little"))
