"""Minors are kept from likely-sensitive videos in every slot of the feed, whatever the classifier said.

Ofcom's "indicated potentially": a video with evidence of mental-health content at or above the band's
`hold_threshold` (its own probability, or what its creator, hashtags and neighbours lend) waits out of a
minor's For You and STEM feeds, explore slots included, before any final judgement. Only the support tab,
which the minor opens on purpose, serves (supportive) mental-health videos.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safefeed import model
from safefeed.policy import rules
from safefeed.recommend import feed, learn, vectors
from safefeed.store import repository
from tests.recommend import conftest
from tests.recommend.conftest import T0

DEFAULT = rules.built_in("default")
MINOR_BANDS = (model.AgeBand.U16, model.AgeBand.U18)
EVERYDAY_IDS = [f"{topic}-{n:02d}" for topic in conftest.TOPICS if topic != "sadness_depression" for n in range(20)]
# 13 (opted in), 13 (default: not personalised), 16 (opted in)
MINORS = (("teen", 2012, True), ("young", 2012, False), ("older", 2009, True))


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hold") / "world.db"
    store = repository.Store.open(f"sqlite:///{path}")
    catalog = conftest.tiny_catalog()
    store.import_catalog(catalog.creators, catalog.videos)
    vectors.ensure_content_vectors(store)
    for account_id, born, personalised in MINORS:
        settings_ = model.AccountSettings(personalised=personalised)
        store.put_account(model.Account(account_id, birth_year=born, region="KE", settings=settings_))
    store.put_account(model.Account("twin", birth_year=2012, region="KE"))  # "young"'s twin, for another policy
    store.close()
    return path


def copied(template: Path, folder: Path) -> repository.Store:
    shutil.copyfile(template, folder / "world.db")
    return repository.Store.open(f"sqlite:///{folder / 'world.db'}")


def label(probability: float) -> model.Label:
    """What a classifier says at this probability (calling it mental health from even odds)."""
    if probability >= 0.5:
        return conftest.classified(model.Theme.OTHER_MH, model.Harm.NEUTRAL, probability)
    return model.Label(False, probability=probability, source=conftest.CLASSIFIER)


def minor_threshold(band: model.AgeBand) -> float:
    hold = DEFAULT.bands[band].sensitivity.hold_threshold
    assert hold is not None
    return hold


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    probabilities=st.lists(
        st.one_of(st.floats(0.0, 1.0), st.sampled_from([0.0999, 0.1, 0.1001, 0.3, 0.5])),
        min_size=len(EVERYDAY_IDS),
        max_size=len(EVERYDAY_IDS),
    ),
    likes=st.booleans(),
)
def test_no_video_at_or_above_the_minors_hold_reaches_a_minors_feed_in_any_slot(
    template: Path, tmp_path_factory: pytest.TempPathFactory, probabilities: list[float], likes: bool
) -> None:
    store = copied(template, tmp_path_factory.mktemp("any"))
    try:
        engine = feed.build(store)
        for video_id, probability in zip(EVERYDAY_IDS, probabilities, strict=True):
            engine.moderate(video_id, label=label(probability))  # the classifier's word, taken in place
        own = dict(zip(EVERYDAY_IDS, probabilities, strict=True))
        for account_id, born, _ in MINORS:
            band = model.AgeBand.U16 if born == 2012 else model.AgeBand.U18
            hold = minor_threshold(band)
            for tab in ("for_you", "for_you", "for_you", "stem"):
                page = engine.feed(account_id, n=20, now=T0, tab=tab)
                for item in page.items:
                    probability = own.get(item.video.id, 0.9)  # every sad-topic video is labelled 0.9
                    assert probability < hold, f"{item.video.id} (P(MH) {probability}) reached {account_id} on {tab}"
                    assert not engine.flags[band].held[engine.items.position[item.video.id]]
                if likes:  # engaging with everything served changes nothing about what may be served
                    engine.record(
                        [model.Event(account_id, model.EventKind.LIKE, T0, video_id=i.video.id) for i in page.items]
                    )
    finally:
        store.close()


def test_the_hold_closes_explore_slots_and_leaves_the_support_tab_to_the_minors_choice(
    template: Path, tmp_path: Path
) -> None:
    store = copied(template, tmp_path)
    try:
        engine = feed.build(store)
        held = engine.flags[model.AgeBand.U16].held
        sad = [
            p
            for p, topic in enumerate(engine.items.topic.tolist())
            if engine.items.topics[topic] == "sadness_depression"
        ]
        assert held[sad].all()  # every sad video is labelled at 0.9
        served = {i.video.id for _ in range(5) for i in engine.feed("young", n=20, now=T0).items}
        assert not any(video_id.startswith("sadness") for video_id in served)
        support = engine.feed("young", n=5, now=T0, tab="support").items
        assert support and all(i.video.creator_id == "doctor" for i in support)
        # The same catalog under a policy without the hold lets a sad video through the explore slots.
        loose = DEFAULT.model_copy(
            update={
                "bands": {
                    band: rule.model_copy(
                        update={"sensitivity": rule.sensitivity.model_copy(update={"hold_threshold": None})}
                    )
                    for band, rule in DEFAULT.bands.items()
                }
            }
        )
        loose_engine = engine.under(loose)
        loose_served = {i.video.id for _ in range(8) for i in loose_engine.feed("twin", n=20, now=T0).items}
        assert any(video_id.startswith("sadness") for video_id in loose_served)
    finally:
        store.close()


@settings(max_examples=200, deadline=None)
@given(evidence=st.floats(0.0, 1.0), threshold=st.floats(0.05, 0.5))
def test_a_like_teaches_less_the_more_evidence_of_mental_health(evidence: float, threshold: float) -> None:
    discount = learn.learning_discount(evidence, threshold)
    assert 0.0 <= discount <= 1.0
    assert discount == 0.0 or evidence < threshold  # at the threshold and above, nothing
    assert learn.learning_discount(evidence / 2, threshold) >= discount  # less evidence never teaches less


def test_a_minors_like_on_a_half_suspect_video_moves_its_interest_less(template: Path, tmp_path: Path) -> None:
    store = copied(template, tmp_path)
    try:
        engine = feed.build(store)
        engine.moderate("food-01", label=label(0.0))
        engine.moderate("food-02", label=label(0.29))  # just under the minors' 0.3: not flagged, barely taught
        engine.record([model.Event("teen", model.EventKind.LIKE, T0, video_id="food-01")])
        clean = np.linalg.norm(engine.account_state("teen").interest)
        engine.refresh("teen")
        engine.record([model.Event("teen", model.EventKind.LIKE, T0, video_id="food-02")])
        suspect = np.linalg.norm(engine.account_state("teen").interest)
        assert suspect < 0.2 * clean
    finally:
        store.close()
