"""Candidate sources: without profiling (DSA Art. 38) nothing learned about the account steers them."""

from __future__ import annotations

import numpy as np

from safefeed.recommend import feed, sources, state, vectors


def request(current: state.AccountState, *, personalised: bool) -> sources.Request:
    return sources.Request(
        state=current,
        interest=np.zeros(vectors.DIMENSIONS, np.float32),
        region="KE",
        chosen_topics=(),
        rng=np.random.default_rng(7),
        personalised=personalised,
    )


def test_explore_reads_learned_topics_only_when_the_feed_is_personalised(engine: feed.Engine) -> None:
    explore = sources.Explore(engine.items)
    learned = state.AccountState.empty(vectors.DIMENSIONS)
    learned.topic_affinity.update({"pets": 5.0, "food": 3.0, "gaming": 1.0})
    blank = state.AccountState.empty(vectors.DIMENSIONS)
    topics = engine.items.topic
    pets = engine.items.topic_code["pets"]

    unprofiled = explore.candidates(request(learned, personalised=False), 100)
    assert unprofiled.tolist() == explore.candidates(request(blank, personalised=False), 100).tolist()
    assert (topics[unprofiled] == pets).any(), "a feed not based on profiling does not steer away from them"
    profiled = explore.candidates(request(learned, personalised=True), 100)
    assert not (topics[profiled] == pets).any(), "explore steers away from the account's usual topics"
