"""Likely sensitive: evidence from a label's probability and from what surrounds a video; what a band does."""

from __future__ import annotations

import datetime as dt

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from safefeed import model
from safefeed.policy import rules
from safefeed.recommend import feed, rerank, sensitivity
from safefeed.recommend import index as vector_index
from safefeed.recommend import items as catalog_items
from tests.recommend.conftest import T0

CLASSIFIER, REVIEW = model.LabelSource.CLASSIFIER, model.LabelSource.REVIEW
TEEN = rules.built_in("default").bands[model.AgeBand.U16].sensitivity
ADULT = rules.built_in("default").bands[model.AgeBand.ADULT].sensitivity


def sad(p: float = 0.9, harm: model.Harm = model.Harm.NEUTRAL, source: model.LabelSource = CLASSIFIER) -> model.Label:
    return model.Label(True, model.Theme.SADNESS_DEPRESSION, harm, probability=p, source=source)


def calm(p: float = 0.05, source: model.LabelSource = CLASSIFIER) -> model.Label:
    return model.Label(False, probability=p if source is CLASSIFIER else 1.0, source=source)


def video(number: int, creator: str, tags: tuple[str, ...], label: model.Label | None) -> model.Video:
    return model.Video(f"v{number:02d}", creator, f"caption {number}", tags, 20, T0, label=label)


DIMENSIONS = 16


def unit(*values: float) -> np.ndarray:
    vector = np.zeros(DIMENSIONS, dtype=np.float32)
    vector[: len(values)] = values
    return vector / np.linalg.norm(vector)


def world(videos: list[model.Video], vectors: list[np.ndarray]) -> tuple[catalog_items.Items, vector_index.FaissIndex]:
    items = catalog_items.build(videos)
    index = vector_index.FaissIndex(DIMENSIONS)
    index.build(np.vstack(vectors).astype(np.float32))
    return items, index


def test_evidence_spreads_to_near_videos_and_to_creators_and_hashtags_that_mostly_carry_it() -> None:
    videos = [
        video(0, "sadcam", ("sadedit", "fyp"), sad(0.9)),  # a known sensitive video (a seed)
        video(1, "other", ("fyp",), calm(0.1)),  # the same edit re-uploaded, missed by the classifier
        video(2, "reviewer-cleared", ("fyp",), calm(source=REVIEW)),  # as near, but a reviewer said no
        video(3, "sadcam", ("fyp",), sad(0.8)),
        video(4, "sadcam", ("fyp",), sad(0.7)),
        video(5, "sadcam", ("dance", "fyp"), calm(0.2)),  # 3 of the creator's 4 labelled videos are seeds
        video(6, "a", ("sadedit",), sad(0.9)),
        video(7, "b", ("sadedit",), sad(0.9)),
        video(8, "c", ("sadedit",), calm(0.1)),  # 3 of 5 videos tagged #sadedit are seeds
        video(9, "d", ("sadedit",), calm(0.1)),
        video(10, "e", ("fyp",), calm(0.1)),  # far from everything, #fyp mostly everyday
        video(11, "e", ("fyp",), None),  # not classified yet
    ]
    one_hot = [unit(*([0.0] * n), 1.0) for n in range(3, 12)]  # each far from every other
    vectors = [unit(1, 0), unit(1, 0.1), unit(1, 0.1), *one_hot]
    items, index = world(videos, vectors)
    evidence = sensitivity.build(items, index, propagation=sensitivity.Propagation(neighbours=3, min_similarity=0.9))
    # Worked out: v01 is near v00 (cos 0.995) and lends its 0.9; v05's creator posts 3 seeds in 4 labelled (0.75);
    # v08 and v09 carry #sadedit, 3 seeds in 5 (0.6); #fyp is on 7 labelled videos with 3 seeds (0.43 < 0.5): nothing
    # where creators and hashtags count only when they mostly carry seeds.
    mostly = TEEN.model_copy(update={"creator_hashtag_share": 0.5})
    sensitive = evidence.sensitive(mostly)
    assert sensitive[1] == np.float32(0.9)
    assert sensitive[2] == 0.0  # a reviewer's "no" is not overruled by what surrounds the video
    assert sensitive[5] == np.float32(0.75)
    assert sensitive[8] == np.float32(0.6) and sensitive[9] == np.float32(0.6)
    assert sensitive[10] == np.float32(0.1)
    flags = sensitivity.flags(evidence, mostly)
    assert flags.sensitive.tolist() == [True, True, False, True, True, True, True, True, True, True, False, False]
    assert flags.unclassified.tolist() == [False] * 11 + [True]
    # The minors' default counts a creator's or hashtag's share from 10%: #fyp's 3 seeds in 7 count for v10.
    assert TEEN.creator_hashtag_share <= 0.1
    assert evidence.sensitive(TEEN)[10] == np.float32(3 / 7)
    # Without propagation only the labels' own probabilities count.
    own_only = sensitivity.flags(evidence, TEEN.model_copy(update={"propagate": False}))
    assert own_only.sensitive.tolist() == [p >= TEEN.threshold for p in evidence.own.tolist()]


