"""A tiny world with a known answer: six topics, twenty videos each, four creators per topic."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from safefeed import model
from safefeed.recommend import feed, vectors
from safefeed.store import repository

T0 = dt.datetime(2026, 5, 1, 18, 0, tzinfo=dt.UTC)

TOPICS = {
    "food": ("easy pasta recipe for dinner", ("food", "recipe", "cooking")),
    "gaming": ("insane clutch in ranked match", ("gaming", "gamer", "esports")),
    "pets": ("my puppy learned a new trick", ("dog", "pets", "puppy")),
    "football": ("best goals of the weekend", ("football", "soccer", "goals")),
    "science": ("why the sky is blue explained", ("science", "physics", "learn")),
    "sadness_depression": ("nobody notices how tired i am lately", ("sad", "depressed", "sadtok")),
}


CLASSIFIER = model.LabelSource.CLASSIFIER
# What the classifier said of an everyday video: not mental health, and fairly sure of it.
EVERYDAY = model.Label(mh_related=False, probability=0.05, source=CLASSIFIER)


def classified(theme: model.Theme, harm: model.Harm, probability: float = 0.9) -> model.Label:
    """A mental-health label as the platform's classifier gives it (the engine reads no other kind but reviews)."""
    return model.Label(True, theme, harm, probability=probability, source=CLASSIFIER)


def mental_health_label(number: int) -> tuple[model.Label, model.Enforcement]:
    """Sad videos 0-9 relatable, 10-14 romanticising, 15 violative but missed by moderation,
    16 fyf-ineligible, 17-19 supportive suicide-prevention videos from a verified professional."""
    if number < 10:
        return classified(model.Theme.SADNESS_DEPRESSION, model.Harm.NEUTRAL), model.Enforcement.ALLOWED
    if number < 15:
        label = classified(model.Theme.SADNESS_DEPRESSION, model.Harm.POTENTIALLY_HARMFUL)
        return label, model.Enforcement.ALLOWED
    if number == 15:
        return classified(model.Theme.SELF_HARM, model.Harm.VIOLATIVE), model.Enforcement.ALLOWED
    if number == 16:
        label = classified(model.Theme.SADNESS_DEPRESSION, model.Harm.POTENTIALLY_HARMFUL)
        return label, model.Enforcement.FYF_INELIGIBLE
    return classified(model.Theme.SUICIDE, model.Harm.SUPPORTIVE), model.Enforcement.ALLOWED


SUPPORT_CAPTION = "you are not alone: a doctor on talking to someone you trust"


def tiny_catalog() -> model.Catalog:
    creators = [model.Creator("doctor", "Dr. Wanjiru", verified_professional=True)]
    videos = []
    for topic_index, (topic, (caption, tags)) in enumerate(TOPICS.items()):
        for creator in range(4):
            creators.append(model.Creator(f"{topic}-c{creator}"))
        for number in range(20):
            mh = topic == "sadness_depression"
            label, enforcement = mental_health_label(number) if mh else (EVERYDAY, model.Enforcement.ALLOWED)
            videos.append(
                model.Video(
                    id=f"{topic}-{number:02d}",
                    creator_id="doctor" if mh and number >= 17 else f"{topic}-c{number % 4}",
                    caption=f"{SUPPORT_CAPTION if mh and number >= 17 else caption} part {number}",
                    hashtags=tags,
                    duration_s=30,
                    created_at=T0 - dt.timedelta(days=number),
                    region="KE" if number % 2 else "US",
                    counters=model.Counters(views=1000 * (20 - number) + topic_index),
                    topic=topic,
                    label=label,
                    enforcement=enforcement,
                )
            )
    return model.Catalog(tuple(creators), tuple(videos))


@pytest.fixture
def world(tmp_path: Path) -> Iterator[repository.Store]:
    store = repository.Store.open(f"sqlite:///{tmp_path / 'world.db'}")
    catalog = tiny_catalog()
    store.import_catalog(catalog.creators, catalog.videos)
    vectors.ensure_content_vectors(store)
    # A 13-year-old who opted in to a personalised feed.
    teen_settings = model.AccountSettings(personalised=True)
    store.put_account(
        model.Account("teen", birth_year=2012, region="KE", timezone="Africa/Nairobi", settings=teen_settings)
    )
    store.put_account(model.Account("other", birth_year=1990, region="US"))
    yield store
    store.close()


@pytest.fixture
def engine(world: repository.Store) -> feed.Engine:
    return feed.build(world)
