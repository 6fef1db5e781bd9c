"""The logged-out feed: the youngest band's feed without profiling, for a visitor nothing is known about.

A visitor may be a child, so the feed is the youngest band's (`model.AgeBand.U16`,
as for an account without a birth date) with every protection of that band, and
it is not personalised: nothing is learned, and nothing about the visitor is
stored. The cursor carries all that paging needs: the visit's seed and how far
it has scrolled. The seed is drawn from nothing about the visitor: the engine's
seed, the region asked for and the hour the visit began, so everyone arriving in
the same hour from the same region starts the same walk (an audit reruns it
exactly). The visit's order of videos (a "walk") follows from the seed alone,
ranked a chunk at a time by the same pipeline as any account's page
(`rank.rank`) over a throwaway state that holds only what this walk has already
served (so nothing repeats). Any instance can therefore serve any page,
and the walks kept in memory are only a cache. Each page is checked again
against the catalog as it is now, so a takedown applies to visitors at once.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
import hashlib
import threading
from collections import OrderedDict

import numpy as np

from safefeed import model
from safefeed.recommend import context as policy_context
from safefeed.recommend import cursor as cursors
from safefeed.recommend import engine as engine_module
from safefeed.recommend import page, rank, state, vectors

VISITOR = "visitor"  # the id pages carry: not an account, and the same for every visitor
CHUNK = 20  # a walk is ranked this many items at a time, whatever page size is asked
MAX_ITEMS = 5_000  # a visit ends here (empty pages; a cursor past it is refused): a longer one starts afresh
CACHED_WALKS = 256
_PREFIX = "v1"


@dataclasses.dataclass(slots=True)
class Walk:
    """One visit's order of videos so far, and the throwaway state that keeps it from repeating itself."""

    seed: int
    current: state.AccountState
    positions: list[int] = dataclasses.field(default_factory=list)
    found_by: dict[int, str] = dataclasses.field(default_factory=dict)
    scored: dict[int, rank.Scored] = dataclasses.field(default_factory=dict)
    ended: bool = False


def encode(seed: int, offset: int) -> str:
    """A visitor's cursor: the visit's seed and how many items it has scrolled.

    >>> decode(encode(12345, 40))
    (12345, 40)
    """
    return base64.urlsafe_b64encode(f"{_PREFIX}:{seed:x}:{offset}".encode()).decode().rstrip("=")


def decode(cursor: str) -> tuple[int, int]:
    """(seed, offset) from a visitor's cursor; refuses anything else with a message saying what to do."""
    try:
        prefix, seed, offset = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().split(":")
        found = int(seed, 16), int(offset)
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise cursors.InvalidCursor(
            f"cursor {cursor!r} is not a visitor cursor this feed issued; omit it to start a new visit"
        ) from error
    if prefix != _PREFIX or not 0 <= found[1] <= MAX_ITEMS or found[0] < 0:
        raise cursors.InvalidCursor(f"cursor {cursor!r} is out of range; omit it to start a new visit")
    return found


def visit_seed(engine: engine_module.Engine, region: str, now: dt.datetime) -> int:
    """The seed of a visit that begins at `now`: the same for every visitor from `region` that hour."""
    hour = now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H")
    digest = hashlib.blake2b(f"{engine.config.seed}:visit:{region}:{hour}".encode(), digest_size=6).digest()
    return int.from_bytes(digest, "little")


def visitor_context(engine: engine_module.Engine, region: str, moment: dt.datetime) -> policy_context.Context:
    """The youngest band's rules (no birth date), never personalised: a visitor has given no consent."""
    account = model.Account(VISITOR, birth_year=None, region=region)
    return dataclasses.replace(engine.context(account, moment), personalised=False)


class Visitors:
    """Pages of the logged-out feed over an engine; holds nothing about any visitor but a cache of walks."""

    def __init__(self, engine: engine_module.Engine, *, cached: int = CACHED_WALKS) -> None:
        self.engine = engine
        self.cached = cached
        self._walks: OrderedDict[tuple[int, str], Walk] = OrderedDict()
        self._lock = threading.Lock()

    def page(self, *, n: int, cursor: str | None, region: str, now: dt.datetime) -> model.Page:
        """The next n items of the visit the cursor names (a new visit without one)."""
        engine = self.engine
        if not 1 <= n <= engine.config.max_page:
            raise ValueError(f"n must be between 1 and {engine.config.max_page}, got {n}")
        seed, offset = decode(cursor) if cursor is not None else (visit_seed(engine, region, now), 0)
        context = visitor_context(engine, region, now)
        asked = cursor if cursor is not None else encode(seed, 0)
        with self._lock, engine.lock:
            walk = self._walk(seed, region)
            upto = min(offset + n, MAX_ITEMS)  # at the end of a visit the pages are empty
            extend(engine, walk, context, upto)
            chunk = walk.positions[offset:upto]
            # Checked again now: a video taken down since the walk was ranked is not served.
            keep = rank.eligible(engine.parts, np.asarray(chunk, np.int64), walk.current, context, unseen_only=False)
            shown = [p for p, ok in zip(chunk, keep.keep.tolist(), strict=True) if ok]
            plan = page.Plan(
                asked,
                tuple(engine.items.ids[p] for p in shown),
                encode(seed, min(offset + len(chunk), MAX_ITEMS)),
                {p: walk.found_by[p] for p in shown},
                {p: walk.scored[p] for p in shown},
                frozenset(),
            )
            return page.assemble(engine.items, engine.flags[context.band], engine.videos, context, plan, plan.scored)

    def _walk(self, seed: int, region: str) -> Walk:
        key = (seed, region)
        walk = self._walks.get(key)
        if walk is None:
            walk = self._walks[key] = Walk(seed, state.AccountState.empty(vectors.DIMENSIONS))
        self._walks.move_to_end(key)
        while len(self._walks) > self.cached:
            self._walks.popitem(last=False)
        return walk


def extend(engine: engine_module.Engine, walk: Walk, context: policy_context.Context, upto: int) -> None:
    """Rank the walk on, a chunk at a time, until it holds `upto` items (or the catalog has no more)."""
    active = rank.active(engine.sources, "for_you", stem=engine.stem, support=engine.support, personalised=False)
    signals = engine.config.signals
    while len(walk.positions) < upto and not walk.ended:
        chunk = len(walk.positions) // CHUNK
        digest = hashlib.blake2b(f"{engine.config.seed}:visitor:{walk.seed}:{chunk}".encode(), digest_size=8)
        rng = np.random.default_rng(int.from_bytes(digest.digest(), "little"))
        ranked = rank.rank(engine.parts, context, walk.current, active, n=CHUNK, tab="for_you", rng=rng)
        if not ranked.page:
            walk.ended = True
            break
        ids = [engine.items.ids[p] for p in ranked.page]
        walk.positions.extend(ranked.page)
        walk.found_by.update(ranked.found_by)
        walk.scored.update(ranked.scored)
        walk.current.mark_seen(ids, 0.0, signals)
        walk.current.served.extend(ids)
