"""A tiny audit world, embedded once per session: six everyday topics and a mental-health slice."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from safefeed import model
from safefeed.audit import persona
from safefeed.recommend import vectors
from safefeed.store import answer_key, repository

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

TOPICS = {
    "food": ("easy pasta recipe for dinner", ("food", "recipe")),
    "gaming": ("insane clutch in ranked match", ("gaming", "esports")),
    "pets": ("my puppy learned a new trick", ("dog", "pets")),
    "football": ("best goals of the weekend", ("football", "goals")),
    "science": ("why the sky is blue explained", ("science", "learn")),
    "music": ("new song on repeat all day", ("music", "song")),
    "mental_health": ("nobody notices how tired i am lately", ("sad", "sadtok")),
}


def tiny_catalog() -> model.Catalog:
    creators: list[model.Creator] = []
    videos: list[model.Video] = []
    for topic, (caption, tags) in TOPICS.items():
        creators.extend(model.Creator(f"{topic}-c{c}") for c in range(4))
        for number in range(30):
            mh = topic == "mental_health"
            harm = model.Harm.POTENTIALLY_HARMFUL if mh and number % 3 == 0 else model.Harm.NEUTRAL
            videos.append(
                model.Video(
                    id=f"{topic}-{number:02d}",
                    creator_id=f"{topic}-c{number % 4}",
                    caption=f"{caption} part {number}",
                    hashtags=tags,
                    duration_s=20.0 + number,
                    created_at=T0 - dt.timedelta(days=number),
                    counters=model.Counters(views=1000 * (31 - number)),
                    topic=topic,
                    label=model.Label(True, model.Theme.SADNESS_DEPRESSION, harm) if mh else model.NOT_MH,
                )
            )
    return model.Catalog(tuple(creators), tuple(videos))


@pytest.fixture(scope="session")
def world_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("audit-world") / "world.db"
    store = repository.Store.open(f"sqlite:///{path}")
    catalog = tiny_catalog()
    # Here the engine sees the truth as reviewed labels (it reads no ground truth), and the auditor's key holds it too.
    reviewed = [
        dataclasses.replace(
            video, label=dataclasses.replace(video.label or model.NOT_MH, source=model.LabelSource.REVIEW)
        )
        for video in catalog.videos
    ]
    store.import_catalog(catalog.creators, reviewed)
    answer_key.put(store, {video.id: video.label or model.NOT_MH for video in catalog.videos})
    vectors.ensure_content_vectors(store)
    store.close()
    return path


@pytest.fixture
def store(world_file: Path, tmp_path: Path) -> Iterator[repository.Store]:
    copy = tmp_path / "world.db"
    shutil.copyfile(world_file, copy)
    opened = repository.Store.open(f"sqlite:///{copy}")
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def world_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where runner tests keep generated worlds, so each catalog is embedded once per session."""
    path = tmp_path_factory.getbasetemp() / "audit-world-cache"  # tests/cli shares it: one embedding
    path.mkdir(exist_ok=True)
    return path


def teen(
    arm: str = persona.INTERESTED, *, variant: str = "automated", minutes: float = 10.0, rewatch: bool = False
) -> persona.Persona:
    from safefeed.audit import behaviour

    return persona.Persona(
        id=f"ke-{arm}-{variant}",
        age=13,
        region="KE",
        timezone="Africa/Nairobi",
        seed_interests=("gaming", "music"),
        mh_sensitivity=1.0 if arm == persona.INTERESTED else 0.0,
        arm=arm,
        variant=variant,
        schedule=persona.Schedule(dt.datetime(2026, 2, 2, 16, 0), session_minutes=minutes),
        behaviour=behaviour.Parameters(rewatch_mh=rewatch),
    )
