from __future__ import annotations

import pickle

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from safefeed.recommend import state

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


def test_a_snapshot_from_before_seen_existed_still_loads() -> None:
    old = state.AccountState.empty(4)
    old.seen = {"a": 1.0, "b": 2.0}  # type: ignore[assignment]  # how snapshots held it before
    loaded = state.AccountState.loads(pickle.dumps(old))
    assert isinstance(loaded.seen, state.Seen) and "a" in loaded.seen and "c" not in loaded.seen
