"""Cursors of an infinite feed, and the ranking decisions that let a retried one come back exactly.

A cursor names a place in the account's event log (its newest impression
when the page was asked for), so any instance can answer it. The page first
served for it is kept as decisions (each item's source, score and sponsored
mark), in the account's state and in the store (`store.pages`): a retry, here,
elsewhere or after a restart, is that page again, not a re-assembly of its ids.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json

from safefeed.store import pages, repository

Scored = tuple[float, float, float, bool]  # relevance, similarity, topic affinity, followed


class InvalidCursor(ValueError):
    """The cursor was not issued to this account by this feed."""


def encode(account_id: str, after: int) -> str:
    """A cursor for the page that follows the account's impression number `after` in the event log.

    >>> decode("a", encode("a", 41))
    41
    """
    return base64.urlsafe_b64encode(f"{account_id}\x1f@{after}".encode()).decode().rstrip("=")


def decode(account_id: str, cursor: str) -> int | None:
    """The log position a cursor stands for (None for a cursor of the older page-number kind);
    refuses cursors of other accounts."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        owner, place = raw.split("\x1f")
        after = int(place.removeprefix("@"))
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise InvalidCursor(f"cursor {cursor!r} is not one this feed issued; omit it to start a new page") from error
    if owner != account_id:
        raise InvalidCursor("that cursor belongs to another account; omit it to start a new page")
    return after if place.startswith("@") else None


@dataclasses.dataclass(frozen=True, slots=True)
class Decided:
    """What the ranking decided for one item of a page."""

    video_id: str
    source: str  # the candidate source that found it, or "sponsored"
    sponsored: bool
    scored: Scored


@dataclasses.dataclass(frozen=True, slots=True)
class Served:
    """A page as served: the cursor it answered, the next one, and its items' decisions in order."""

    cursor: str
    next_cursor: str
    items: tuple[Decided, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(item.video_id for item in self.items)

    def dumps(self) -> str:
        rows = [[i.video_id, i.source, i.sponsored, *i.scored] for i in self.items]
        return json.dumps({"cursor": self.cursor, "next": self.next_cursor, "items": rows}, separators=(",", ":"))

    @staticmethod
    def loads(text: str) -> Served:
        data = json.loads(text)
        items = tuple(
            Decided(str(video), str(source), bool(sponsored), (float(rel), float(sim), float(aff), bool(followed)))
            for video, source, sponsored, rel, sim, aff, followed in data["items"]
        )
        return Served(str(data["cursor"]), str(data["next"]), items)


def row(account_id: str, served: Served) -> tuple[int, str] | None:
    """What `store.pages` keeps for a new page: its decisions under the log position its cursor stands for
    (None for a cursor of the older page-number kind)."""
    after = decode(account_id, served.cursor)
    return None if after is None else (after, served.dumps())


def keep(store: repository.Store, account_id: str, served: Served) -> None:
    """Store a page's decisions on their own (`store.pages.append_page` does it with the impressions)."""
    kept = row(account_id, served)
    if kept is not None:
        pages.put(store, account_id, *kept)


def recall(store: repository.Store, account_id: str, cursor: str) -> Served | None:
    """The page first served for this cursor, wherever it was served (None: not served yet, or before
    decisions were kept)."""
    after = decode(account_id, cursor)
    if after is None:
        return None
    text = pages.get(store, account_id, after)
    if text is None:
        return None
    served = Served.loads(text)
    return served if served.cursor == cursor else None
