"""The For You feed pipeline: candidates -> eligibility -> scoring -> re-ranking -> page -> impression log.

`Engine` holds the state at the edges (the store, the vector index, the
accounts' learned state); every ranking step it calls is a pure function, and
everything that differs by age comes from the policy (`policy.rules`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import itertools
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence

import numpy as np
import numpy.typing as npt

from safefeed import model
from safefeed.content import embedding, generate, lexicon
from safefeed.policy import help as help_lines
from safefeed.policy import rules as policy_rules
from safefeed.recommend import ads as sponsored_slots
from safefeed.recommend import cursor as cursors
from safefeed.recommend import (
    eligibility,
    explain,
    exposure,
    learn,
    rerank,
    score,
    sensitivity,
    sources,
    state,
    vectors,
)
from safefeed.recommend import index as vector_index
from safefeed.recommend import items as catalog_items
from safefeed.store import pages, repository
from safefeed.store import reach as minor_reach

Positions = npt.NDArray[np.int64]
Tab = str  # "for_you", "stem" or "support"
TABS = ("for_you", "stem", "support")

CODES = catalog_items.ENFORCEMENT_CODES
HARM = catalog_items.HARM_CODES
THEME_CODES = catalog_items.THEME_CODES
HELP_THEME_CODES = frozenset(THEME_CODES[theme] for theme in help_lines.HELP_THEMES)
VIDEO_CACHE_SIZE = 50_000
PROTECTION_FLUSH_PAGES = 50  # protection counts reach the store every this many pages (and on flush)
CONTENT_NOTE = "This video talks about mental health. You are not alone: help is a tap away."
VERIFIED_NOTE = "From a verified health professional"


InvalidCursor = cursors.InvalidCursor
encode_cursor = cursors.encode
decode_cursor = cursors.decode


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


@dataclasses.dataclass(slots=True)
class LogPosition:
    """How far an account's cached state has read the shared event log (other instances append to it too)."""

    seq: int = 0  # every event of the account up to this one is applied
    snapshot: int | None = None  # the seq of the snapshot the state was built on (None: none)
    ahead: set[int] = dataclasses.field(default_factory=set)  # this instance's own events, applied, after `seq`
    impression: int = 0  # the account's newest impression known here: where its next page starts


