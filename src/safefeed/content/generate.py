"""The seeded demo catalog: the embedded default for the demo and the audit lab.

A feed and an audit need a catalog that looks like a short-video platform's:
many everyday topics, a few creators with most of the views, and a small share
(about 2%) of mental-health videos spread over themes and harm levels -- and
over ordinary topics, with captions as hard to read as real ones (see
`world/captions.py` and `data/hard_cases.toml`). Everything is drawn from one
`numpy` generator seeded by the caller, so `generate(n, seed=s)` is the same
world every time.

The videos come WITHOUT labels, as a platform receives them; what each one
really is goes into the `answer_key`, which only the auditor reads (stored in
its own table by `store.answer_key`). Import the videos through
`content.pipeline.import_catalog` so that the classifier labels them.

>>> world = generate(200, seed=7)
>>> len(world.videos), world.videos[0].id, world.videos[0].label
(200, 'v0000000', None)
>>> sum(label.mh_related for label in world.answer_key.values())
4
>>> world == generate(200, seed=7)
True
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from safefeed import model
from safefeed.content.world import captions, sampling
from safefeed.content.world import creators as creators_module
from safefeed.content.world import vocabulary as vocabulary_module

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

DEFAULT_START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
"""Videos are posted during the `HISTORY` before this instant."""

HISTORY = dt.timedelta(days=90)

EDUCATIONAL_TOPICS = vocabulary_module.EDUCATIONAL_TOPICS
RESTRICTED_TOPICS = vocabulary_module.RESTRICTED_TOPICS
REGIONS = creators_module.REGIONS
LANGUAGES = vocabulary_module.LANGUAGES

MH_SHARE = 0.02
AD_SHARE = 0.01
RESTRICTED_SHARE = 0.005
LOOKALIKE_SHARE = 0.03
"""Share of everyday videos that carry a mental-health word in another sense (crypto, a therapy joke)."""

_LOCAL_LANGUAGE_PER_VIDEO = 0.85  # creators with a local language still post some videos in English

# Platforms miss things: most potentially harmful videos stay ALLOWED, which is
# what lets an engagement-only feed serve them. Violative ones are mostly removed.
_PH_FYF_INELIGIBLE = 0.12
_VIOLATIVE_FYF_INELIGIBLE = 0.25
_SUPPORTIVE_FROM_PROFESSIONALS = 0.5
_OTHERS_FROM_MH_CREATORS = 0.8  # the rest are one-off posts by everyday creators

_VIDEOS_PER_CREATOR = 20
_MIN_CREATORS = 10

_EVERYDAY, _MH, _AD = captions.EVERYDAY, captions.MENTAL_HEALTH, captions.AD

_CELLS: tuple[tuple[model.Theme, model.Harm], ...] = tuple(
    (theme, harm) for theme, harms in vocabulary_module.HARM_WEIGHTS.items() for harm in harms
)
_CELL_SHARES = tuple(
    vocabulary_module.THEME_WEIGHTS[theme] * vocabulary_module.HARM_WEIGHTS[theme][harm] for theme, harm in _CELLS
)
_CELL_HARM = np.array([list(model.Harm).index(harm) for _, harm in _CELLS], dtype=np.int64)
_ENFORCEMENTS = tuple(model.Enforcement)


@dataclasses.dataclass(frozen=True, slots=True)
class World:
    """A generated catalog: unlabelled videos, as a platform gets them, and the auditor's answer key.

    `answer_key` maps every video id to what it really is (`model.NOT_MH` for
    everyday videos). Only the audit lab reads it; `labelled()` is for tests
    and benchmarks that need the truth on the videos themselves.
    """

    creators: tuple[model.Creator, ...]
    videos: tuple[model.Video, ...]
    answer_key: Mapping[str, model.Label]

    def catalog(self) -> model.Catalog:
        """What a platform imports: the videos without labels."""
        return model.Catalog(creators=self.creators, videos=self.videos)

    def labelled(self) -> model.Catalog:
        """The catalog with the answer key on every video: for tests and benchmarks that need the truth there."""
        return model.Catalog(
            creators=self.creators,
            videos=tuple(dataclasses.replace(video, label=self.answer_key[video.id]) for video in self.videos),
        )


def topics() -> tuple[str, ...]:
    """The everyday topics, in the order of the vocabulary file; mental-health videos are posted under them too."""
    return tuple(topic.name for topic in vocabulary_module.load().topics)


def _harm_code(harm: model.Harm) -> int:
    return list(model.Harm).index(harm)


def _enforcement_code(level: model.Enforcement) -> int:
    return _ENFORCEMENTS.index(level)


def generate(videos: int, *, seed: int, start: dt.datetime = DEFAULT_START) -> World:
    """A realistic synthetic world of `videos` videos, the same for the same (videos, seed, start).

    About `MH_SHARE` of the videos are about mental health, posted under the
    everyday `topics()` like the rest. Video ids follow `created_at`, oldest first.
    """
    if isinstance(videos, bool) or not isinstance(videos, int) or videos < 1:
        raise ValueError(f"videos must be an integer >= 1, got {videos!r}: pass how many videos to generate")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}: pass e.g. seed=0")
    if start.tzinfo is None:
        raise ValueError(f"start must carry a time zone, got {start!r}: pass e.g. datetime(2026, 1, 1, tzinfo=UTC)")

    vocabulary = vocabulary_module.load()
    rng = np.random.default_rng(seed)
    creators = creators_module.draw(max(_MIN_CREATORS, videos // _VIDEOS_PER_CREATOR), vocabulary, rng)
    kind, cell = _kinds(videos, rng)
    creator = _authors(creators, kind, cell, rng)
    topic, lookalike = _topics(vocabulary, creators, creator, kind, cell, rng)
    enforcement = _enforcement(vocabulary, kind, cell, topic, rng)
    language = np.where(rng.random(videos) < _LOCAL_LANGUAGE_PER_VIDEO, creators.language[creator], 0)
    language[kind == _AD] = 0
    language[lookalike >= 0] = 0

    offsets = np.sort(rng.random(videos)) * HISTORY.total_seconds()
    age_days = (HISTORY.total_seconds() - offsets) / 86_400
    duration = np.clip(np.round(rng.lognormal(math.log(22.0), 0.8, size=videos), 1), 7.0, 180.0)
    counters = _counters(creators, creator, kind, cell, enforcement, age_days, rng)
    texts = captions.everyday_texts(vocabulary, rng, kind=kind, topic=topic, language=language)
    languages = [LANGUAGES[code] for code in language.tolist()]
    _mental_health_texts(vocabulary, rng, kind, cell, texts, languages)
    for index in np.flatnonzero(lookalike >= 0).tolist():
        texts[index] = captions.lookalike_text(vocabulary, rng, int(lookalike[index]))

    truth = [model.Label(mh_related=True, theme=theme, harm=harm, probability=1.0) for theme, harm in _CELLS]
    creator_ids = [creators.records[author].id for author in creator.tolist()]
    levels = [_ENFORCEMENTS[level] for level in enforcement.tolist()]
    base = start - HISTORY
    created = [base + dt.timedelta(seconds=second) for second in offsets.astype(np.int64).tolist()]
    regions = [REGIONS[code] for code in creators.region[creator].tolist()]
    topic_names = [vocabulary.topics[t].name for t in topic.tolist()]
    kinds, cells, durations, counts = kind.tolist(), cell.tolist(), duration.tolist(), counters.tolist()
    records = []
    for index in range(videos):
        text = texts[index]
        assert text is not None
        caption = f"{text[0]} (18+)" if levels[index] is model.Enforcement.RESTRICTED else text[0]
        records.append(
            model.Video(
                id=f"v{index:07d}",
                creator_id=creator_ids[index],
                caption=caption,
                hashtags=text[1],
                duration_s=durations[index],
                created_at=created[index],
                language=languages[index],
                region=regions[index],
                counters=model.Counters(*counts[index]),
                enforcement=levels[index],
                topic=topic_names[index],
                is_ad=kinds[index] == _AD,
                label=None,
            )
        )
    key = {f"v{index:07d}": truth[cells[index]] if kinds[index] == _MH else model.NOT_MH for index in range(videos)}
    return World(creators=creators.records, videos=tuple(records), answer_key=key)


def _mental_health_texts(
    vocabulary: vocabulary_module.Vocabulary,
    rng: np.random.Generator,
    kind: IntArray,
    cell: IntArray,
    texts: list[captions.Text | None],
    languages: list[str],
) -> None:
    """Write each mental-health video's text (and language) in a style drawn at the calibrated shares."""
    rows = np.flatnonzero(kind == _MH).tolist()
    styles = list(vocabulary.styles)
    style = rng.choice(len(styles), size=len(rows), p=[vocabulary.styles[s] for s in styles]).tolist()
    foreign = list(vocabulary.foreign)
    weights = np.array([vocabulary.foreign[name].weight for name in foreign])
    language = rng.choice(len(foreign), size=len(rows), p=weights / weights.sum()).tolist()
    for position, index in enumerate(rows):
        name = styles[style[position]]
        spoken = foreign[language[position]] if name == "translated" else "en"
        texts[index] = captions.mental_health_text(vocabulary, rng, _CELLS[int(cell[index])], name, spoken)
        languages[index] = spoken


