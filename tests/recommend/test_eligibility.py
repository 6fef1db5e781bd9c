"""Eligibility: what the policy's keys hold back, for any catalog."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.resources
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safefeed import model
from safefeed.policy import rules
from safefeed.recommend import feed, vectors
from safefeed.store import repository
from tests.recommend.conftest import EVERYDAY, T0

DEFAULT_TEXT = importlib.resources.files("safefeed.policy").joinpath("data/default.toml").read_text("utf-8")
SIXTEEN_PRIVACY = (
    "privacy = { private_account = true, direct_messages = true, recommend_to_strangers = true, downloadable = false }"
)


def with_creator(store: repository.Store, creator: model.Creator) -> None:
    videos = [
        model.Video(
            f"{creator.id}-{i}",
            creator.id,
            "my dance cover",
            ("dance",),
            20,
            T0,
            counters=model.Counters(10**9),
            label=EVERYDAY,
        )
        for i in range(5)
    ]
    store.import_catalog([creator], videos)
    vectors.ensure_content_vectors(store)


def creators_served(engine: feed.Engine, account_id: str) -> set[str]:
    return {item.video.creator_id for _ in range(5) for item in engine.feed(account_id, n=20, now=T0).items}


def test_recommend_to_strangers_is_the_policy_key_that_decides(world: repository.Store) -> None:
    # Born 2009: 16 on 1 May 2026 by the younger possible age, so the 16-17 band's privacy applies.
    with_creator(world, model.Creator("sixteen", birth_year=2009))
    assert "sixteen" in creators_served(feed.build(world), "other")  # 16-17: recommend_to_strangers = true
    assert DEFAULT_TEXT.count(SIXTEEN_PRIVACY) == 1
    private = rules.parse(
        DEFAULT_TEXT.replace(SIXTEEN_PRIVACY, SIXTEEN_PRIVACY.replace("strangers = true", "strangers = false"))
    )
    assert "sixteen" not in creators_served(feed.build(world, policy=private), "other")


def test_under_16_creators_stay_hidden_by_the_youngest_possible_age(world: repository.Store) -> None:
    # Born 2010: 15 or 16 in 2026; without a birthday the younger age counts, as for accounts.
    with_creator(world, model.Creator("maybe-fifteen", birth_year=2010))
    assert "maybe-fifteen" not in creators_served(feed.build(world), "other")


def test_a_policy_letting_under_16s_be_recommended_to_strangers_is_refused() -> None:
    text = DEFAULT_TEXT.replace(
        "direct_messages = false, recommend_to_strangers = false",
        "direct_messages = false, recommend_to_strangers = true",
    )
    with pytest.raises(rules.InvalidPolicy, match=r"13-15.*recommend_to_strangers"):
        rules.parse(text)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny world plus ten everyday videos no classifier has seen yet, embedded once."""
    from tests.recommend import conftest

    path = tmp_path_factory.mktemp("unlabelled") / "world.db"
    store = repository.Store.open(f"sqlite:///{path}")
    catalog = conftest.tiny_catalog()
    store.import_catalog(catalog.creators, catalog.videos)
    fresh = [
        model.Video(f"new-{i}", "food-c0", f"brand new upload {i}", ("new",), 20, T0, counters=model.Counters(10**8))
        for i in range(10)
    ]
    store.import_catalog([], fresh)
    vectors.ensure_content_vectors(store)
    store.close()
    return path


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    unlabelled=st.sets(st.integers(0, 119), max_size=40),
    birth_year=st.sampled_from([2009, 2012, 2013]),
    personalised=st.booleans(),
)
def test_videos_without_a_label_never_reach_a_minor(
    template: Path, tmp_path_factory: pytest.TempPathFactory, unlabelled: set[int], birth_year: int, personalised: bool
) -> None:
    path = tmp_path_factory.mktemp("case") / "world.db"
    shutil.copyfile(template, path)
    store = repository.Store.open(f"sqlite:///{path}")
    try:
        ids = store.iter_videos()
        stripped = [
            dataclasses.replace(v, label=None)
            for n, v in enumerate(v for v in ids if not v.id.startswith("new-"))
            if n in unlabelled
        ]
        store.import_catalog([], stripped)
        # An import without a label keeps the stored one: take it off as a catalog that never had one would.
        with store.engine.begin() as connection:
            for video in stripped:
                connection.exec_driver_sql(
                    "UPDATE videos SET mh_related=NULL, theme=NULL, harm=NULL, mh_probability=NULL,"
                    " label_source=NULL WHERE id=?",
                    (video.id,),
                )
        waiting = {v.id for v in stripped} | {f"new-{i}" for i in range(10)}
        store.put_account(model.Account("kid", birth_year=birth_year, settings=model.AccountSettings(personalised)))
        engine = feed.build(store)
        served = [i.video.id for _ in range(4) for i in engine.feed("kid", n=20, now=T0 + dt.timedelta(hours=1)).items]
        assert served  # the page under test is not empty
        assert waiting.isdisjoint(served)
    finally:
        store.close()


def test_unlabelled_videos_still_reach_adults(template: Path, tmp_path: Path) -> None:
    path = tmp_path / "world.db"
    shutil.copyfile(template, path)
    store = repository.Store.open(f"sqlite:///{path}")
    store.put_account(model.Account("adult", birth_year=1990))
    engine = feed.build(store)
    served = {i.video.id for _ in range(4) for i in engine.feed("adult", n=20, now=T0).items}
    assert any(video_id.startswith("new-") for video_id in served)
    store.close()
