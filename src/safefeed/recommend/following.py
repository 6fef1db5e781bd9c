"""The Following tab: the videos of the creators an account follows, newest first, and nothing else.

No ranking signal enters it (no interests, popularity, freshness score or learned
affinity): the order is the creation time, ties broken by video id, so a cursor
names a place in that order and the same cursor gives the same page, however
many videos are posted meanwhile (New York's SAFE for Kids Act and California's
SB 976 ask for followed sources in a fixed, chronological order for minors
without a guardian's consent). What the band may see still decides what is in
it: `eligibility` as for every tab (harm and enforcement, the minors' holds,
blocks, filters), seen or not; and a minor's dispersion caps hold back (never
move) a sensitive video that would break them, so the order stays the clock's.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
from collections import Counter
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from safefeed import model
from safefeed.recommend import context as policy_context
from safefeed.recommend import cursor as cursors
from safefeed.recommend import items as catalog_items
from safefeed.recommend import page as pages
from safefeed.recommend import rank, rerank, state

if TYPE_CHECKING:
    from safefeed.recommend import engine

Positions = npt.NDArray[np.int64]
Key = tuple[float, str]  # (created_at, video id): a place in the tab's order
MARK = "~"  # after the account id: a Following cursor (a For You one has "@")
EMPTY = "Nothing here yet: follow creators to fill this tab. It shows their videos, newest first."
TOP: Key = (float("inf"), "")  # the place before the newest video
UNRANKED: cursors.Scored = (0.0, 0.0, 0.0, True)  # no relevance, similarity or affinity; followed


@dataclasses.dataclass(frozen=True, slots=True)
class Chosen:
    """A Following page: its positions in order, the place after its last one, what the holds took."""

    positions: list[int]
    last: Key | None
    counts: Counter[str]


def encode(account_id: str, key: Key) -> str:
    """A cursor for the videos after `key` in the account's Following order.

    >>> decode("a", encode("a", (1.5, "v1")))
    (1.5, 'v1')
    """
    created, video_id = key
    return base64.urlsafe_b64encode(f"{account_id}\x1f{MARK}{created!r}\x1f{video_id}".encode()).decode().rstrip("=")


def decode(account_id: str, cursor: str) -> Key:
    """The place a Following cursor names; refuses another tab's cursor and other accounts' cursors."""
    try:
        owner, place, video_id = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().split("\x1f")
        if not place.startswith(MARK):
            raise ValueError(place)
        created = float(place.removeprefix(MARK))
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise cursors.InvalidCursor(
            f"cursor {cursor!r} is not one the Following tab issued; omit it to start from the newest"
        ) from error
    if owner != account_id:
        raise cursors.InvalidCursor("that cursor belongs to another account; omit it to start a new page")
    return created, video_id


def is_cursor(cursor: str) -> bool:
    """Whether a cursor is of the Following kind (`decode` checks it in full)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return False
    return raw.count("\x1f") == 2 and raw.split("\x1f")[1].startswith(MARK)


def ordered(items: catalog_items.Items, following: set[str]) -> Positions:
    """Every video of the followed creators, newest first, ties by video id: the tab's whole order."""
    codes = items.creator_code
    groups = [items.by_creator[codes[creator]] for creator in following if creator in codes]
    if not groups:
        return np.zeros(0, dtype=np.int64)
    found = np.concatenate(groups).astype(np.int64)
    ids = np.asarray([items.ids[p] for p in found.tolist()], dtype=object)
    return found[np.lexsort((ids, -items.created_at[found]))]


def start(items: catalog_items.Items, order: Positions, after: Key | None) -> int:
    """Where the videos after `after` begin in `order` (0 from the top)."""
    if after is None:
        return 0
    created, video_id = after
    times = items.created_at[order]
    first = int(np.searchsorted(-times, -created, side="left"))  # the first as old as `after` or older
    while first < len(order) and times[first] == created and items.ids[order[first]] <= video_id:
        first += 1
    return first