def _kinds(videos: int, rng: np.random.Generator) -> tuple[IntArray, IntArray]:
    """Which videos are everyday, mental-health or ads, and each mental-health video's (theme, harm) cell.

    Counts are exact quotas, so a small catalog keeps the proportions and a
    large one has every theme and harm level.
    """
    mh_count = round(videos * MH_SHARE)
    ad_count = round(videos * AD_SHARE)
    order = rng.permutation(videos)
    kind = np.full(videos, _EVERYDAY, dtype=np.int64)
    kind[order[:mh_count]] = _MH
    kind[order[mh_count : mh_count + ad_count]] = _AD
    cell = np.zeros(videos, dtype=np.int64)
    cell[kind == _MH] = rng.permutation(np.repeat(np.arange(len(_CELLS)), sampling.quotas(mh_count, _CELL_SHARES)))
    return kind, cell


def _authors(creators: creators_module.Creators, kind: IntArray, cell: IntArray, rng: np.random.Generator) -> IntArray:
    """Everyday videos and ads by everyday creators; mental-health videos mostly by
    their own creators, supportive ones half by verified professionals."""

    def draw(creator_kind: int, size: int) -> IntArray:
        members, weights = creators.pool(creator_kind)
        return rng.choice(members, size=size, p=weights)

    creator = np.zeros(len(kind), dtype=np.int64)
    everyday = np.flatnonzero(kind != _MH)
    creator[everyday] = draw(creators_module.EVERYDAY, len(everyday))

    mh = np.flatnonzero(kind == _MH)
    kinds = (creators_module.EVERYDAY, creators_module.MENTAL_HEALTH, creators_module.PROFESSIONAL)
    draws = {k: draw(k, len(mh)) for k in kinds}
    supportive = _CELL_HARM[cell[mh]] == _harm_code(model.Harm.SUPPORTIVE)
    professional = supportive & (rng.random(len(mh)) < _SUPPORTIVE_FROM_PROFESSIONALS)
    mh_creator = ~professional & (rng.random(len(mh)) < _OTHERS_FROM_MH_CREATORS)
    creator[mh] = np.where(
        professional,
        draws[creators_module.PROFESSIONAL],
        np.where(mh_creator, draws[creators_module.MENTAL_HEALTH], draws[creators_module.EVERYDAY]),
    )
    return creator


