"""A small conformance world: everyday topics and a mental-health slice with E1 content, embedded once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from safefeed import model
from safefeed.recommend import vectors
from safefeed.store import repository

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

EVERYDAY = {
    "food": ("easy pasta recipe for dinner", ("food", "recipe")),
    "gaming": ("insane clutch in ranked match", ("gaming", "esports")),
    "pets": ("my puppy learned a new trick", ("dog", "pets")),
    "football": ("best goals of the weekend", ("football", "goals")),
    "music": ("new song on repeat all day", ("music", "song")),
    "travel": ("hidden beach you must visit", ("travel", "beach")),
    "comedy": ("this prank went wrong", ("comedy", "funny")),
    "cars": ("restoring an old engine", ("cars", "engine")),
}
# (theme, harm, caption, hashtags): E1 = self-harm/suicide/eating with a harmful label.
MENTAL_HEALTH = (
    (model.Theme.SADNESS_DEPRESSION, model.Harm.NEUTRAL, "nobody notices how tired i am lately", ("sad", "sadtok")),
    (model.Theme.SELF_HARM, model.Harm.POTENTIALLY_HARMFUL, "the scars tell my story", ("selfharm", "sh")),
    (
        model.Theme.EATING_BODY_IMAGE,
        model.Harm.POTENTIALLY_HARMFUL,
        "what i eat in a day 500 cal",
        ("edtwt", "thinspo"),
    ),
    (model.Theme.SUICIDE, model.Harm.POTENTIALLY_HARMFUL, "i just want to disappear forever", ("unalive", "sadtok")),
    (
        model.Theme.THERAPY_RECOVERY_SUPPORT,
        model.Harm.SUPPORTIVE,
        "how therapy helped me cope",
        ("recovery", "support"),
    ),
)


def catalog(per_topic: int = 40) -> model.Catalog:
    creators: list[model.Creator] = []
    videos: list[model.Video] = []
    for topic, (caption, tags) in EVERYDAY.items():
        creators.extend(model.Creator(f"{topic}-c{c}") for c in range(5))
        for number in range(per_topic):
            videos.append(
                model.Video(
                    id=f"{topic}-{number:03d}",
                    creator_id=f"{topic}-c{number % 5}",
                    caption=f"{caption} part {number}",
                    hashtags=tags,
                    duration_s=20.0 + number % 30,
                    created_at=T0 - dt.timedelta(days=number % 20),
                    counters=model.Counters(views=1000 * (per_topic + 1 - number)),
                    topic=topic,
                    label=model.NOT_MH,
                )
            )
    for cell, (theme, harm, caption, tags) in enumerate(MENTAL_HEALTH):
        creators.extend(model.Creator(f"mh{cell}-c{c}") for c in range(3))
        for number in range(per_topic // 2):
            videos.append(
                model.Video(
                    id=f"mh{cell}-{number:03d}",
                    creator_id=f"mh{cell}-c{number % 3}",
                    caption=f"{caption} {number}",
                    hashtags=tags,
                    duration_s=25.0,
                    created_at=T0 - dt.timedelta(days=number % 20),
                    counters=model.Counters(views=3000 * (per_topic + 1 - number)),
                    topic="mental_health",
                    label=model.Label(True, theme, harm),
                )
            )
    return model.Catalog(tuple(creators), tuple(videos))


def build(path: Path) -> Path:
    store = repository.Store.open(f"sqlite:///{path}")
    made = catalog()
    store.import_catalog(made.creators, made.videos)
    vectors.ensure_content_vectors(store)
    store.close()
    return path
