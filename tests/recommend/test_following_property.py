"""For every catalog and follow set: the Following tab holds only followed creators' videos, newest first."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import cast

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from safefeed import model
from safefeed.policy import rules
from safefeed.recommend import context as policy_context
from safefeed.recommend import following, rank, score, sensitivity, state
from safefeed.recommend import index as vector_index
from safefeed.recommend import items as catalog_items
from tests.recommend.conftest import EVERYDAY, T0, classified

CREATORS = [f"c{n}" for n in range(6)]
POLICY = rules.built_in("default")


@st.composite
def catalogs(draw: st.DrawFn) -> list[model.Video]:
    count = draw(st.integers(0, 40))
    videos = []
    for number in range(count):
        sad = draw(st.booleans())
        videos.append(
            model.Video(
                id=f"v{draw(st.integers(0, 999)):03d}-{number}",
                creator_id=draw(st.sampled_from(CREATORS)),
                caption="a video",
                hashtags=("tag",),
                duration_s=30,
                # Few distinct times: many ties, which the video id must order.
                created_at=T0 - dt.timedelta(hours=draw(st.integers(0, 8))),
                counters=model.Counters(views=draw(st.integers(0, 10_000))),
                topic="sad" if sad else "everyday",
                label=classified(model.Theme.SADNESS_DEPRESSION, model.Harm.NEUTRAL) if sad else EVERYDAY,
            )
        )
    return videos


def parts_for(items: catalog_items.Items) -> rank.Parts:
    """What the Following tab reads: the catalog, the band's flags (the labels as they are), the policy."""
    nothing = np.zeros(len(items), dtype=np.bool_)
    flags = {
        band: sensitivity.BandFlags(
            sensitive=items.mh.copy(),
            harmful=nothing,
            unclassified=nothing,
            held=nothing,
            evidence=items.mh.astype(np.float32),
        )
        for band in model.AgeBand
    }
    factors = np.zeros((len(items), 2), dtype=np.float32)
    # The index and factors are for ranking; the Following tab ranks nothing and never reads them.
    index = cast(vector_index.VectorIndex, None)
    return rank.Parts(items, index, factors, factors.T @ factors, flags, POLICY.bands, score.Weights(), 80, 400)


@settings(max_examples=80, deadline=None)
@given(
    videos=catalogs(),
    followed=st.sets(st.sampled_from([*CREATORS, "nobody"])),
    birth_year=st.sampled_from([1990, 2008, 2012]),
    n=st.integers(1, 7),
)
def test_following_pages_hold_only_followed_creators_newest_first(
    videos: list[model.Video], followed: set[str], birth_year: int, n: int
) -> None:
    items = catalog_items.build(videos)
    parts = parts_for(items)
    account = model.Account("a", birth_year=birth_year)
    context = policy_context.decide(POLICY, account, T0)
    current = state.AccountState.empty(8)
    current.following = set(followed)
    shown: list[int] = []
    after: following.Key | None = None
    for _ in range(len(videos) + 2):
        chosen = following.page(parts, context, current, after=after, n=n)
        assert len(chosen.positions) <= n
        if not chosen.positions:
            break
        shown += chosen.positions
        after = chosen.last
    else:
        raise AssertionError("scrolling never ended")
    assert all(items.creators[items.creator[p]] in followed for p in shown)
    times = [float(items.created_at[p]) for p in shown]
    assert all(a >= b for a, b in itertools.pairwise(times))
    assert len(set(shown)) == len(shown)
    if context.band is model.AgeBand.ADULT:  # no caps: every followed creator's video, each once
        assert sorted(shown) == sorted(p for p in range(len(items)) if items.creators[items.creator[p]] in followed)