def _topics(
    vocabulary: vocabulary_module.Vocabulary,
    creators: creators_module.Creators,
    creator: IntArray,
    kind: IntArray,
    cell: IntArray,
    rng: np.random.Generator,
) -> tuple[IntArray, IntArray]:
    """Each video's topic, and which look-alike (-1: none) an everyday video carries.

    Everyday videos: mostly the creator's main topic, some the second, a few
    anything. Mental-health videos: one of the ordinary topics their theme is
    posted under (`placement`), so no topic gives them away. Look-alikes take
    their own topic (a crypto joke is a finance video).
    """
    weights = np.array([topic.weight for topic in vocabulary.topics])
    roll = rng.random(len(kind))
    anything = rng.choice(len(vocabulary.topics), size=len(kind), p=weights / weights.sum())
    primary, secondary = creators.primary[creator], creators.secondary[creator]
    topic = np.where(roll < 0.05, anything, np.where((secondary >= 0) & (roll < 0.30), secondary, primary))
    names = [entry.name for entry in vocabulary.topics]
    mh = np.flatnonzero(kind == _MH)
    pick = rng.random(len(mh))
    for position, index in enumerate(mh.tolist()):
        placed = vocabulary.placement[_CELLS[int(cell[index])][0]]
        topic[index] = names.index(placed[min(int(pick[position] * len(placed)), len(placed) - 1)])
    lookalike = np.full(len(kind), -1, dtype=np.int64)
    everyday = np.flatnonzero(kind == _EVERYDAY)
    chosen = rng.permutation(everyday)[: round(len(everyday) * LOOKALIKE_SHARE)]
    lookalike[chosen] = rng.integers(0, len(vocabulary.lookalikes), size=len(chosen))
    for index in chosen.tolist():
        topic[index] = names.index(vocabulary.lookalikes[int(lookalike[index])].topic)
    return topic.astype(np.int64), lookalike


