"""No rabbit hole through likes for minors: what a minor does with sensitive videos never raises them.

Three levels: the learning step (for ANY sequence of positive events on
likely-sensitive videos, a minor's state does not move), the engine (for ANY
such sequence, the next page holds no more sensitive videos than a twin's who
did nothing of the kind), and a known answer on a generated catalog whose
labels come from a noisy classifier, not from the answer key.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safefeed import model
from safefeed.content import embedding, generate
from safefeed.policy import rules
from safefeed.recommend import feed, learn, state, vectors
from safefeed.store import repository
from tests.recommend import conftest
from tests.recommend.conftest import T0

POSITIVE = (
    model.EventKind.LIKE,
    model.EventKind.SHARE,
    model.EventKind.COMMENT,
    model.EventKind.FOLLOW,
    model.EventKind.REWATCH,
    model.EventKind.WATCH,
)
DEFAULT = rules.built_in("default")


def positive(account_id: str, kind: model.EventKind, video: model.Video, at: dt.datetime) -> model.Event:
    if kind is model.EventKind.WATCH:
        return model.Event(account_id, kind, at, video_id=video.id, fraction=2.5)
    if kind is model.EventKind.FOLLOW:
        return model.Event(account_id, kind, at, video_id=video.id, creator_id=video.creator_id)
    return model.Event(account_id, kind, at, video_id=video.id)


@settings(max_examples=150, deadline=None)
@given(
    steps=st.lists(st.tuples(st.sampled_from(POSITIVE), st.integers(0, 9)), min_size=1, max_size=40),
    band=st.sampled_from([model.AgeBand.U16, model.AgeBand.U18]),
    seed=st.integers(0, 2**16),
)
def test_positive_events_on_sensitive_videos_teach_a_minor_nothing(
    steps: list[tuple[model.EventKind, int]], band: model.AgeBand, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    about = vectors.normalise(rng.normal(size=(10, 16)).astype(np.float32))
    current = state.AccountState.empty(16)
    current.interest[:] = vectors.normalise(rng.normal(size=16).astype(np.float32))
    current.topic_affinity = {"music": 1.0, "sadness_depression": 0.5}
    current.updated_at = T0.timestamp()
    before = copy.deepcopy(current)
    signals = state.Signals()
    for kind, number in steps:
        video = model.Video(f"sad-{number}", f"creator-{number % 3}", "", (), 20, T0)
        event = positive("kid", kind, video, T0)
        learn.teach(
            current,
            event,
            signals,
            rules=DEFAULT.bands[band],
            personalised=True,
            vector=about[number],
            topic="sadness_depression",
            confidence=vectors.confidence(event),
            sensitive=True,
        )
    assert np.array_equal(current.interest, before.interest)
    assert current.topic_affinity == before.topic_affinity
    assert not current.interactions  # nothing for the ALS fold-in either
    # The same steps do teach an adult (so the property above is not vacuous).
    adult = copy.deepcopy(before)
    kind, number = steps[0]
    event = positive("grown", kind, model.Video(f"sad-{number}", "c", "", (), 20, T0), T0)
    learn.teach(
        adult,
        event,
        signals,
        rules=DEFAULT.bands[model.AgeBand.ADULT],
        personalised=True,
        vector=about[number],
        topic="sadness_depression",
        confidence=vectors.confidence(event),
        sensitive=True,
    )
    assert adult.topic_affinity["sadness_depression"] > before.topic_affinity["sadness_depression"]


@pytest.fixture(scope="module")
def tiny_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tiny") / "world.db"
    store = repository.Store.open(f"sqlite:///{path}")
    catalog = conftest.tiny_catalog()
    store.import_catalog(catalog.creators, catalog.videos)
    vectors.ensure_content_vectors(store)
    settings_ = model.AccountSettings(personalised=True)
    store.put_account(model.Account("teen", birth_year=2012, region="KE", settings=settings_))
    store.close()
    return path


def opened(template: Path, folder: Path) -> repository.Store:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, folder / "world.db")
    return repository.Store.open(f"sqlite:///{folder / 'world.db'}")


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(POSITIVE), st.integers(0, 19)), min_size=1, max_size=25))
def test_a_minor_who_loves_sensitive_videos_gets_no_more_of_them_than_a_twin_who_does_not(
    tiny_file: Path, tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[model.EventKind, int]]
) -> None:
    folder = tmp_path_factory.mktemp("twins")
    lover_store, twin_store = opened(tiny_file, folder / "lover"), opened(tiny_file, folder / "twin")
    try:
        lover, twin = feed.build(lover_store), feed.build(twin_store)
        sensitive = lover.flags[model.AgeBand.U16].sensitive
        sad = [lover.items.video(int(p)) for p in np.flatnonzero(sensitive)]
        assert len(sad) >= 10  # the property is about something
        first = lover.feed("teen", n=20, now=T0)
        assert [i.video.id for i in first.items] == [i.video.id for i in twin.feed("teen", n=20, now=T0).items]
        lover.record([positive("teen", kind, sad[number % len(sad)], T0) for kind, number in steps])
        lover_state, twin_state = lover.account_state("teen"), twin.account_state("teen")
        assert np.array_equal(lover_state.interest, twin_state.interest)
        assert lover_state.topic_affinity == twin_state.topic_affinity
        assert lover_state.interactions == twin_state.interactions
        for _ in range(2):
            mine = [p for p in (lover.items.position[i.video.id] for i in lover.feed("teen", n=20, now=T0).items)]
            theirs = [p for p in (twin.items.position[i.video.id] for i in twin.feed("teen", n=20, now=T0).items)]
            assert len(mine) == len(theirs) == 20
            assert int(sensitive[mine].sum()) <= int(sensitive[theirs].sum())
    finally:
        lover_store.close()
        twin_store.close()


# -- known answer on a generated catalog with noisy labels ------------------------------------------------------

RECALL, FALSE_POSITIVES = 0.8, 0.02  # about what the project's classifier does on real captions


def noisy(label: model.Label | None, rng: np.random.Generator) -> model.Label:
    """What an imperfect classifier says of a video whose true label is `label` (the answer key stays here)."""
    truth = label is not None and label.mh_related
    if truth and rng.random() < RECALL:
        assert label is not None
        return dataclasses.replace(label, probability=float(rng.uniform(0.55, 0.95)), source=conftest.CLASSIFIER)
    if not truth and rng.random() < FALSE_POSITIVES:
        return conftest.classified(model.Theme.OTHER_MH, model.Harm.NEUTRAL, float(rng.uniform(0.5, 0.7)))
    return model.Label(False, probability=float(rng.uniform(0.0, 0.25)), source=conftest.CLASSIFIER)


@pytest.fixture(scope="module")
def noisy_world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bool]]:
    """3,000 generated videos, mental-health ones spread over everyday topics, labelled by a noisy classifier.

    Content vectors are topic centroids plus noise (as in bench/feed_latency.py); a mental-health video's
    vector leans towards a "sad" centroid as much as towards its everyday topic's.
    """
    rng = np.random.default_rng(11)
    catalog = generate.generate(3000, seed=11)
    everyday = list(generate.topics())
    names = [*everyday, "sad lonely tired crying at night"]
    centroids = dict(zip(names, embedding.embed(names), strict=True))
    truth: dict[str, bool] = {}
    videos, rows = [], []
    for video in catalog.videos:
        mh = video.label is not None and video.label.mh_related
        truth[video.id] = mh
        topic = str(rng.choice(everyday)) if mh else (video.topic or everyday[0])
        centre = centroids[topic] + (centroids[names[-1]] if mh else 0.0)
        rows.append(centre / np.linalg.norm(centre) + rng.normal(0, 0.035, size=embedding.DIMENSIONS))
        videos.append(dataclasses.replace(video, topic=topic, label=noisy(video.label, rng)))
    content = np.asarray(rows, dtype=np.float32)
    content /= np.linalg.norm(content, axis=1, keepdims=True)
    path = tmp_path_factory.mktemp("noisy") / "world.db"
    store = repository.Store.open(f"sqlite:///{path}", simulation=True)
    store.import_catalog(catalog.creators, videos)
    store.put_content_vectors([v.id for v in videos], content)
    store.close()
    return path, truth


def scroll(engine: feed.Engine, account_id: str, truth: dict[str, bool], *, loves_sad: bool, pages: int) -> float:
    """The share of truly mental-health videos served over `pages` pages of 20.

    The lover likes, shares, comments on, follows, rewatches and watches twice every truly mental-health video
    and skips the rest; the control watches everything alike, two thirds of the way.
    """
    at = dt.datetime(2026, 1, 2, 15, tzinfo=dt.UTC)
    served: list[bool] = []
    cursor = None
    for _ in range(pages):
        page = engine.feed(account_id, n=20, cursor=cursor, now=at)
        cursor = page.next_cursor
        events = []
        for item in page.items:
            mh = truth[item.video.id]
            served.append(mh)
            if loves_sad and mh:
                events += [positive(account_id, kind, item.video, at) for kind in POSITIVE]
            else:
                events.append(positive(account_id, model.EventKind.WATCH, item.video, at))
                fraction = 0.1 if loves_sad else 0.66
                events[-1] = dataclasses.replace(events[-1], fraction=fraction)
            at += dt.timedelta(seconds=15)
        engine.record(events)
    assert len(served) == 20 * pages
    return sum(served) / len(served)


def test_a_13_year_old_who_likes_every_sad_video_gets_no_more_than_twice_a_controls_share(
    noisy_world: tuple[Path, dict[str, bool]], tmp_path: Path
) -> None:
    path, truth = noisy_world
    base_rate = sum(truth.values()) / len(truth)
    shares: dict[str, float] = {}
    for policy in ("default", "engagement"):
        store = opened(path, tmp_path / policy)
        for account_id in ("lover", "control"):
            store.put_account(model.Account(account_id, birth_year=2012, settings=model.AccountSettings(True)))
        engine = feed.build(store, policy=rules.built_in(policy))
        shares[f"{policy}-lover"] = scroll(engine, "lover", truth, loves_sad=True, pages=20)
        shares[f"{policy}-control"] = scroll(engine, "control", truth, loves_sad=False, pages=20)
        store.close()
    # Issue 21's bar: at most 2x the control's share or the catalog's base rate (about 2%), whichever is larger.
    bar = 2 * max(shares["default-control"], base_rate)
    assert shares["default-lover"] <= bar, shares
    # The same persona on the same catalog without the policy falls in: the test can fail.
    assert shares["engagement-lover"] > 2 * bar, shares
