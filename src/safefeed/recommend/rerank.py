"""Re-ranking: turn candidates ordered by relevance into a page.

Pure functions over arrays. Each takes the recent history (what the account
was shown last, across page boundaries) so that windows carry over infinite
scroll. Diversity here is a preference: when the catalog cannot satisfy it,
the best remaining candidates fill the page.
"""

from __future__ import annotations

import dataclasses
from collections import Counter, deque
from collections.abc import Container, Sequence

import numpy as np
import numpy.typing as npt

Positions = npt.NDArray[np.int64]


def diversify(
    ranked: Positions,
    creator: npt.NDArray[np.int32],
    topic: npt.NDArray[np.int32],
    n: int,
    *,
    history_creators: Sequence[int] = (),
    history_topics: Sequence[int] = (),
    creator_window: int = 6,
    topic_window: int = 8,
    topic_cap: int = 3,
) -> list[int]:
    """Pick n of `ranked` (best first): no creator twice within `creator_window`
    consecutive items, no topic more than `topic_cap` times within `topic_window`.

    >>> diversify(np.array([0, 1, 2]), np.array([7, 7, 8]), np.array([0, 0, 0]), 2)
    [0, 2]
    """
    chosen: list[int] = []
    skipped: list[int] = []
    # The last (window - 1) creators and topics, with counts, so each check is O(1).
    creators: deque[int] = deque(
        history_creators[-(creator_window - 1) :] if creator_window > 1 else (), maxlen=max(creator_window - 1, 0)
    )
    topics: deque[int] = deque(
        history_topics[-(topic_window - 1) :] if topic_window > 1 else (), maxlen=max(topic_window - 1, 0)
    )
    creator_counts, topic_counts = Counter(creators), Counter(topics)
    for position, item_creator, item_topic in zip(
        ranked.tolist(), creator[ranked].tolist(), topic[ranked].tolist(), strict=True
    ):
        if len(chosen) == n:
            break
        if creator_counts[item_creator] or topic_counts[item_topic] >= topic_cap:
            skipped.append(position)
            continue
        chosen.append(position)
        for window, counts, value in ((creators, creator_counts, item_creator), (topics, topic_counts, item_topic)):
            if window.maxlen:
                if len(window) == window.maxlen:
                    counts[window[0]] -= 1
                window.append(value)
                counts[value] += 1
    return chosen + skipped[: n - len(chosen)]


def insert_slots(page: list[int], extra: Sequence[int], *, every: int) -> list[int]:
    """Put `extra` items at every `every`-th place of the page (explore, ad slots), keeping its length;
    an extra item already on the page moves to its slot.

    >>> insert_slots([1, 2, 3, 4, 5], [9], every=3)
    [1, 2, 9, 3, 4]
    >>> insert_slots([1, 2, 3, 4, 8, 9], [8, 9], every=2)
    [1, 8, 2, 9, 3, 4]
    """
    if every <= 0:
        return page
    slots = range(every - 1, len(page), every)
    placed = list(dict.fromkeys(extra))[: len(slots)]
    moved = set(placed)
    result = [item for item in page if item not in moved]
    for slot, item in zip(slots, placed, strict=False):
        result.insert(slot, item)
    return result[: len(page)]


@dataclasses.dataclass(frozen=True, slots=True)
class WindowCap:
    """A hard cap: at most `limit` flagged items in any `window` consecutive ones, at most `run` in a row."""

    window: int
    limit: int
    run: int | None
    flagged: Container[int]  # the sensitive items (a set: membership is all a cap asks)


def disperse(ordered: Sequence[int], caps: Sequence[WindowCap], n: int, *, history: Sequence[int] = ()) -> list[int]:
    """The first n items of `ordered` that keep every cap, counting what was served before (`history`).

    Unlike diversity this is a guarantee: an item that would break a cap is
    left out, whatever it costs the page. Checking the window that ends at each
    new item suffices, because every earlier window was checked when it ended.

    >>> sad = WindowCap(window=3, limit=1, run=1, flagged=range(10, 100))
    >>> disperse([10, 11, 1, 12, 2, 3], [sad], 5, history=[])
    [10, 1, 2, 11, 3]
    """
    sequence = list(history)
    chosen: list[int] = []
    deferred: list[int] = []  # flagged items that did not fit yet, best first
    upcoming = iter(ordered)
    while len(chosen) < n:
        # The best item that fits now: a deferred one (they rank higher) or the next in order.
        pick = next((item for item in deferred if all(_fits(sequence, item, cap) for cap in caps)), None)
        if pick is not None:
            deferred.remove(pick)
        else:
            for item in upcoming:
                if all(_fits(sequence, item, cap) for cap in caps):
                    pick = item
                    break
                deferred.append(item)
            if pick is None:
                break
        chosen.append(pick)
        sequence.append(pick)
    return chosen


def fits(sequence: Sequence[int], item: int, caps: Sequence[WindowCap]) -> bool:
    """Whether `item` may follow `sequence` under every cap."""
    return all(_fits(sequence, item, cap) for cap in caps)


def _fits(sequence: Sequence[int], item: int, cap: WindowCap) -> bool:
    flagged = cap.flagged
    if item not in flagged:
        return True
    recent = sequence[max(0, len(sequence) - (cap.window - 1)) :] if cap.window > 1 else []
    if sum(1 for earlier in recent if earlier in flagged) + 1 > cap.limit:
        return False
    if cap.run is not None:
        streak = 0
        for earlier in reversed(sequence):
            if earlier not in flagged:
                break
            streak += 1
        if streak + 1 > cap.run:
            return False
    return True