def _enforcement(
    vocabulary: vocabulary_module.Vocabulary, kind: IntArray, cell: IntArray, topic: IntArray, rng: np.random.Generator
) -> IntArray:
    """Moderation outcomes, by exact shares so that small catalogs keep the proportions."""
    enforcement = np.full(len(kind), _enforcement_code(model.Enforcement.ALLOWED), dtype=np.int64)
    harm = np.where(kind == _MH, _CELL_HARM[cell], _harm_code(model.Harm.NONE))

    violative = rng.permutation(np.flatnonzero(harm == _harm_code(model.Harm.VIOLATIVE)))
    ineligible = math.floor(len(violative) * _VIOLATIVE_FYF_INELIGIBLE)
    enforcement[violative[:ineligible]] = _enforcement_code(model.Enforcement.FYF_INELIGIBLE)
    enforcement[violative[ineligible:]] = _enforcement_code(model.Enforcement.NOT_ALLOWED)

    harmful = rng.permutation(np.flatnonzero(harm == _harm_code(model.Harm.POTENTIALLY_HARMFUL)))
    ineligible = math.floor(len(harmful) * _PH_FYF_INELIGIBLE)
    enforcement[harmful[:ineligible]] = _enforcement_code(model.Enforcement.FYF_INELIGIBLE)

    adult = [i for i, entry in enumerate(vocabulary.topics) if entry.name in vocabulary_module.RESTRICTED_TOPICS]
    eligible = rng.permutation(np.flatnonzero((kind == _EVERYDAY) & np.isin(topic, adult)))
    enforcement[eligible[: round(len(kind) * RESTRICTED_SHARE)]] = _enforcement_code(model.Enforcement.RESTRICTED)
    return enforcement


def _counters(
    creators: creators_module.Creators,
    creator: IntArray,
    kind: IntArray,
    cell: IntArray,
    enforcement: IntArray,
    age_days: FloatArray,
    rng: np.random.Generator,
) -> IntArray:
    """Views, likes, comments, shares, saves (one row per video).

    Views follow the creator's Zipf reach, a log-normal per-video luck and the
    video's age (the first days bring most views).
    """
    n = len(kind)
    views = creators.reach[creator] * rng.lognormal(0.0, 1.3, size=n) * (0.1 + 0.9 * -np.expm1(-age_days / 2.0))
    views[enforcement == _enforcement_code(model.Enforcement.NOT_ALLOWED)] *= 0.1  # taken down early
    # Relatable and romanticising sad posts are commented, shared and saved
    # more: what engagement ranking rewards, and what the audit must see.
    harm = _CELL_HARM[cell]
    sad = (kind == _MH) & (
        (harm == _harm_code(model.Harm.NEUTRAL)) | (harm == _harm_code(model.Harm.POTENTIALLY_HARMFUL))
    )
    boost = np.where(sad, 1.4, 1.0)
    rates = np.stack(
        [
            np.ones(n),
            rng.beta(2.0, 22.0, size=n),
            rng.beta(1.0, 250.0, size=n) * boost,
            rng.beta(1.0, 200.0, size=n) * boost,
            rng.beta(1.0, 150.0, size=n) * boost,
        ],
        axis=1,
    )
    return np.floor(views[:, None] * np.minimum(rates, 1.0)).astype(np.int64)
