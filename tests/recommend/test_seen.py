from __future__ import annotations

import pickle

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from safefeed.recommend import cursor, state

HORIZON = 100.0
VIDEOS = [f"v{number}" for number in range(40)]
UNLIMITED = len(VIDEOS)

marks = st.lists(st.tuples(st.sampled_from(VIDEOS), st.floats(0, 400, allow_nan=False)), max_size=700)


@settings(max_examples=200, deadline=None)
@given(marks)
def test_seen_holds_exactly_what_was_seen_within_the_horizon(sequence: list[tuple[str, float]]) -> None:
    """Against a plain dict: the same videos, whatever the order of times, across merges of its arrays."""
    seen, reference = state.Seen(), dict[str, float]()
    for video_id, at in sequence:
        seen.mark(video_id, at, horizon_s=HORIZON, limit=UNLIMITED)
        reference[video_id] = max(reference.get(video_id, at), at)
        reference = {video: time for video, time in reference.items() if time >= at - HORIZON}
        assert len(seen) == len(reference)
    assert {video for video in VIDEOS if video in seen} == set(reference)
    found = seen.contains(state.id_hashes(VIDEOS))
    assert [VIDEOS[i] for i in np.flatnonzero(found)] == [video for video in VIDEOS if video in reference]
    assert pickle.loads(pickle.dumps(seen)).keys() == seen.keys()


class OftenMerged(state.Seen):
    MERGE_AT = 6


@settings(max_examples=200, deadline=None)
@given(marks, st.integers(0, 15))
def test_seen_keeps_the_newest_within_its_limit(sequence: list[tuple[str, float]], limit: int) -> None:
    """Past the limit it may forget, but only the oldest, and it never holds more than limit + MERGE_AT."""
    seen, reference = OftenMerged(), dict[str, float]()
    for video_id, at in sequence:
        seen.mark(video_id, at, horizon_s=HORIZON, limit=limit)
        reference[video_id] = max(reference.get(video_id, at), at)
        reference = {video: time for video, time in reference.items() if time >= at - HORIZON}
        held = {video for video in reference if video in seen}
        assert held == {video for video in VIDEOS if video in seen}  # nothing it should have forgotten
        assert len(held) <= limit + OftenMerged.MERGE_AT
        times = sorted(reference.values(), reverse=True)
        if limit and times:
            newest = {video for video, time in reference.items() if time > times[min(limit, len(times)) - 1]}
            assert newest <= held, "a newer video was forgotten before an older one"


def test_many_videos_merge_into_sorted_arrays() -> None:
    seen = state.Seen()
    for number in range(3 * state.Seen.MERGE_AT + 5):
        seen.mark(f"video-{number}", float(number), horizon_s=10_000.0, limit=10_000)
    assert len(seen.hashes) == 3 * state.Seen.MERGE_AT and len(seen.recent) == 5
    assert (np.diff(seen.hashes.astype(np.float64)) > 0).all()
    assert "video-0" in seen and "video-770" in seen and "video-9999" not in seen


def test_a_pickled_snapshot_is_refused_never_unpickled() -> None:
    """Snapshots were pickles; unpickling runs code, so an old (or forged) one reads as unreadable: None."""
    old = state.AccountState.empty(4)
    old.seen = {"a": 1.0, "b": 2.0}  # type: ignore[assignment]  # how the oldest snapshots held it
    assert state.AccountState.loads(pickle.dumps(old)) is None
    assert state.AccountState.loads(pickle.dumps(state.AccountState.empty(4))) is None
    assert state.AccountState.loads(b"") is None
    damaged = state.AccountState.empty(4).dumps()
    assert state.AccountState.loads(damaged[: len(damaged) // 2]) is None


def test_a_snapshot_holds_the_whole_state() -> None:
    current = state.AccountState.empty(4)
    current.interest[:] = [0.5, -0.25, 0.0, 1.0]
    signals = state.Signals(seen_limit=10_000)
    for number in range(state.Seen.MERGE_AT + 3):  # some merged into the arrays, the newest few still recent
        current.mark_seen([f"v{number}"], float(number), signals)
    current.updated_at, current.events, current.pages = 12.5, 7, 2
    current.topic_affinity = {"pets": 1.5, "maths": -0.75}
    current.served.extend(["v1", "v2", "v3"])
    current.interactions.update([("v3", 2.0), ("v1", 0.5)])
    current.following, current.blocked_hashtags = {"c1"}, {"sad"}
    current.blocked_videos, current.blocked_creators, current.blocked_topics = {"v9"}, {"c2"}, {"diet"}
    current.last_page = cursor.Served("c", "d", (cursor.Decided("v1", "interest", False, (0.5, 0.25, 0.0, True)),))
    loaded = state.AccountState.loads(current.dumps())
    assert loaded is not None
    assert loaded.interest.dtype == np.float32 and loaded.interest.tolist() == current.interest.tolist()
    assert len(current.seen.recent) == 3 and loaded.seen.recent == current.seen.recent
    assert loaded.seen.hashes.tolist() == current.seen.hashes.tolist()
    assert loaded.seen.times.tolist() == current.seen.times.tolist() and loaded.seen.oldest == current.seen.oldest
    assert list(loaded.interactions.items()) == [("v3", 2.0), ("v1", 0.5)]  # order kept: the oldest go first
    assert loaded.served == current.served and loaded.served.maxlen == state.SERVED_HISTORY
    for name in ("updated_at", "events", "pages", "topic_affinity", "following", "last_page"):
        assert getattr(loaded, name) == getattr(current, name), name
    for name in ("blocked_videos", "blocked_creators", "blocked_hashtags", "blocked_topics"):
        assert getattr(loaded, name) == getattr(current, name), name
    empty = state.AccountState.loads(state.AccountState.empty(4).dumps())
    assert empty is not None and empty.seen.oldest == float("inf") and empty.last_page is None
