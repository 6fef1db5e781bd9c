"""The world's past: a seeded background population whose events teach the engine co-engagement."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from safefeed import compose, model
from safefeed.audit import history, persona, runner, scenario, scoring, targets
from safefeed.recommend import vectors
from safefeed.store import answer_key, repository

from . import conftest

EVERYDAY = {topic: text for topic, text in conftest.TOPICS.items() if topic != "mental_health"}
HIDDEN_PER_TOPIC = 3  # of 30 videos per topic: a 10% base rate, every one captioned like its topic


def hidden_catalog() -> tuple[model.Catalog, dict[str, model.Label]]:
    """Six everyday topics; in each, a few mental-health videos whose captions and tags are the topic's own.

    Captions cannot give them away, so only behaviour (who watched them together) can.
    """
    creators: list[model.Creator] = []
    videos: list[model.Video] = []
    key: dict[str, model.Label] = {}
    for topic, (caption, tags) in EVERYDAY.items():
        creators.extend(model.Creator(f"{topic}-c{c}") for c in range(4))
        for number in range(30):
            video_id = f"{topic}-{number:02d}"
            hidden = number % (30 // HIDDEN_PER_TOPIC) == 0
            key[video_id] = (
                model.Label(True, model.Theme.SADNESS_DEPRESSION, model.Harm.NEUTRAL) if hidden else model.NOT_MH
            )
            videos.append(
                model.Video(
                    id=video_id,
                    creator_id=f"{topic}-c{number % 4}",
                    caption=f"{caption} part {number}",
                    hashtags=tags,
                    duration_s=20.0 + number,
                    created_at=conftest.T0 - dt.timedelta(days=number),
                    counters=model.Counters(views=1000 * (31 - number)),
                    topic=topic,
                    # The engine's label: a classifier that saw nothing (every hidden one missed).
                    label=model.Label(False, probability=0.02, source=model.LabelSource.CLASSIFIER),
                )
            )
    return model.Catalog(tuple(creators), tuple(videos)), key


@pytest.fixture(scope="module")
def hidden_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hidden") / "world.db"
    store = repository.Store.open(f"sqlite:///{path}", simulation=True)
    catalog, key = hidden_catalog()
    store.import_catalog(catalog.creators, catalog.videos)
    answer_key.put(store, key)
    vectors.ensure_content_vectors(store)
    store.close()
    return path


def _open_copy(source: Path, target: Path) -> repository.Store:
    shutil.copyfile(source, target)
    return repository.Store.open(f"sqlite:///{target}", simulation=True)


@pytest.fixture
def store(world_file: Path, tmp_path: Path) -> Iterator[repository.Store]:
    opened = _open_copy(world_file, tmp_path / "world.db")
    yield opened
    opened.close()


def _videos_and_mh(store: repository.Store) -> tuple[list[model.Video], frozenset[str]]:
    key = answer_key.read(store)
    return list(store.iter_videos()), frozenset(v for v, label in key.items() if label.mh_related)


def test_the_same_seed_gives_the_same_history_and_another_seed_another(store: repository.Store) -> None:
    videos, mh_ids = _videos_and_mh(store)
    population = history.Population(users=40)
    first, again = history.simulate(videos, mh_ids, population), history.simulate(videos, mh_ids, population)
    other = history.simulate(videos, mh_ids, dataclasses.replace(population, seed=1))
    assert len(first) > 40 * 20
    assert np.array_equal(first.position, again.position) and first.kind == again.kind
    assert np.array_equal(first.fraction, again.fraction)
    assert not (len(first) == len(other) and np.array_equal(first.position, other.position))
    logged = history.events(videos, first, days=30, seed=2)
    assert logged == history.events(videos, first, days=30, seed=2)


def test_only_the_mental_health_share_of_users_engages_with_mental_health_videos(store: repository.Store) -> None:
    videos, mh_ids = _videos_and_mh(store)
    mh = np.asarray([video.id in mh_ids for video in videos])
    none = history.simulate(videos, mh_ids, history.Population(users=200, mh_share=0.0))
    engaged = np.asarray(history.confidences(none) >= 0.25)  # a watch of at least half, or any explicit signal
    assert not (engaged & mh[none.position]).any()  # they only scroll past them
    every = history.simulate(videos, mh_ids, history.Population(users=200, mh_share=1.0, mh_affinity=0.4))
    watched = np.asarray([kind is model.EventKind.WATCH for kind in every.kind]) & (every.fraction >= 0.5)
    share = float(mh[every.position[watched]].mean())
    assert 0.33 <= share <= 0.47  # 0.4 of each user's engagements, drawn without replacement


def test_the_history_is_logged_by_background_accounts_and_teaches_the_item_factors(store: repository.Store) -> None:
    _, mh_ids = _videos_and_mh(store)
    logged = history.record(store, mh_ids, history.Population(users=30))
    events = [event for _, event in store.events()]
    assert len(events) == logged > 30 * 20
    accounts = {event.account_id for event in events}
    assert all(account.startswith(history.ACCOUNT_PREFIX) for account in accounts)
    stored = store.accounts(accounts)  # every one exists, an adult
    assert all(account.birth_year is not None and account.birth_year <= 2007 for account in stored.values())
    teen = conftest.teen()
    assert persona.account_id(teen, 0) not in accounts and not persona.account_id(teen, 0).startswith("history")
    with_factors = sum(collaborative is not None for _, _, collaborative in store.item_vectors())
    assert with_factors >= 0.9 * store.count_videos()


def test_a_scenario_gives_its_world_a_history_that_grows_with_the_catalog() -> None:
    spec = scenario.parse(
        {
            "name": "s",
            "catalog": {"videos": 2000, "history": {"mh_share": 0.1}},
            "personas": {"regions": [{"region": "KE", "timezone": "UTC"}], "arms": {"control": {}}},
            "targets": [{"name": "null", "kind": "null"}],
        }
    ).catalog
    assert spec.history.count(spec.videos) == 200 and spec.history.mh_share == 0.1
    with pytest.raises(ValueError, match=r"unknown catalog\.history keys"):
        scenario.parse(
            {
                "name": "s",
                "catalog": {"history": {"user": 3}},
                "personas": {"regions": [{"region": "KE", "timezone": "UTC"}], "arms": {"control": {}}},
                "targets": [{"name": "null", "kind": "null"}],
            }
        )


def _interested_share(world: Path, scratch: Path, *, with_history: bool) -> float:
    store = _open_copy(world, scratch)
    try:
        videos, mh_ids = _videos_and_mh(store)
        key = answer_key.read(store)
        if with_history:
            history.record(store, mh_ids, history.Population(users=150, mh_share=0.15, mh_affinity=0.5))
        target = targets.build(
            targets.Spec("engagement", "engine", policy="engagement"), store, videos, build_engine=compose.build_engine
        ).target
        columns = runner.scroll(target, conftest.teen(minutes=20), 0, seed=5, labeller=scoring.Labeller(key))
        return float(np.mean(columns["mh"]))
    finally:
        store.close()


def test_behaviour_lets_the_engagement_feed_find_mental_health_videos_captions_hide(
    hidden_world: Path, tmp_path: Path
) -> None:
    # Every mental-health video reads like its everyday topic, so without a history the engagement feed can
    # only stumble on them (about the 10% base rate); with one, the interested persona's long watches fold
    # into the item factors those videos share, and the feed brings more of them.
    without = _interested_share(hidden_world, tmp_path / "without.db", with_history=False)
    with_history = _interested_share(hidden_world, tmp_path / "with.db", with_history=True)
    assert without < 0.2
    assert with_history >= 1.5 * without and with_history >= 0.2


def test_the_als_peer_learns_from_the_worlds_history(store: repository.Store) -> None:
    videos, mh_ids = _videos_and_mh(store)
    history.record(store, mh_ids, history.Population(users=25))
    spec = targets.Spec("als", "als", als=targets.AlsSettings(population=60))
    peer = targets.build(spec, store, videos, mh_ids=mh_ids).target
    assert isinstance(peer, targets.ImplicitAls)
    assert peer._background.shape == (25, len(videos))  # the world's 25 background users, not its own 60
    assert peer._background.sum() == pytest.approx(
        sum(history.confidences(history.from_events(history.past(store), videos)))
    )