def test_harm_spreads_the_same_way_and_is_held_on_evidence() -> None:
    videos = [
        video(0, "x", ("a",), sad(0.6, model.Harm.POTENTIALLY_HARMFUL)),
        video(1, "y", ("b",), sad(0.4, model.Harm.NEUTRAL)),  # near the harmful one
        video(2, "z", ("c",), calm(0.1)),
    ]
    items, index = world(videos, [unit(1, 0), unit(1, 0.05), unit(0, 1)])
    evidence = sensitivity.build(items, index, propagation=sensitivity.Propagation(neighbours=2, min_similarity=0.9))
    assert sensitivity.flags(evidence, TEEN).harmful.tolist() == [True, True, False]


@settings(max_examples=200, deadline=None)
@given(
    probabilities=hnp.arrays(np.float64, st.integers(1, 60), elements=st.floats(0.0, 1.0)),
    threshold=st.floats(0.05, 0.5),
    seed=st.integers(0, 2**16),
)
def test_a_probability_at_the_threshold_always_counts_against_the_cap(
    probabilities: np.ndarray, threshold: float, seed: int
) -> None:
    count = len(probabilities)
    labels = [model.Label(False, probability=float(p), source=CLASSIFIER) for p in probabilities]
    videos = [video(n, f"c{n}", (f"t{n}",), label) for n, label in enumerate(labels)]
    items = catalog_items.build(videos)
    rng = np.random.default_rng(seed)
    index = vector_index.FaissIndex(8)
    index.build(rng.normal(size=(count, 8)).astype(np.float32))
    band = TEEN.model_copy(update={"threshold": threshold})
    flags = sensitivity.flags(sensitivity.build(items, index), band)
    likely = probabilities.astype(np.float32) >= np.float32(threshold)
    assert not (likely & ~flags.sensitive).any()  # every one at or above the threshold is flagged
    cap = rerank.WindowCap(window=10, limit=1, run=1, flagged=frozenset(np.flatnonzero(flags.sensitive).tolist()))
    page = rerank.disperse(rng.permutation(count).tolist(), [cap], count)
    marks = likely[page]
    assert all(marks[i : i + 10].sum() <= 1 for i in range(len(marks)))


def test_review_priority_puts_doubtful_videos_with_the_most_reach_first() -> None:
    videos = [
        video(0, "a", ("x",), sad(0.32)),  # just over the minors' threshold: in doubt
        video(1, "b", ("x",), calm(0.01)),  # surely everyday
        video(2, "c", ("x",), None),  # nobody has looked yet
        video(3, "d", ("x",), sad(source=REVIEW)),  # decided by a person already
    ]
    items, index = world(videos, [unit(1, 0), unit(0, 1), unit(1, 1), unit(0, 0, 1)])
    items.popularity[:] = 0.5
    evidence = sensitivity.build(items, index)
    ranked = sensitivity.review_priority(items, evidence, TEEN, minor_impressions=np.array([100.0, 0, 0, 500]))
    assert [video_id for video_id, _ in ranked][:2] == ["v00", "v02"]
    assert "v03" not in dict(ranked)
    assert dict(ranked).get("v01", 0.0) < dict(ranked)["v02"]


def test_the_engine_orders_review_by_what_minors_were_shown(engine: feed.Engine) -> None:
    served = {item.video.id for _ in range(2) for item in engine.feed("teen", n=20, now=T0).items}
    ranked = engine.review_priority(limit=10, since=T0 - dt.timedelta(days=1), now=T0)
    assert len(ranked) == 10 and ranked[0][0] in served
    assert [p for _, p in ranked] == sorted((p for _, p in ranked), reverse=True)
