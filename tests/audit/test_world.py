"""The audit's world: imported as a platform would, with the answer key apart where only the auditor reads it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from safefeed import compose, model
from safefeed.audit import engine_labels, history, runner, scenario, scoring, targets, world
from safefeed.store import answer_key, repository

from . import conftest

SPEC = scenario.CatalogSpec(videos=300, seed=7)  # as test_runner's tiny scenario: one embedding per session
SRC = Path(__file__).resolve().parents[2] / "src" / "safefeed"


@pytest.fixture(scope="module")
def built(world_cache: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return world.prepare_world(SPEC, tmp_path_factory.mktemp("world") / "world.db", cache=world_cache)


def test_the_engine_sees_classifier_labels_and_the_truth_stays_in_the_answer_key(built: Path) -> None:
    store = repository.Store.open(f"sqlite:///{built}", simulation=True)
    try:
        videos = list(store.iter_videos())
        key = answer_key.read(store)
    finally:
        store.close()
    assert {video.id for video in videos} == set(key)
    assert sum(label.mh_related for label in key.values()) == round(SPEC.videos * 0.02)
    for video in videos:
        assert video.label is not None
        assert video.label.source is model.LabelSource.CLASSIFIER  # what the classifier read at import
        assert 0.0 <= video.label.probability <= 1.0


def _feeds(path: Path, persona_labels: scoring.Labeller) -> dict[str, list[object]]:
    """Served video ids for an interested 13-year-old under each policy; the persona reacts by `persona_labels`."""
    store = repository.Store.open(f"sqlite:///{path}", simulation=True)
    try:
        videos = list(store.iter_videos())
        feeds = {}
        for policy in ("default", "engagement"):
            target = targets.build(
                targets.Spec(policy, "engine", policy=policy), store, videos, build_engine=compose.build_engine
            ).target
            columns = runner.scroll(target, conftest.teen(minutes=12), 0, seed=2, labeller=persona_labels)
            feeds[policy] = columns["video_id"]
        return feeds
    finally:
        store.close()


def test_scrambling_the_answer_key_changes_no_served_feed(built: Path, tmp_path: Path) -> None:
    as_built, scrambled = tmp_path / "as-built.db", tmp_path / "scrambled.db"
    shutil.copyfile(built, as_built)
    shutil.copyfile(built, scrambled)
    store = repository.Store.open(f"sqlite:///{scrambled}", simulation=True)
    try:
        key = answer_key.read(store)
        ids = sorted(key)
        order = np.random.default_rng(0).permutation(len(ids))
        answer_key.put(store, {video_id: key[ids[j]] for video_id, j in zip(ids, order.tolist(), strict=True)})
        assert answer_key.read(store) != key
    finally:
        store.close()
    # The persona reacts by the true key in both worlds, so only what is stored differs.
    feeds = [_feeds(path, scoring.Labeller(key)) for path in (as_built, scrambled)]
    assert len(feeds[0]["default"]) > 50
    assert feeds[0] == feeds[1]


def test_a_noisy_oracle_world_hands_the_engine_labels_derived_from_the_key(world_cache: Path, tmp_path: Path) -> None:
    perfect = engine_labels.EngineLabels("oracle", 1.0, 0.0)
    path = world.prepare_world(SPEC, tmp_path / "oracle.db", cache=world_cache, labels=perfect, seed=1)
    store = repository.Store.open(f"sqlite:///{path}", simulation=True)
    try:
        key = answer_key.read(store)
        for video in store.iter_videos():
            assert video.label is not None and video.label.source is model.LabelSource.CLASSIFIER
            assert video.label.mh_related == key[video.id].mh_related
    finally:
        store.close()


def test_nothing_that_serves_feeds_reads_the_answer_key() -> None:
    # The engine, the service, the API, the policy and the web app: none may reach the answer key's table or
    # module (`answer_key`). Prose may say that they never read it.
    serving = [
        *SRC.joinpath("services").rglob("*.py"),
        *SRC.joinpath("recommend").rglob("*.py"),
        *SRC.joinpath("policy").rglob("*.py"),
        *SRC.joinpath("api").rglob("*.py"),
        *SRC.joinpath("wellbeing").rglob("*.py"),
        *SRC.joinpath("web").rglob("*.js"),
        SRC / "compose.py",
        SRC / "store" / "repository.py",
    ]
    assert len(serving) > 20
    for path in serving:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"answer_key", text, re.IGNORECASE), f"{path} names the answer key's table or module"


def test_the_answer_key_counts_by_theme_and_harm(built: Path) -> None:
    store = repository.Store.open(f"sqlite:///{built}", simulation=True)
    try:
        counts = answer_key.counts(store)
        key = answer_key.read(store)
    finally:
        store.close()
    assert sum(counts.values()) == len(key) == SPEC.videos
    assert counts["not_mh"] == sum(1 for label in key.values() if not label.mh_related)
    assert all(name == "not_mh" or "/" in name for name in counts)


def test_the_world_has_a_past_logged_by_background_accounts_only(built: Path) -> None:
    # The engine's item vectors carry behaviour, learned from the log as `safefeed train` would; the log holds
    # only the background population's events (no persona has scrolled yet), from accounts no persona uses.
    store = repository.Store.open(f"sqlite:///{built}", simulation=True)
    try:
        events = [event for _, event in store.events()]
        factors = [collaborative is not None for _, _, collaborative in store.item_vectors()]
    finally:
        store.close()
    assert len({event.account_id for event in events}) == SPEC.history.count(SPEC.videos) == 30
    assert all(event.account_id.startswith(history.ACCOUNT_PREFIX) for event in events)
    assert not any(event.account_id.startswith("audit-") for event in events)
    assert sum(factors) >= 0.9 * len(factors)