@dataclasses.dataclass(frozen=True, slots=True)
class Context:
    """What the policy decides for one account at one moment."""

    account: model.Account
    band: model.AgeBand
    rules: policy_rules.Band
    personalised: bool
    today: dt.date


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
        self.sources: list[sources.CandidateSource] = [
            sources.Following(catalog),
            sources.Interest(index),
            sources.Topics(catalog),
            sources.Trending(catalog),
            sources.Explore(catalog),
        ]
        self.stem = sources.Topics(catalog, fixed_topics=tuple(sorted(generate.EDUCATIONAL_TOPICS)), name="stem")
        self.evidence = evidence or sensitivity.build(catalog, index, propagation=config.propagation)
        self.flags = {band: sensitivity.flags(self.evidence, rules.sensitivity) for band, rules in policy.bands.items()}
        self.support = sources.Support(catalog, sensitivity.supportive(catalog, self.evidence))
        # What the protections did, by (region, age band, protection): the transparency report reads it.
        self.protections: Counter[tuple[str, str, str]] = Counter()
        self._states: OrderedDict[str, state.AccountState] = OrderedDict()  # least recently used first
        self._log: dict[str, LogPosition] = {}
        self._video_cache: OrderedDict[str, model.Video] = OrderedDict(
            (video.id, video) for video in itertools.islice(videos, VIDEO_CACHE_SIZE)
        )
        self._pages_since_flush = 0
        self._lock = threading.RLock()

    def under(self, policy: policy_rules.Policy) -> Engine:
        """The same catalog, index and page cache under another policy (account states are not shared)."""
        return Engine(
            self.store,
            self.items,
            self.index,
            self.factors,
            policy=policy,
            config=self.config,
            videos=list(self._video_cache.values()),
            resolve=self.resolve,
            evidence=self.evidence,
        )

    # -- policy ----------------------------------------------------------

    def context(self, account: model.Account, moment: dt.datetime) -> Context:
        today = moment.date()
        band = account.age_band(today)
        rules = self.policy.bands[band]
        chosen = account.settings.personalised
        return Context(account, band, rules, rules.personalised_by_default if chosen is None else chosen, today)

    def account(self, account_id: str) -> model.Account:
        """The account as the feed serves it: stored settings with whatever `resolve` lays over them."""
        return self.resolve(self.store.account(account_id))

    def _served(self, account_id: str, account: model.Account | None) -> model.Account:
        if account is None:
            return self.account(account_id)
        assert account.id == account_id, "the account given must be the one asked for"
        return account

    # -- account state ---------------------------------------------------

    def account_state(self, account_id: str) -> state.AccountState:
        """The account's learned state: its snapshot plus every event logged after it, by any instance."""
        return self._state(account_id, catch_up=True)

    def _state(self, account_id: str, *, catch_up: bool) -> state.AccountState:
        """The cached state, loaded if absent; `catch_up`: first apply what other processes logged since."""
        with self._lock:
            current = self._states.get(account_id)
            if current is None:
                return self._load(account_id)
            self._states.move_to_end(account_id)
            if catch_up and self.store.shared:
                return self._catch_up(account_id, current)
            return current

    def _load(self, account_id: str) -> state.AccountState:
        account = self.account(account_id)
        snapshot = self.store.snapshot(account_id)
        if snapshot is None:
            current, position = self._empty(), LogPosition()
        else:
            current = state.AccountState.loads(snapshot[1])
            position = LogPosition(seq=snapshot[0], snapshot=snapshot[0], impression=snapshot[0])
        self._replay(current, position, self.store.events(account_id=account_id, after_seq=position.seq), account)
        self._keep(account_id, current, position)
        return current

    def _keep(self, account_id: str, current: state.AccountState, position: LogPosition) -> None:
        """Hold the account's state in memory, dropping the least recently used beyond `cached_accounts`."""
        self._states[account_id], self._log[account_id] = current, position
        self._states.move_to_end(account_id)
        while len(self._states) > self.config.cached_accounts:
            dropped, _ = self._states.popitem(last=False)
            del self._log[dropped]

    def _replay(
        self,
        current: state.AccountState,
        position: LogPosition,
        logged: Sequence[tuple[int, model.Event]],
        account: model.Account,
    ) -> None:
        """Apply logged events this instance has not applied yet, and move the position past them all."""
        for seq, event in logged:
            if seq not in position.ahead:
                self._learn(current, event, self.context(account, event.at))
                if event.kind is model.EventKind.IMPRESSION:
                    position.impression = max(position.impression, seq)
            position.seq = max(position.seq, seq)
        position.ahead.clear()

    def _catch_up(self, account_id: str, current: state.AccountState) -> state.AccountState:
        """Apply what other instances logged for the account since this one last looked: one indexed query
        when nothing is new. Their events are applied after this instance's own later ones (the decay
        of interests between them is the only difference that order makes); the seen set is exact."""
        position = self._log[account_id]
        count, newest, snapshot = self.store.account_log(account_id, position.seq)
        if snapshot != position.snapshot:  # refreshed or edited elsewhere: start again from the snapshot
            return self._load(account_id)
        if count == len(position.ahead):  # only this instance's own events: nothing to apply
            position.seq = max(position.seq, newest)
            position.ahead.clear()
            return current
        logged = self.store.events(account_id=account_id, after_seq=position.seq)
        self._replay(current, position, logged, self.account(account_id))
        return current

    def _applied(self, position: LogPosition, seqs: Sequence[int]) -> None:
        """Note this instance's own events as applied (alone on the log, the position simply moves on)."""
        if self.store.shared:
            position.ahead.update(seqs)
        elif seqs:
            position.seq = max(position.seq, *seqs)

    def _account_lock(self, account_id: str) -> contextlib.AbstractContextManager[None]:
        """Other instances wait while this one serves and logs a page for the account (outside `_lock`)."""
        return self.store.account_lock(account_id) if self.store.shared else contextlib.nullcontext()

    def _empty(self) -> state.AccountState:
        return state.AccountState.empty(vectors.DIMENSIONS)

    def _learn(
        self,
        current: state.AccountState,
        event: model.Event,
        context: Context,
        *,
        vector: npt.NDArray[np.float32] | None = None,
    ) -> None:
        """Apply one event to the state, as the policy allows (`vector`: the video's, if already at hand)."""
        if event.kind is model.EventKind.IMPRESSION:
            state.learn(current, event, self.config.signals, vector=None, topic=None, weight=0.0)
            return
        topic: str | None = None
        sensitive = False
        confidence = vectors.confidence(event)
        position = None if event.video_id is None else self.items.position.get(event.video_id)
        if position is not None:
            if vector is None:
                vector = self.index.reconstruct(np.asarray([position]))[0]
            topic = self.items.topic_of(position)
            if event.kind is model.EventKind.NOT_INTERESTED:
                topic = None  # not interested in this one video: its topic stays welcome
            sensitive = bool(self.flags[context.band].sensitive[position])
        elif event.kind is model.EventKind.SEARCH and event.query:
            if self._withheld(event.query, context):  # logged, but it teaches the feed nothing, on replay too
                state.learn(current, event, self.config.signals, vector=None, topic=None, weight=0.0)
                return
            vector = self.query_vector(event.query)
            if context.rules.sensitivity.explicit_weight < 1.0:
                _, found = self.index.search(vector[None, :], learn.QUERY_NEIGHBOURS)
                near = found[0][found[0] >= 0]
                sensitive = learn.sensitive_query(event.query, self.flags[context.band].sensitive[near])
        learn.teach(
            current,
            event,
            self.config.signals,
            rules=context.rules,
            personalised=context.personalised,
            vector=vector,
            topic=topic,
            confidence=confidence,
            sensitive=sensitive,
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
        accounts = {
            key: self.resolve(value) for key, value in self.store.accounts(e.account_id for e in events).items()
        }
        self.check(events)
        positions = self.items.position
        seqs = self.store.append_events_numbered(events)
        about = [positions[e.video_id] for e in events if e.video_id is not None]
        item_vectors = dict(zip(about, self.index.reconstruct(np.asarray(about, dtype=np.int64)), strict=True))
        contexts: dict[tuple[str, dt.date], Context] = {}
        with self._lock:
            for event, seq in zip(events, seqs, strict=True):
                current = self._state(event.account_id, catch_up=False)
                position = self._log[event.account_id]
                if seq <= position.seq:  # loaded (or caught up) from the log after the append: applied
                    continue
                key = (event.account_id, event.at.date())
                if key not in contexts:
                    contexts[key] = self.context(accounts[event.account_id], event.at)
                vector = None if event.video_id is None else item_vectors[positions[event.video_id]]
                self._learn(current, event, contexts[key], vector=vector)
                self._applied(position, [seq])

    def check(self, events: Sequence[model.Event]) -> None:
        """Raise UnknownVideo if any event names a video the catalog lacks; writes nothing."""
        positions = self.items.position
        for event in events:
            if event.video_id is not None and event.video_id not in positions:
                raise repository.UnknownVideo(f"no video with id {event.video_id!r} in the catalog")

    def refresh(self, account_id: str) -> None:
        """Forget everything learned about the account, completely and permanently."""
        self.store.account(account_id)
        with self._account_lock(account_id), self._lock:
            self._put_snapshot(account_id, self._empty())

    def snapshot(self, account_id: str) -> None:
        """Store the account's state as its snapshot: loading it later (after a restart, or once
        dropped from memory) replays only the events logged after this one."""
        self.store.account(account_id)
        with self._account_lock(account_id), self._lock:
            self._put_snapshot(account_id, self.account_state(account_id))

    def _put_snapshot(self, account_id: str, current: state.AccountState) -> None:
        """Make `current` the account's state from now on, here and (through its snapshot) everywhere.

        The snapshot is taken at the newest seq of the whole log, so other
        instances see a new snapshot seq and reload (unless no event at all was
        logged since the previous snapshot: then they keep their state until one is).
        """
        seq = self.store.last_seq()
        self.store.put_snapshot(account_id, seq, current.dumps())
        known = self._log.get(account_id, LogPosition())
        self._keep(account_id, current, LogPosition(seq=seq, snapshot=seq, impression=max(known.impression, seq)))

    def forget(self, account_id: str) -> None:
        """Drop the account's state from memory, and the decisions of the pages it was served (after the
        account was deleted from the store)."""
        with self._lock:
            self._states.pop(account_id, None)
            self._log.pop(account_id, None)
        pages.delete(self.store, account_id)

    def profile(self, account_id: str, *, now: dt.datetime | None = None) -> dict[str, object]:
        """What SafeFeed has inferred about the account, in terms a person can read and edit."""
        account = self.account(account_id)
        context = self.context(account, now or dt.datetime.now(dt.UTC))
        current = self.account_state(account_id)
        interests = sorted(current.topic_affinity.items(), key=lambda item: -item[1])
        return {
            "account": dataclasses.asdict(account),
            "age_band": context.band.value,
            "personalised": context.personalised,
            "privacy": context.rules.privacy.model_dump(),
            "privacy_locked": context.rules.privacy_locked,
            "inferred_interests": [{"topic": t, "strength": round(a, 3)} for t, a in interests if a > 0][:15],
            "less_interested_in": [t for t, a in interests if a < 0],
            "following": sorted(current.following),
            "not_interested": {
                "videos": sorted(current.blocked_videos),
                "creators": sorted(current.blocked_creators),
                "hashtags": sorted(current.blocked_hashtags),
                "topics": sorted(current.blocked_topics),
            },
            "events_learned_from": current.events,
            "videos_seen_recently": len(current.seen),
            "pages_served": current.pages,
        }

    def forget_interest(self, account_id: str, topic: str) -> None:
        """Remove one inferred interest (the account edits its profile); permanent, like a refresh."""
        self.store.account(account_id)
        with self._account_lock(account_id), self._lock:
            current = self.account_state(account_id)
            current.topic_affinity.pop(topic, None)
            code = self.items.topic_code.get(topic)
            if code is not None and len(self.items.by_topic[code]):
                centre = vectors.normalise(self.index.reconstruct(self.items.by_topic[code][:200]).mean(axis=0))
                along = float(current.interest @ centre)
                if along > 0:
                    current.interest -= along * centre
                in_topic = [v for v in current.interactions if self.items.topic[self.items.position[v]] == code]
                for video_id in in_topic:
                    del current.interactions[video_id]
            self._put_snapshot(account_id, current)

    def moderate(
        self, video_id: str, *, enforcement: model.Enforcement | None = None, label: model.Label | None = None
    ) -> None:
        """A moderation decision (already stored) takes effect on this instance's next page."""
        position = self.items.position.get(video_id)
        if position is None:
            raise repository.UnknownVideo(f"no video with id {video_id!r} in the catalog")
        label = catalog_items.known_label(label)  # an answer key is never the platform's to read
        with self._lock:
            if enforcement is not None:
                self.items.enforcement[position] = catalog_items.ENFORCEMENT_CODES[enforcement]
            if label is not None:
                self.items.mh[position] = label.mh_related
                theme = catalog_items.NO_THEME if label.theme is None else catalog_items.THEME_CODES[label.theme]
                self.items.theme[position] = theme
                self.items.harm[position] = catalog_items.HARM_CODES[label.harm]
                page = self.items.page  # what pages show of the label, built from memory too
                page.labelled[position] = True
                page.probability[position] = label.probability
                page.label_source[position] = catalog_items.SOURCE_CODES[label.source]
                self.evidence.relabel(self.items, position)
                for band, rules in self.policy.bands.items():
                    flags = self.flags[band]
                    flags.sensitive[position] = self.evidence.sensitive(rules.sensitivity)[position] >= (
                        rules.sensitivity.threshold
                    )
                    flags.harmful[position] = self.evidence.harmful(rules.sensitivity)[position] >= (
                        rules.sensitivity.harmful_threshold
                    )
                    flags.unclassified[position] = not self.evidence.classified[position]
                self.support.supportive[position] = sensitivity.supportive(self.items, self.evidence)[position]
            self._video_cache.pop(video_id, None)

    def review_priority(
        self, *, limit: int = 100, since: dt.datetime | None = None, now: dt.datetime | None = None
    ) -> list[tuple[str, float]]:
        """The videos the review queue should take first: about to reach the most minors while their label is
        in doubt (`sensitivity.review_priority`), with what minors were shown since `since` (None: popularity
        alone). Returns (video id, priority), highest first."""
        reach = None
        if since is not None:
            today = (now or dt.datetime.now(dt.UTC)).date()
            reach = np.zeros(len(self.items), dtype=np.float64)
            for video_id, count in minor_reach.minor_impressions(self.store, since=since, today=today).items():
                at = self.items.position.get(video_id)
                if at is not None:
                    reach[at] = count
        youngest = self.policy.bands[model.AgeBand.U16].sensitivity
        return sensitivity.review_priority(self.items, self.evidence, youngest, minor_impressions=reach, limit=limit)

    def why(self, account_id: str, video_id: str, *, now: dt.datetime | None = None) -> tuple[str, ...]:
        """Why this video is (or would be) in the account's feed: the signals the ranking reads, in words."""
        position = self.items.position.get(video_id)
        if position is None:
            raise repository.UnknownVideo(f"no video with id {video_id!r} in the catalog")
        context = self.context(self.account(account_id), now or dt.datetime.now(dt.UTC))
        chosen = np.asarray([position], dtype=np.int64)
        with self._lock:
            current = self.account_state(account_id)
            taste = self.account_factors(current)
            similarity = self._similarity(chosen, self.interest_query(current, taste))
            features = self._features(chosen, similarity, taste, current, context)
        _relevance, similar, affinity, followed = _scored(features, score.relevance(features, self.config.weights), 0)
        topic = self.items.topic_of(position)
        if followed:
            source = "following"
        elif topic in context.account.settings.chosen_interests:
            source = "chosen"
        elif context.personalised and similar > 0.5:
            source = "interest"
        else:
            source = "trending"
        return explain.reasons(
            source=source,
            topic=topic,
            region=context.account.region,
            similarity=similar,
            topic_affinity=affinity,
            followed=followed,
            personalised=context.personalised,
        ) + self._notes(context, position)

    def flush_protections(self) -> None:
        """Add what the protections did since the last flush to the store's totals."""
        with self._lock:
            counts, self.protections = self.protections, Counter()
        self.store.add_protection_counts(counts)

    # -- the feed --------------------------------------------------------

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
        """The next n items for the account; the same cursor asked twice gives the same page.

        `account`: the account as `account()` would give it, where the caller just read it.
        """
        if not 1 <= n <= self.config.max_page:
            raise ValueError(f"n must be between 1 and {self.config.max_page}, got {n}")
        if tab not in TABS:
            raise ValueError(f"tab must be one of {', '.join(TABS)}, got {tab!r}")
        account = self._served(account_id, account)
        moment = now or dt.datetime.now(dt.UTC)
        context = self.context(account, moment)
        with self._account_lock(account_id), self._lock:
            current = self._state(account_id, catch_up=True)
            position = self._log[account_id]
            if cursor is not None:
                replayed = self._replay_page(context, current, position, cursor, n)
                if replayed is not None:
                    return replayed
            chosen, found_by, scored = self._rank(context, current, n, tab)
            ads = self._sponsored(context, current, chosen)
            chosen = rerank.insert_slots(chosen, ads, every=self.config.ad_every)
            ids = tuple(self.items.ids[p] for p in chosen)
            asked = cursor or cursors.encode(account_id, position.impression)
            impressions = [model.Event(account_id, model.EventKind.IMPRESSION, moment, video_id=i) for i in ids]
            scored = self._score_missing(context, current, chosen, scored)  # the ads, scored where they were placed
            decided = self._decided(chosen, found_by, scored, frozenset(ads))
            kept: list[cursors.Served] = []

            def decisions(seqs: list[int]) -> tuple[int, str] | None:
                kept.append(
                    cursors.Served(asked, cursors.encode(account_id, max([position.impression, *seqs])), decided)
                )
                return cursors.row(account_id, kept[0])

            seqs = pages.append_page(self.store, impressions, decisions)  # impressions and decisions: one commit
            for impression in impressions:
                self._learn(current, impression, context)
            self._applied(position, seqs)
            position.impression = max([position.impression, *seqs])
            served = kept[0]
            next_cursor = served.next_cursor
            current.pages += 1
            current.last_page = served
            self._pages_since_flush += 1
            if self._pages_since_flush >= PROTECTION_FLUSH_PAGES:
                self._pages_since_flush = 0
                self.flush_protections()
            return self._page(context, current, asked, ids, next_cursor, found_by, scored, frozenset(ads))

    def _replay_page(
        self, context: Context, current: state.AccountState, position: LogPosition, cursor: str, n: int
    ) -> model.Page | None:
        """The page already served for this cursor, as it was served (None: not served yet)."""
        after = cursors.decode(context.account.id, cursor)
        served = current.last_page if isinstance(current.last_page, cursors.Served) else None
        if served is None or served.cursor != cursor:
            fresh = after is None or after >= position.impression or after < (position.snapshot or 0)
            served = None if fresh else cursors.recall(self.store, context.account.id, cursor)
        if served is not None:
            known = [item for item in served.items if item.video_id in self.items.position]
            at = [self.items.position[item.video_id] for item in known]
            found_by = {p: item.source for p, item in zip(at, known, strict=True)}
            scored = {p: item.scored for p, item in zip(at, known, strict=True)}
            ads = frozenset(p for p, item in zip(at, known, strict=True) if item.sponsored)
            ids = tuple(item.video_id for item in known)
            return self._page(context, current, cursor, ids, served.next_cursor, found_by, scored, ads)
        logged = self._served_after(context.account.id, after, n, position)
        if logged is None:
            return None
        # Served before its decisions were kept: the ids, scored again.
        ids, next_cursor = logged
        return self._page(context, current, cursor, ids, next_cursor, {}, {}, frozenset())

    def _decided(
        self, chosen: Sequence[int], found_by: dict[int, str], scored: dict[int, Scored], ads: frozenset[int]
    ) -> tuple[cursors.Decided, ...]:
        """The ranking decisions of a new page, as `_page` reads them (ads are scored when the page is made)."""
        decided = []
        for p in chosen:
            sponsored = p in ads
            source = "sponsored" if sponsored else found_by.get(p, "interest")
            decided.append(cursors.Decided(self.items.ids[p], source, sponsored, scored.get(p, (0.0, 0.0, 0.0, False))))
        return tuple(decided)

    def _served_after(
        self, account_id: str, after: int | None, n: int, position: LogPosition
    ) -> tuple[tuple[str, ...], str] | None:
        """The page already served for a cursor, from the impressions logged after it (None: not served yet).

        A page's impressions are logged together, at one moment, under the
        account's lock; the first ones after the cursor with the moment of the
        first are that page (a page cut short by an exhausted catalog and a
        next one logged at the very same moment would run together).
        """
        if after is None or after >= position.impression or after < (position.snapshot or 0):
            return None
        logged = self.store.impressions_after(account_id, after, n)
        if not logged:
            return None
        moment = logged[0][1].at
        page = list(itertools.takewhile(lambda logged_one: logged_one[1].at == moment, logged))
        ids = tuple(event.video_id for _, event in page if event.video_id is not None)
        return ids, cursors.encode(account_id, page[-1][0])

    def _rank(
        self, context: Context, current: state.AccountState, n: int, tab: Tab
    ) -> tuple[list[int], dict[int, str], dict[int, Scored]]:
        """The page's positions, the source that found each candidate, and how each chosen one scored."""
        items = self.items
        taste = self.account_factors(current) if context.personalised else np.zeros(self.factors.shape[1], np.float32)
        interest = (
            self.interest_query(current, taste) if context.personalised else np.zeros(vectors.DIMENSIONS, np.float32)
        )
        request = sources.Request(
            state=current,
            interest=interest,
            region=context.account.region,
            chosen_topics=context.account.settings.chosen_interests,
            rng=self._rng(context.account.id, current.pages),
            personalised=context.personalised,
        )
        k = max(self.config.candidates_per_source, 4 * n)
        tabs: dict[Tab, list[sources.CandidateSource]] = {"stem": [self.stem], "support": [self.support]}
        active = tabs.get(tab) or self._sources(context)
        found: list[Positions] = []
        known = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
        for source in active:
            if isinstance(source, sources.Interest):
                known = source.scored(request, max(k, self.config.interest_candidates))
                found.append(known[0])
            else:
                found.append(source.candidates(request, k))
        candidates, origin = first_found(found)
        keep = self._eligible(candidates, current, context)
        candidates, origin = candidates[keep], origin[keep]
        similarity = self._similarity(candidates, interest, known)
        features = self._features(candidates, similarity, taste, current, context)
        relevance = score.relevance(features, self.config.weights)
        order = np.argsort(-relevance, kind="stable")
        ranked, ranked_origin = candidates[order], origin[order]
        diversity = context.rules.diversity
        dispersion = context.rules.dispersion if tab != "support" else policy_rules.Dispersion()  # chosen: no caps
        caps = [c for c in (dispersion.all_mental_health, *dispersion.themes.values()) if c is not None]
        # Only the windows' reach of what was served matters: the caps and the diversity windows look no further.
        reach = max(
            [diversity.creator_window, diversity.topic_window, *(max(c.window, c.max_consecutive or 0) for c in caps)]
        )
        served = list(itertools.islice(reversed(current.served), reach))[::-1]
        history = [items.position[i] for i in served if i in items.position]
        names = [source.name for source in active]
        exploring = ranked_origin == names.index("explore") if "explore" in names else np.zeros(len(ranked), np.bool_)
        weights = self.config.weights
        plain = weights.popularity * features.popularity + weights.freshness * features.freshness
        mode = context.rules.sensitivity.exposure if tab == "for_you" else "ranked"
        if mode == "explore_slots" and "explore" in names:
            # Whatever the explore source drew, even if another source found it first: which ones those are
            # must not depend on what the account follows or likes.
            drawn = np.zeros(len(items), dtype=np.bool_)
            drawn[found[names.index("explore")]] = True
            exploring = drawn[ranked]
        split = exposure.split(
            ranked, exploring, sensitive=self.flags[context.band].sensitive[ranked], plain_score=plain[order], mode=mode
        )
        self._count(context, "sensitive_unranked", split.held)
        explore, ordinary = split.explore, split.ordinary
        ordered = rerank.diversify(
            ordinary,
            items.creator,
            items.topic,
            min(len(ordinary), 4 * n),
            history_creators=[int(items.creator[p]) for p in history[-10:]],
            history_topics=[int(items.topic[p]) for p in history[-10:]],
            creator_window=diversity.creator_window,
            topic_window=diversity.topic_window,
            topic_cap=diversity.topic_cap,
        )
        ordered = rerank.insert_slots(ordered + explore, explore, every=diversity.explore_every)
        page = rerank.disperse(ordered, self._caps(context, dispersion, ordered + history), n, history=history)
        self._count(context, "dispersed", sum(1 for p in ordered[: len(page)] if p not in page))
        by_position = np.argsort(candidates, kind="stable")
        rows = by_position[np.searchsorted(candidates[by_position], np.asarray(page, dtype=np.int64))].tolist()
        found_by = {p: names[int(origin[row])] for p, row in zip(page, rows, strict=True)}
        scored = {p: _scored(features, relevance, row) for p, row in zip(page, rows, strict=True)}
        return page, found_by, scored

    def _sources(self, context: Context) -> list[sources.CandidateSource]:
        if context.personalised:
            return self.sources
        # No profiling at all (DSA Art. 38): what is popular and what the account chose.
        return [source for source in self.sources if source.name in ("trending", "chosen", "explore")]

    def _caps(
        self, context: Context, dispersion: policy_rules.Dispersion, positions: Sequence[int]
    ) -> list[rerank.WindowCap]:
        """The policy's dispersion caps, with flags looked up once for the positions in play: every likely
        sensitive video counts against the cap on all mental health, labelled or not."""
        items = self.items
        array = np.asarray(positions, dtype=np.int64)
        caps = []
        if dispersion.all_mental_health is not None:
            cap = dispersion.all_mental_health
            flagged = frozenset(array[self.flags[context.band].sensitive[array]].tolist())
            caps.append(rerank.WindowCap(cap.window, cap.max, cap.max_consecutive, flagged))
        for theme, cap in dispersion.themes.items():
            flagged = frozenset(array[items.theme[array] == THEME_CODES[theme]].tolist())
            caps.append(rerank.WindowCap(cap.window, cap.max, cap.max_consecutive, flagged))
        return caps

    def _eligible(
        self, candidates: Positions, current: state.AccountState, context: Context, *, unseen_only: bool = True
    ) -> npt.NDArray[np.bool_]:
        """Which candidates the account may be shown (`eligibility.eligible`), counting what each protection took."""
        verdict = eligibility.eligible(
            self.items,
            candidates,
            current,
            rules=context.rules,
            bands=self.policy.bands,
            settings=context.account.settings,
            today=context.today,
            flags=self.flags[context.band],
            unseen_only=unseen_only,
        )
        for protection, amount in verdict.counts.items():
            self._count(context, protection, amount)
        return verdict.keep

    def _similarity(
        self,
        candidates: Positions,
        interest: npt.NDArray[np.float32],
        known: tuple[Positions, npt.NDArray[np.float32]] = (np.zeros(0, np.int64), np.zeros(0, np.float32)),
    ) -> npt.NDArray[np.float32]:
        """Each candidate's inner product with the interest vector: from the index's own search where it
        found the candidate (`known`), else from its stored vector."""
        similarity = np.zeros(len(candidates), dtype=np.float32)
        if not len(candidates) or not interest.any():
            return similarity
        positions, scores = known
        order = np.argsort(positions)
        at = np.minimum(np.searchsorted(positions[order], candidates), max(len(positions) - 1, 0))
        hit = positions[order][at] == candidates if len(positions) else np.zeros(len(candidates), np.bool_)
        similarity[hit] = scores[order][at[hit]]
        if not hit.all():
            similarity[~hit] = self.index.reconstruct(candidates[~hit]) @ interest
        return similarity

    def _features(
        self,
        candidates: Positions,
        similarity: npt.NDArray[np.float32],
        taste: npt.NDArray[np.float32],
        current: state.AccountState,
        context: Context,
    ) -> score.Features:
        items = self.items
        by_topic = np.zeros(len(items.topics), dtype=np.float32)  # one value per topic, then one lookup per item
        for topic, value in current.topic_affinity.items():
            if topic in items.topic_code:
                by_topic[items.topic_code[topic]] += value
        for topic in set(context.account.settings.less_of):
            if topic in items.topic_code:
                by_topic[items.topic_code[topic]] -= 4.0
        age_days = (items.newest - items.created_at[candidates]) / 86_400.0
        following = [items.creator_code[c] for c in current.following if c in items.creator_code]
        return score.Features(
            similarity=similarity,
            topic=score.squash_affinity(by_topic[items.topic[candidates]]),
            popularity=items.popularity[candidates],
            freshness=np.power(0.5, age_days / 7.0).astype(np.float32),
            following=np.isin(items.creator[candidates], following).astype(np.float32),
            collaborative=(self.factors[candidates] @ taste).astype(np.float32),
        )

    def account_factors(self, current: state.AccountState) -> npt.NDArray[np.float32]:
        """The account's ALS vector, folded in from its interactions (zeros if there are none)."""
        known = [(self.items.position[v], c) for v, c in current.interactions.items() if v in self.items.position]
        if not known or not self.gram.any():
            return np.zeros(self.factors.shape[1], dtype=np.float32)
        positions, confidences = zip(*known, strict=True)
        return score.fold_in(
            self.factors[list(positions)],
            np.asarray(confidences, dtype=np.float32),
            self.gram,
            regularization=vectors.REGULARIZATION,
        )

    def interest_query(self, current: state.AccountState, taste: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """The unit query for the interest source: recent content interests and, where known, ALS taste."""
        content = vectors.normalise(current.interest[: -vectors.FACTORS])
        unit_taste = vectors.normalise(taste)
        has = np.asarray([unit_taste.any()])
        return vectors.normalise(vectors.combine(content[None, :], unit_taste[None, :], has)[0])

    def _sponsored(self, context: Context, current: state.AccountState, page: list[int]) -> list[int]:
        """Ads for the sponsored slots (`ads.choose`): for minors by the neighbouring video, never the profile."""
        rng = self._rng(context.account.id, -current.pages - 1)
        every = self.config.ad_every
        return sponsored_slots.choose(
            self.items, self.index, context.rules, page, every=every, interest=current.interest, rng=rng
        )

    def _withheld(self, query: str, context: Context) -> bool:
        """Whether a search is unsafe for this account: answered with help, and learned from not at all."""
        return context.band in policy_rules.MINOR_BANDS and context.rules.help_on_sensitive_search and _sensitive(query)

    def _count(self, context: Context, protection: str, amount: int) -> None:
        if amount:
            self.protections[(context.account.region, context.band.value, protection)] += amount

    def _rng(self, account_id: str, page: int) -> np.random.Generator:
        digest = hashlib.blake2b(f"{self.config.seed}:{account_id}:{page}".encode(), digest_size=8).digest()
        return np.random.default_rng(int.from_bytes(digest, "little"))

    def _page(
        self,
        context: Context,
        current: state.AccountState,
        cursor: str,
        ids: tuple[str, ...],
        next_cursor: str,
        found_by: dict[int, str],
        scored: dict[int, Scored],
        ads: frozenset[int],
    ) -> model.Page:
        items = self.items
        videos = self._videos(ids)
        positions = [items.position[i] for i in ids]
        scored = self._score_missing(context, current, positions, scored)
        page_items = []
        for video_id, position in zip(ids, positions, strict=True):
            relevance_of, similarity, topic_affinity, followed = scored[position]
            sponsored = position in ads
            source = "sponsored" if sponsored else found_by.get(position, "interest")
            page_items.append(
                model.FeedItem(
                    video=videos[video_id],
                    score=relevance_of,
                    source=source,
                    reasons=explain.reasons(
                        source=source,
                        topic=items.topic_of(position),
                        region=context.account.region,
                        similarity=similarity,
                        topic_affinity=topic_affinity,
                        followed=followed,
                        personalised=context.personalised,
                        targeting=context.rules.ad_targeting.value,
                    ),
                    notes=self._notes(context, position),
                    sponsored=sponsored,
                )
            )
        needs_help = context.rules.content_notes and any(int(items.theme[p]) in HELP_THEME_CODES for p in positions)
        return model.Page(
            context.account.id,
            tuple(page_items),
            cursor,
            next_cursor,
            help=help_lines.lines_for(context.account.region) if needs_help else (),
            personalised=context.personalised,
        )

    def _score_missing(
        self, context: Context, current: state.AccountState, positions: Sequence[int], scored: dict[int, Scored]
    ) -> dict[int, Scored]:
        """`scored` with the positions it lacks (ads, a page served before decisions were kept) scored now."""
        unscored = [p for p in positions if p not in scored]
        if not unscored:
            return scored
        taste = self.account_factors(current)
        interest = self.interest_query(current, taste)
        at = np.asarray(unscored, dtype=np.int64)
        features = self._features(at, self._similarity(at, interest), taste, current, context)
        relevance = score.relevance(features, self.config.weights)
        return scored | {p: _scored(features, relevance, row) for row, p in enumerate(unscored)}

    def _videos(self, ids: Sequence[str]) -> dict[str, model.Video]:
        """Full videos for a page, from the catalog in memory (no trip to the store), through a cache."""
        cache = self._video_cache
        found = {}
        for video_id in ids:
            video = cache.get(video_id)
            if video is None:
                video = self.items.video(self.items.position[video_id])
            else:
                cache.move_to_end(video_id)  # least recently used goes first
            found[video_id] = cache[video_id] = video
        while len(cache) > VIDEO_CACHE_SIZE:
            cache.popitem(last=False)
        return found

    def _notes(self, context: Context, position: int) -> tuple[str, ...]:
        if not context.rules.content_notes or not self.flags[context.band].sensitive[position]:
            return ()
        notes = [CONTENT_NOTE]
        supportive = catalog_items.HARM_CODES[model.Harm.SUPPORTIVE]
        if self.items.verified[position] and int(self.items.harm[position]) == supportive:
            notes.append(VERIFIED_NOTE)
        return tuple(notes)

    # -- search ----------------------------------------------------------

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
        lines = (
            help_lines.lines_for(context.account.region) if _sensitive(query) and context.rules.content_notes else ()
        )
        if self._withheld(query, context):
            self.record([event])  # logged, but it teaches the feed nothing (`_learn` sees to it)
            self._count(context, "search_withheld", 1)
            return model.SearchResult(videos=(), help=lines, withheld=True)
        self.record([event])
        terms = {term.lstrip("#").lower() for term in query.split() if term.strip("#")}
        _, found = self.index.search(self.query_vector(query)[None, :], min(max(10 * n, 200), len(self.items)))
        positions = np.asarray([p for p in found[0].tolist() if p >= 0], dtype=np.int64)
        current = self.account_state(account_id)
        positions = positions[self._eligible(positions, current, context, unseen_only=False)]  # seen ones too

        def lexical(position: int) -> int:
            words = set(self.items.hashtags[position]) | set(self.items.page.captions[position].lower().split())
            return len(terms & words)

        ranked = sorted(positions.tolist(), key=lambda p: -lexical(p))[:n]  # stable: vector order breaks ties
        return model.SearchResult(videos=tuple(self.store.videos([self.items.ids[p] for p in ranked])), help=lines)


Scored = tuple[float, float, float, bool]  # relevance, similarity, topic affinity, followed


def _scored(features: score.Features, relevance: npt.NDArray[np.float32], row: int) -> Scored:
    return (
        float(relevance[row]),
        float(features.similarity[row]),
        float(features.topic[row]),
        bool(features.following[row]),
    )


def first_found(found: Sequence[Positions]) -> tuple[Positions, npt.NDArray[np.int64]]:
    """Each position once, in the order first found, with the index of the source that found it first.

    >>> [a.tolist() for a in first_found([np.array([5, 3]), np.array([3, 7])])]
    [[5, 3, 7], [0, 0, 1]]
    """
    if not found:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    every = np.concatenate(found).astype(np.int64)
    origin = np.repeat(np.arange(len(found), dtype=np.int64), [len(f) for f in found])
    _, first = np.unique(every, return_index=True)
    first.sort()
    return every[first], origin[first]


def _sensitive(query: str) -> bool:
    """A search about suicide, self-harm or eating disorders (the themes with help lines)."""
    themes = {theme.value for theme in help_lines.HELP_THEMES}
    return any(match.kind == "theme" and match.name in themes for match in lexicon.match(query))


def build(
    store: repository.Store,
    *,
    policy: policy_rules.Policy | None = None,
    config: EngineConfig = EngineConfig(),
    exact_below: int = 20_000,
    resolve: Resolve = as_stored,
    partial: bool = False,
) -> Engine:
    """An engine over everything the store holds, under a policy (SafeFeed's default if none is given).

    `partial=True` builds over the videos that have vectors so far (a catalog still being
    embedded: the rest join at a later build); otherwise a video without one is an error.
    """
    missing = store.video_ids_without_vectors()
    if missing and not (partial and store.count_vectors()):
        raise repository.UnknownVideo(
            f"{len(missing)} videos have no vectors yet (e.g. {missing[0]!r}); run `safefeed train` first"
        )
    loaded = vectors.load(store)
    first: list[model.Video] = []  # the first videos also seed the page cache

    def stored() -> Iterator[model.Video]:
        if not missing:
            yield from store.iter_videos()
            return
        for start in range(0, len(loaded.ids), 5000):  # only those embedded so far, still in id order
            yield from store.videos(loaded.ids[start : start + 5000])

    def streamed() -> Iterator[model.Video]:
        for video in stored():  # in id order, like the vectors
            if len(first) < VIDEO_CACHE_SIZE:
                first.append(video)
            yield video

    catalog = catalog_items.build(streamed(), store.creators())
    assert catalog.ids == loaded.ids, "every video has exactly one vector row"
    index = vector_index.FaissIndex(vectors.DIMENSIONS, exact_below=exact_below, seed=config.seed)
    index.build(loaded.combined)
    return Engine(
        store,
        catalog,
        index,
        loaded.factors,
        policy=policy or policy_rules.built_in("default"),
        config=config,
        videos=first,
        resolve=resolve,
    )