def page(
    parts: rank.Parts,
    context: policy_context.Context,
    current: state.AccountState,
    *,
    after: Key | None,
    n: int,
) -> Chosen:
    """The next n videos of the tab after `after`, as the band may see them."""
    items = parts.items
    order = ordered(items, current.following)
    at = start(items, order, after)
    caps = rank.caps(parts, context, context.rules.dispersion, order.tolist()) if _capped(context) else []
    # What showed above the cursor, walked from the top (held videos are not in it), so a cap holds across
    # pages exactly as within one, whatever page sizes the client asked for.
    history = _shown(parts, context, current, order[:at], caps) if caps else []
    counts: Counter[str] = Counter()
    chosen: list[int] = []
    step = 4 * n
    while len(chosen) < n and at < len(order):
        chunk = order[at : at + step]
        verdict = rank.eligible(parts, chunk, current, context, unseen_only=False)
        began = at
        for position, keep in zip(chunk.tolist(), verdict.keep.tolist(), strict=True):
            at += 1
            if not keep:
                continue
            if caps and not rerank.fits(history, position, caps):
                counts["following_held_by_caps"] += 1
                continue
            chosen.append(position)
            history.append(position)
            if len(chosen) == n:
                break
        if at - began < len(chunk):  # what the protections took counts only up to where the page ends
            verdict = rank.eligible(parts, chunk[: at - began], current, context, unseen_only=False)
        counts.update(verdict.counts)
    last = (float(items.created_at[order[at - 1]]), items.ids[order[at - 1]]) if at else after
    return Chosen(chosen, last, +counts)


def _capped(context: policy_context.Context) -> bool:
    """Whether the band's dispersion caps hold sensitive videos back here: where it reaches them only by
    chance or choice (minors), a follow is no reason to see more of them in a row."""
    return context.rules.sensitivity.exposure == "explore_slots"


def _shown(
    parts: rank.Parts,
    context: policy_context.Context,
    current: state.AccountState,
    above: Positions,
    caps: list[rerank.WindowCap],
) -> list[int]:
    """The videos of `above` the tab shows (eligible, and within the caps), in order."""
    shown: list[int] = []
    for begin in range(0, len(above), 1024):
        chunk = above[begin : begin + 1024]
        keep = rank.eligible(parts, chunk, current, context, unseen_only=False).keep
        for position in chunk[keep].tolist():
            if rerank.fits(shown, position, caps):
                shown.append(position)
    return shown


def serve(
    feed: engine.Engine,
    context: policy_context.Context,
    *,
    n: int,
    cursor: str | None,
    asked: str,
    moment: dt.datetime,
) -> model.Page:
    """The engine's Following page; its impressions are logged as any page's (`Engine.record`)."""
    account_id = context.account.id
    # A For You cursor held when consent was withdrawn: the Following tab starts from the newest.
    switched = cursor is not None and asked != "following" and not is_cursor(cursor)
    after = None if cursor is None or switched else decode(account_id, cursor)
    with feed.accounts.account_lock(account_id), feed.lock:
        chosen = page(feed.parts, context, feed.accounts.state(account_id, catch_up=True), after=after, n=n)
    feed._count(context, chosen.counts)
    ids = tuple(feed.items.ids[p] for p in chosen.positions)
    if ids:
        feed.record([model.Event(account_id, model.EventKind.IMPRESSION, moment, video_id=i) for i in ids])
    # Past the oldest video the cursor stays where the tab ends: asked again, it answers an empty page.
    next_cursor = encode(account_id, chosen.last or TOP)
    found_by = dict.fromkeys(chosen.positions, "following")
    plan = pages.Plan(encode(account_id, after or TOP), ids, next_cursor, found_by, {}, frozenset())
    scored = dict.fromkeys(chosen.positions, UNRANKED)  # nothing about the account ranks them
    plain = dataclasses.replace(context, personalised=False)  # nothing watched changes this tab
    built = pages.assemble(feed.items, feed.flags[context.band], feed.videos, plain, plan, scored, tab="following")
    reason = policy_context.WITHOUT_CONSENT if asked != "following" else ""
    empty = not ids and after in (None, TOP)
    return dataclasses.replace(built, tab_reason=reason, notice=EMPTY if empty else "")
