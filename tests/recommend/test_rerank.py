"""Re-ranking contracts: outputs are subsets of inputs, and hard caps hold for every input."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from safefeed.recommend import rerank

SENSITIVE = frozenset(range(0, 1000, 7)) | frozenset(range(3, 1000, 11))
flagged = SENSITIVE

caps_strategy = st.builds(
    lambda window, limit, run: rerank.WindowCap(window, min(limit, window), run, flagged),
    window=st.integers(1, 30),
    limit=st.integers(0, 5),
    run=st.none() | st.integers(1, 3),
)
orders = st.lists(st.integers(0, 999), unique=True, max_size=120)


def violations(sequence: Sequence[int], cap: rerank.WindowCap, *, start: int) -> list[int]:
    """Positions i >= start where the window or run ending at i breaks the cap."""
    bad = []
    for i in range(start, len(sequence)):
        window = sequence[max(0, i - cap.window + 1) : i + 1]
        run = 0
        for item in reversed(sequence[: i + 1]):
            if item not in cap.flagged:
                break
            run += 1
        if sum(item in cap.flagged for item in window) > cap.limit or (cap.run is not None and run > cap.run):
            bad.append(i)
    return bad


def check_reranker_output(output: Sequence[int], ordered: Sequence[int], n: int) -> None:
    assert len(output) <= n
    assert len(set(output)) == len(output)
    assert set(output) <= set(ordered)


@settings(max_examples=300, deadline=None)
@given(
    ordered=orders,
    caps=st.lists(caps_strategy, min_size=1, max_size=3),
    n=st.integers(1, 40),
    seed=st.integers(),
)
def test_disperse_keeps_every_cap_for_any_candidates(
    ordered: list[int], caps: list[rerank.WindowCap], n: int, seed: int
) -> None:
    # A history that itself keeps the caps (what an earlier page of this feed left).
    rng = np.random.default_rng(seed % 2**32)
    history = rerank.disperse(rng.permutation(1000).tolist()[:60], caps, 30)
    page = rerank.disperse(ordered, caps, n, history=history)
    check_reranker_output(page, ordered, n)
    for cap in caps:
        assert violations(history + page, cap, start=len(history)) == []
    assert page == rerank.disperse(ordered, caps, n, history=history)  # deterministic


@settings(max_examples=150, deadline=None)
@given(ordered=orders, caps=st.lists(caps_strategy, min_size=1, max_size=3), pages=st.integers(2, 6))
def test_caps_hold_across_page_boundaries(ordered: list[int], caps: list[rerank.WindowCap], pages: int) -> None:
    served: list[int] = []
    remaining = list(ordered)
    for _ in range(pages):  # infinite scroll: each page carries the served history into the next
        page = rerank.disperse(remaining, caps, 7, history=served)
        served += page
        remaining = [item for item in remaining if item not in page]
    for cap in caps:
        assert violations(served, cap, start=0) == []


def test_without_history_a_cap_breaks_at_the_page_boundary() -> None:
    # Why the history matters. Cap: at most 1 sensitive in any 3, never 2 in a row;
    # 7 and 14 are sensitive, 1, 2, 4, 5 are not. Page 1 is [1, 2, 7]. A page 2
    # ranked [14, 4, 5] that forgets page 1 starts with 14 right after 7: broken.
    # Remembering page 1, 14 waits until two ordinary items have passed: [4, 5, 14].
    cap = rerank.WindowCap(window=3, limit=1, run=1, flagged=flagged)
    first = rerank.disperse([1, 2, 7], [cap], 3)
    assert first == [1, 2, 7]
    forgetful = rerank.disperse([14, 4, 5], [cap], 3)
    assert violations(first + forgetful, cap, start=0) == [3, 4]  # windows [2, 7, 14] and [7, 14, 4]
    remembering = rerank.disperse([14, 4, 5], [cap], 3, history=first)
    assert remembering == [4, 5, 14]
    assert violations(first + remembering, cap, start=0) == []


@settings(max_examples=200, deadline=None)
@given(ordered=orders, n=st.integers(1, 40), window=st.integers(1, 8), topic_cap=st.integers(1, 5))
def test_diversify_returns_a_subset_and_prefers_variety(
    ordered: list[int], n: int, window: int, topic_cap: int
) -> None:
    creators = np.arange(1000, dtype=np.int32) % 13
    topics = np.arange(1000, dtype=np.int32) % 5
    ranked = np.asarray(ordered, dtype=np.int64)
    page = rerank.diversify(ranked, creators, topics, n, creator_window=window, topic_cap=topic_cap)
    check_reranker_output(page, ordered, n)
    assert len(page) == min(n, len(ordered))  # a preference, never an empty page


@given(
    page=st.lists(st.integers(0, 50), unique=True, max_size=30),
    extra=orders,
    every=st.integers(0, 10),
    from_page=st.booleans(),
)
def test_insert_slots_fills_every_slot_and_keeps_the_page_length(
    page: list[int], extra: list[int], every: int, from_page: bool
) -> None:
    if from_page:  # as for explore: the extra items are at the end of the page already
        extra = page[len(page) // 2 :] + extra
    result = rerank.insert_slots(page, extra, every=every)
    assert len(result) == len(page)
    assert len(set(result)) == len(result)
    if every == 0:
        assert result == page
        return
    slots = range(every - 1, len(page), every)
    wanted = list(dict.fromkeys(extra))[: len(slots)]
    # Extra items take the slots in order, even those already on the page (explore candidates are)...
    assert [result[slot] for slot in slots[: len(wanted)]] == wanted
    # ...and the rest of the page keeps its order.
    rest = [item for item in result if item not in wanted]
    assert rest == [item for item in page if item not in wanted][: len(rest)]
