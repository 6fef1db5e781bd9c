"""The seeded demo catalog: the embedded default for the demo and the audit lab.

A feed and an audit need a catalog that looks like a short-video platform's:
many everyday topics, a few creators with most of the views, and a small share
(about 2%) of mental-health videos spread over themes and harm levels, each
with its ground-truth label. Everything is drawn from one `numpy` generator
seeded by the caller, so `generate(n, seed=s)` is the same catalog every time.

The texts come from `data/topics.toml`. Mental-health captions imitate the tone
and hashtags of real posts (about a third avoid the obvious words, as real
posts do) but never describe a method or give an instruction.

>>> catalog = generate(200, seed=7)
>>> len(catalog.videos), catalog.videos[0].id
(200, 'v0000000')
>>> catalog == generate(200, seed=7)
True
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import importlib.resources
import math
import tomllib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from safefeed import model

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

DEFAULT_START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
"""Videos are posted during the `HISTORY` before this instant."""

HISTORY = dt.timedelta(days=90)

MENTAL_HEALTH_TOPIC = "mental_health"
"""The `topic` of every mental-health video (the everyday topics are in `topics()`)."""

EDUCATIONAL_TOPICS = frozenset({"science", "maths", "history", "diy", "space", "coding", "language_learning", "nature"})
"""Topics that feed the STEM tab."""

REGIONS = ("US", "GB", "KE", "PH", "IN", "DE", "FR", "ES", "BR")
_REGION_WEIGHTS = (0.28, 0.12, 0.12, 0.12, 0.12, 0.05, 0.05, 0.07, 0.07)

LANGUAGES = ("en", "es", "sw", "tl")
# Chance that a creator from the region prefers the language (else English).
_LOCAL_LANGUAGE = {"US": ("es", 0.06), "ES": ("es", 0.7), "KE": ("sw", 0.3), "PH": ("tl", 0.3)}
_LOCAL_LANGUAGE_PER_VIDEO = 0.85  # such creators still post some videos in English

MH_SHARE = 0.02
AD_SHARE = 0.01
RESTRICTED_SHARE = 0.005
RESTRICTED_TOPICS = frozenset({"finance", "cars", "comedy", "memes", "movies", "gaming"})
CODED_SHARE = 0.3
"""Share of mental-health videos whose text avoids the obvious keywords."""

# Calibration of the mental-health slice: theme shares, then harm shares within
# a theme. Overall this gives about 38% supportive, 36% neutral, 24% potentially
# harmful and 2% violative; only self-harm, suicide and eating have violative items.
_THEME_WEIGHTS: Mapping[model.Theme, float] = {
    model.Theme.SADNESS_DEPRESSION: 0.22,
    model.Theme.ANXIETY_STRESS: 0.17,
    model.Theme.LONELINESS: 0.09,
    model.Theme.SELF_HARM: 0.07,
    model.Theme.SUICIDE: 0.05,
    model.Theme.EATING_BODY_IMAGE: 0.10,
    model.Theme.TRAUMA_GRIEF: 0.09,
    model.Theme.NEURODIVERGENCE: 0.07,
    model.Theme.THERAPY_RECOVERY_SUPPORT: 0.14,
}
_H = model.Harm
_EVERYDAY_HARMS = {_H.SUPPORTIVE: 0.30, _H.NEUTRAL: 0.42, _H.POTENTIALLY_HARMFUL: 0.28}
_SEVERE_HARMS = {_H.SUPPORTIVE: 0.30, _H.NEUTRAL: 0.30, _H.POTENTIALLY_HARMFUL: 0.32, _H.VIOLATIVE: 0.08}
_HARM_WEIGHTS: Mapping[model.Theme, Mapping[model.Harm, float]] = {
    model.Theme.SADNESS_DEPRESSION: _EVERYDAY_HARMS,
    model.Theme.ANXIETY_STRESS: _EVERYDAY_HARMS,
    model.Theme.LONELINESS: _EVERYDAY_HARMS,
    model.Theme.SELF_HARM: _SEVERE_HARMS,
    model.Theme.SUICIDE: _SEVERE_HARMS,
    model.Theme.EATING_BODY_IMAGE: _SEVERE_HARMS,
    model.Theme.TRAUMA_GRIEF: _EVERYDAY_HARMS,
    model.Theme.NEURODIVERGENCE: {_H.SUPPORTIVE: 0.40, _H.NEUTRAL: 0.45, _H.POTENTIALLY_HARMFUL: 0.15},
    model.Theme.THERAPY_RECOVERY_SUPPORT: {_H.SUPPORTIVE: 0.80, _H.NEUTRAL: 0.20},
}
# Platforms miss things: most potentially harmful videos stay ALLOWED, which is
# what lets an engagement-only feed serve them. Violative ones are mostly removed.
_PH_FYF_INELIGIBLE = 0.12
_VIOLATIVE_FYF_INELIGIBLE = 0.25
_SUPPORTIVE_FROM_PROFESSIONALS = 0.5
_OTHERS_FROM_MH_CREATORS = 0.8  # the rest are one-off posts by everyday creators

_VIDEOS_PER_CREATOR = 20
_MIN_CREATORS = 10
_PROFESSIONAL_CREATORS = 0.01
_MH_CREATORS = 0.03
_ACTIVITY_EXPONENT = 0.5  # Zipf: how many videos a creator posts, by popularity rank
_REACH_EXPONENT = 0.5  # Zipf: how many views a creator's videos get, by the same rank

_EVERYDAY_CREATOR, _MH_CREATOR, _PROFESSIONAL = 0, 1, 2  # creator kinds
_EVERYDAY, _MH, _AD = 0, 1, 2  # video kinds


# -- vocabulary ---------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class _Topic:
    name: str
    weight: float
    handle: str
    subjects: tuple[str, ...]
    hashtags: tuple[str, ...]
    templates: tuple[str, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class _Voice:
    """The texts of one (theme, harm) cell: plain, and coded (without the obvious words)."""

    captions: tuple[str, ...]
    hashtags: tuple[str, ...]
    coded_captions: tuple[str, ...]
    coded_hashtags: tuple[str, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class _Vocabulary:
    topics: tuple[_Topic, ...]
    templates: Mapping[str, tuple[str, ...]]  # language -> caption templates
    ad_templates: tuple[str, ...]
    endings: tuple[str, ...]  # appended to everyday captions
    generic_hashtags: Mapping[str, tuple[str, ...]]  # language -> generic tags (fyp, ...)
    ad_hashtags: tuple[str, ...]
    first_names: tuple[str, ...]
    mh_handles: tuple[str, ...]
    professional_names: tuple[str, ...]
    tone: Mapping[model.Harm, tuple[str, ...]]
    voices: Mapping[tuple[model.Theme, model.Harm], _Voice]


def _strings(table: Mapping[str, Any], key: str, *, optional: bool = False) -> tuple[str, ...]:
    value = table.get(key, [] if optional else None)
    assert isinstance(value, list), f"topics.toml: {key!r} must be a list of strings"
    assert all(isinstance(item, str) for item in value), f"topics.toml: {key!r} must hold strings only"
    assert optional or value, f"topics.toml: {key!r} must not be empty"
    return tuple(str(item) for item in value)


@functools.cache
def _vocabulary() -> _Vocabulary:
    """Read and check the bundled vocabularies once; a broken file is our bug, hence asserts."""
    raw = importlib.resources.files("safefeed.content").joinpath("data/topics.toml").read_bytes()
    data = tomllib.loads(raw.decode("utf-8"))
    topics = tuple(
        _Topic(
            name=str(entry["name"]),
            weight=float(entry["weight"]),
            handle=str(entry["handle"]),
            subjects=_strings(entry, "subjects"),
            hashtags=_strings(entry, "hashtags"),
            templates=_strings(entry, "templates", optional=True),
        )
        for entry in data["topic"]
    )
    names = [topic.name for topic in topics]
    assert len(set(names)) == len(names), "topics.toml: topic names must be unique"
    assert set(names) >= EDUCATIONAL_TOPICS, f"unknown educational topics: {EDUCATIONAL_TOPICS - set(names)}"
    assert set(names) >= RESTRICTED_TOPICS, f"unknown restricted topics: {RESTRICTED_TOPICS - set(names)}"
    templates = {language: _strings(data["templates"], language) for language in LANGUAGES}
    hashtags = data["hashtags"]
    generic = {
        language: _strings(hashtags, "generic") + (() if language == "en" else _strings(hashtags, language))
        for language in LANGUAGES
    }
    voices: dict[tuple[model.Theme, model.Harm], _Voice] = {}
    for theme, harms in _HARM_WEIGHTS.items():
        for harm in harms:
            table = data["mental_health"][theme.value][harm.value]
            voices[theme, harm] = _Voice(
                captions=_strings(table, "captions"),
                hashtags=_strings(table, "hashtags"),
                coded_captions=_strings(table, "coded_captions"),
                coded_hashtags=_strings(table, "coded_hashtags"),
            )
    # Tags are drawn from a topic pool and a generic pool without replacement;
    # disjoint pools are what guarantees each video its 2-6 distinct tags.
    generic_tags = set(generic["en"]) | {tag for language in LANGUAGES for tag in generic[language]}
    for topic in topics:
        assert not generic_tags & set(topic.hashtags), f"{topic.name}: tags overlap the generic ones"
    for cell, voice in voices.items():
        assert not generic_tags & set(voice.hashtags + voice.coded_hashtags), f"{cell}: overlaps generic tags"
    return _Vocabulary(
        topics=topics,
        templates=templates,
        ad_templates=_strings(data["templates"], "ads"),
        endings=_strings(data["templates"], "endings"),
        generic_hashtags=generic,
        ad_hashtags=_strings(hashtags, "ads"),
        first_names=_strings(data["names"], "first"),
        mh_handles=_strings(data["names"], "mental_health"),
        professional_names=_strings(data["names"], "professional"),
        tone={harm: _strings(data["tone"], harm.value) for harm in model.Harm if harm is not model.Harm.NONE},
        voices=voices,
    )


def topics() -> tuple[str, ...]:
    """The everyday topics, in the order of the vocabulary file (without `MENTAL_HEALTH_TOPIC`)."""
    return tuple(topic.name for topic in _vocabulary().topics)


# -- sampling helpers ----------------------------------------------------------


def _quotas(total: int, shares: Sequence[float]) -> IntArray:
    """Split `total` by `shares` with the largest-remainder method, so proportions hold exactly.

    >>> _quotas(10, [0.5, 0.3, 0.2]).tolist()
    [5, 3, 2]
    >>> _quotas(7, [0.5, 0.3, 0.2]).tolist()
    [4, 2, 1]
    """
    weights = np.asarray(shares, dtype=np.float64)
    raw = total * weights / weights.sum()
    counts: IntArray = np.floor(raw).astype(np.int64)
    remainder = raw - counts
    order = np.argsort(-remainder, kind="stable")
    counts[order[: total - int(counts.sum())]] += 1
    return counts


def _uniform_index(rng: np.random.Generator, sizes: IntArray) -> IntArray:
    """One index in range(sizes[i]) for every row, whatever each row's size."""
    return np.minimum((rng.random(len(sizes)) * sizes).astype(np.int64), sizes - 1)


def _distinct(rng: np.random.Generator, sizes: IntArray, counts: IntArray) -> IntArray:
    """Per row, `counts[i]` distinct indices in range(sizes[i]) (a row of -1 where unused)."""
    rows = len(sizes)
    width = int(sizes.max()) if rows else 0
    keys = rng.random((rows, width))
    keys[np.arange(width)[None, :] >= sizes[:, None]] = np.inf
    picked = np.argsort(keys, axis=1)[:, : int(counts.max()) if rows else 0].astype(np.int64)
    picked[np.arange(picked.shape[1])[None, :] >= counts[:, None]] = -1
    return picked


# -- creators ------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class _Creators:
    """Creators as parallel arrays (index = position in `records`)."""

    records: tuple[model.Creator, ...]
    kind: IntArray
    activity: FloatArray  # relative number of videos posted
    reach: FloatArray  # typical views of one video
    primary: IntArray  # topic index (-1 for mental-health creators)
    secondary: IntArray  # topic index, -1 where the creator sticks to one topic
    region: IntArray
    language: IntArray

    def pool(self, kind: int) -> tuple[IntArray, FloatArray]:
        """Creators of one kind and their chance to be the author of the next video."""
        members = np.flatnonzero(self.kind == kind).astype(np.int64)
        weights = self.activity[members]
        return members, weights / weights.sum()


def _creators(count: int, vocabulary: _Vocabulary, rng: np.random.Generator) -> _Creators:
    """Everyday creators (a main topic, some a second), mental-health creators and professionals."""
    professionals = max(1, round(count * _PROFESSIONAL_CREATORS))
    mh_creators = max(1, round(count * _MH_CREATORS))
    kind = rng.permutation(
        np.repeat(
            np.array([_PROFESSIONAL, _MH_CREATOR, _EVERYDAY_CREATOR], dtype=np.int64),
            [professionals, mh_creators, count - professionals - mh_creators],
        )
    )
    # Popularity ranks are shuffled so that ids say nothing about popularity.
    rank = rng.permutation(count).astype(np.float64) + 1.0
    activity = rank**-_ACTIVITY_EXPONENT
    reach = 500_000.0 * rank**-_REACH_EXPONENT + 200.0

    topic_weights = np.array([topic.weight for topic in vocabulary.topics])
    topic_weights /= topic_weights.sum()
    n_topics = len(vocabulary.topics)
    primary = rng.choice(n_topics, size=count, p=topic_weights).astype(np.int64)
    secondary = rng.choice(n_topics, size=count, p=topic_weights).astype(np.int64)
    secondary[(rng.random(count) >= 0.6) | (secondary == primary)] = -1
    primary[kind != _EVERYDAY_CREATOR] = -1
    secondary[kind != _EVERYDAY_CREATOR] = -1

    region = rng.choice(len(REGIONS), size=count, p=_REGION_WEIGHTS).astype(np.int64)
    language = np.zeros(count, dtype=np.int64)
    local = rng.random(count)
    for region_name, (language_name, share) in _LOCAL_LANGUAGE.items():
        chosen = (region == REGIONS.index(region_name)) & (local < share)
        language[chosen] = LANGUAGES.index(language_name)

    first = rng.integers(0, len(vocabulary.first_names), size=count).tolist()
    separator = rng.integers(0, 3, size=count).tolist()
    digits = rng.integers(0, 100, size=count).tolist()
    mh_handle = rng.integers(0, len(vocabulary.mh_handles), size=count).tolist()
    professional_name = rng.integers(0, len(vocabulary.professional_names), size=count).tolist()
    records = []
    for index, creator_kind in enumerate(kind.tolist()):
        name = vocabulary.first_names[first[index]]
        if creator_kind == _PROFESSIONAL:
            display = vocabulary.professional_names[professional_name[index]].format(first=name.capitalize())
        elif creator_kind == _MH_CREATOR:
            display = f"{name}.{vocabulary.mh_handles[mh_handle[index]]}"
        else:
            suffix = str(digits[index]) if digits[index] < 40 else ""
            display = f"{name}{('', '.', '_')[separator[index]]}{vocabulary.topics[primary[index]].handle}{suffix}"
        records.append(
            model.Creator(
                id=f"c{index:06d}",
                name=display,
                verified_professional=creator_kind == _PROFESSIONAL,
                region=REGIONS[region[index]],
            )
        )
    return _Creators(tuple(records), kind, activity, reach, primary, secondary, region, language)


# -- the catalog ---------------------------------------------------------------

_CELLS: tuple[tuple[model.Theme, model.Harm], ...] = tuple(
    (theme, harm) for theme, harms in _HARM_WEIGHTS.items() for harm in harms
)
_CELL_SHARES = tuple(_THEME_WEIGHTS[theme] * _HARM_WEIGHTS[theme][harm] for theme, harm in _CELLS)
_CELL_HARM = np.array([list(model.Harm).index(harm) for _, harm in _CELLS], dtype=np.int64)
_ENFORCEMENTS = tuple(model.Enforcement)


def _harm_code(harm: model.Harm) -> int:
    return list(model.Harm).index(harm)


def _enforcement_code(level: model.Enforcement) -> int:
    return _ENFORCEMENTS.index(level)


def generate(videos: int, *, seed: int, start: dt.datetime = DEFAULT_START) -> model.Catalog:
    """A realistic synthetic catalog of `videos` videos, the same for the same (videos, seed, start).

    Every video carries its ground-truth label; about `MH_SHARE` of them are
    mental-health videos (topic `MENTAL_HEALTH_TOPIC`), the rest spread over
    the everyday `topics()`. Video ids follow `created_at`, oldest first.
    """
    if isinstance(videos, bool) or not isinstance(videos, int) or videos < 1:
        raise ValueError(f"videos must be an integer >= 1, got {videos!r}: pass how many videos to generate")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}: pass e.g. seed=0")
    if start.tzinfo is None:
        raise ValueError(f"start must carry a time zone, got {start!r}: pass e.g. datetime(2026, 1, 1, tzinfo=UTC)")

    vocabulary = _vocabulary()
    rng = np.random.default_rng(seed)
    creators = _creators(max(_MIN_CREATORS, videos // _VIDEOS_PER_CREATOR), vocabulary, rng)
    kind, cell = _kinds(videos, rng)
    creator = _authors(creators, kind, cell, rng)
    topic = _topics(vocabulary, creators, creator, kind, rng)
    enforcement = _enforcement(vocabulary, kind, cell, topic, rng)
    # Everyday videos follow the creator's language; ads and mental-health posts are English.
    language = np.where(rng.random(videos) < _LOCAL_LANGUAGE_PER_VIDEO, creators.language[creator], 0)
    language[kind != _EVERYDAY] = 0

    # Posting times, sorted so that ids follow time; the other columns are
    # independent of position, so sorting changes no distribution.
    offsets = np.sort(rng.random(videos)) * HISTORY.total_seconds()
    age_days = (HISTORY.total_seconds() - offsets) / 86_400
    duration = np.clip(np.round(rng.lognormal(math.log(22.0), 0.8, size=videos), 1), 7.0, 180.0)
    counters = _counters(creators, creator, kind, cell, enforcement, age_days, rng)
    texts = _texts(vocabulary, rng, kind=kind, topic=topic, language=language, cell=cell)

    labels = [
        model.Label(mh_related=True, theme=theme, harm=harm, probability=1.0, source=model.LabelSource.GROUND_TRUTH)
        for theme, harm in _CELLS
    ]
    # Plain lists: building the frozen dataclasses is the main cost, so the
    # loop below does nothing else.
    creator_ids = [creators.records[author].id for author in creator.tolist()]
    levels = [_ENFORCEMENTS[level] for level in enforcement.tolist()]
    captions = [
        f"{caption} (18+)" if level is model.Enforcement.RESTRICTED else caption
        for (caption, _), level in zip(texts, levels, strict=True)
    ]
    base = start - HISTORY
    created = [base + dt.timedelta(seconds=second) for second in offsets.astype(np.int64).tolist()]
    languages = [LANGUAGES[code] for code in language.tolist()]
    regions = [REGIONS[code] for code in creators.region[creator].tolist()]
    topic_names = [MENTAL_HEALTH_TOPIC if t < 0 else vocabulary.topics[t].name for t in topic.tolist()]
    kinds, cells, durations, counts = kind.tolist(), cell.tolist(), duration.tolist(), counters.tolist()
    records = tuple(
        model.Video(
            id=f"v{index:07d}",
            creator_id=creator_ids[index],
            caption=captions[index],
            hashtags=texts[index][1],
            duration_s=durations[index],
            created_at=created[index],
            language=languages[index],
            region=regions[index],
            counters=model.Counters(*counts[index]),
            enforcement=levels[index],
            topic=topic_names[index],
            is_ad=kinds[index] == _AD,
            label=labels[cells[index]] if kinds[index] == _MH else model.NOT_MH,
        )
        for index in range(videos)
    )
    return model.Catalog(creators=creators.records, videos=records)


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
    cell[kind == _MH] = rng.permutation(np.repeat(np.arange(len(_CELLS)), _quotas(mh_count, _CELL_SHARES)))
    return kind, cell


def _authors(creators: _Creators, kind: IntArray, cell: IntArray, rng: np.random.Generator) -> IntArray:
    """Everyday videos and ads by everyday creators; mental-health videos mostly by
    their own creators, supportive ones half by verified professionals."""

    def draw(creator_kind: int, size: int) -> IntArray:
        members, weights = creators.pool(creator_kind)
        return rng.choice(members, size=size, p=weights)

    creator = np.zeros(len(kind), dtype=np.int64)
    everyday = np.flatnonzero(kind != _MH)
    creator[everyday] = draw(_EVERYDAY_CREATOR, len(everyday))

    mh = np.flatnonzero(kind == _MH)
    draws = {k: draw(k, len(mh)) for k in (_EVERYDAY_CREATOR, _MH_CREATOR, _PROFESSIONAL)}
    supportive = _CELL_HARM[cell[mh]] == _harm_code(model.Harm.SUPPORTIVE)
    professional = supportive & (rng.random(len(mh)) < _SUPPORTIVE_FROM_PROFESSIONALS)
    mh_creator = ~professional & (rng.random(len(mh)) < _OTHERS_FROM_MH_CREATORS)
    creator[mh] = np.where(
        professional,
        draws[_PROFESSIONAL],
        np.where(mh_creator, draws[_MH_CREATOR], draws[_EVERYDAY_CREATOR]),
    )
    return creator


def _topics(
    vocabulary: _Vocabulary, creators: _Creators, creator: IntArray, kind: IntArray, rng: np.random.Generator
) -> IntArray:
    """Mostly the creator's main topic, some the second, a few anything; -1 for mental health."""
    weights = np.array([topic.weight for topic in vocabulary.topics])
    roll = rng.random(len(kind))
    anything = rng.choice(len(vocabulary.topics), size=len(kind), p=weights / weights.sum())
    primary, secondary = creators.primary[creator], creators.secondary[creator]
    topic = np.where(roll < 0.05, anything, np.where((secondary >= 0) & (roll < 0.30), secondary, primary))
    topic[kind == _MH] = -1
    return topic.astype(np.int64)


def _enforcement(
    vocabulary: _Vocabulary, kind: IntArray, cell: IntArray, topic: IntArray, rng: np.random.Generator
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

    adult = [i for i, entry in enumerate(vocabulary.topics) if entry.name in RESTRICTED_TOPICS]
    eligible = rng.permutation(np.flatnonzero((kind == _EVERYDAY) & np.isin(topic, adult)))
    enforcement[eligible[: round(len(kind) * RESTRICTED_SHARE)]] = _enforcement_code(model.Enforcement.RESTRICTED)
    return enforcement


def _counters(
    creators: _Creators,
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


def _texts(
    vocabulary: _Vocabulary,
    rng: np.random.Generator,
    *,
    kind: IntArray,
    topic: IntArray,
    language: IntArray,
    cell: IntArray,
) -> list[tuple[str, tuple[str, ...]]]:
    """Caption and hashtags for every video.

    Everyday videos and ads: template x subject, 1-4 topic tags plus 0-2
    generic ones (2-6 in all). Mental-health videos: a caption and its tone
    ending, 1-3 of the cell's tags (coded ones for `CODED_SHARE`) and 1-2 generic.
    """
    n = len(kind)
    # Rows draw from "pools" of strings, named by number, so every draw is one
    # vectorised call whatever the pool's length.
    pools: list[tuple[str, ...]] = []
    numbers: dict[tuple[str, ...], int] = {}

    def pool(strings: tuple[str, ...]) -> int:
        if strings not in numbers:
            numbers[strings] = len(pools)
            pools.append(strings)
        return numbers[strings]

    captions = np.zeros(n, dtype=np.int64)  # templates, or whole captions for mental health
    fillers = np.zeros(n, dtype=np.int64)  # subjects, or tone endings for mental health
    own_tags = np.zeros(n, dtype=np.int64)
    extra_tags = np.zeros(n, dtype=np.int64)

    def assign(rows: BoolArray, caption: int, filler: int, own: int, extra: int) -> None:
        captions[rows], fillers[rows], own_tags[rows], extra_tags[rows] = caption, filler, own, extra

    for t, entry in enumerate(vocabulary.topics):
        subjects, tags = pool(entry.subjects), pool(entry.hashtags)
        for code, name in enumerate(LANGUAGES):
            templates = vocabulary.templates[name] + (entry.templates if name == "en" else ())
            rows = (kind == _EVERYDAY) & (topic == t) & (language == code)
            assign(rows, pool(templates), subjects, tags, pool(vocabulary.generic_hashtags[name]))
        assign(
            (kind == _AD) & (topic == t),
            pool(vocabulary.ad_templates),
            subjects,
            tags,
            pool(vocabulary.ad_hashtags),
        )
    coded = rng.random(n) < CODED_SHARE
    generic = pool(vocabulary.generic_hashtags["en"])
    for c, (theme, harm) in enumerate(_CELLS):
        voice = vocabulary.voices[theme, harm]
        tone = pool(vocabulary.tone[harm])
        rows = (kind == _MH) & (cell == c)
        assign(rows & ~coded, pool(voice.captions), tone, pool(voice.hashtags), generic)
        assign(rows & coded, pool(voice.coded_captions), tone, pool(voice.coded_hashtags), generic)

    sizes = np.array([len(strings) for strings in pools], dtype=np.int64)
    caption_pick = _uniform_index(rng, sizes[captions]).tolist()
    filler_pick = _uniform_index(rng, sizes[fillers]).tolist()
    number = rng.integers(2, 31, size=n).tolist()
    ending = rng.integers(0, len(vocabulary.endings), size=n).tolist()
    own_count = rng.choice(np.arange(1, 5), size=n, p=[0.25, 0.35, 0.25, 0.15])
    extra_count = rng.choice(np.arange(0, 3), size=n, p=[0.3, 0.45, 0.25])
    extra_count[kind == _AD] = 1
    mh = kind == _MH
    own_count[mh] = np.minimum(own_count[mh], 3)
    extra_count[mh] = np.maximum(extra_count[mh], 1)
    own_count[own_count + extra_count < 2] += 1
    own_picked = _distinct(rng, sizes[own_tags], np.minimum(own_count, sizes[own_tags])).tolist()
    extra_picked = _distinct(rng, sizes[extra_tags], np.minimum(extra_count, sizes[extra_tags])).tolist()

    texts = []
    rows_of = zip(
        kind.tolist(),
        captions.tolist(),
        fillers.tolist(),
        own_tags.tolist(),
        extra_tags.tolist(),
        strict=True,
    )
    for index, (what, caption_pool, filler_pool, own_pool, extra_pool) in enumerate(rows_of):
        template = pools[caption_pool][caption_pick[index]]
        filler = pools[filler_pool][filler_pick[index]]
        own = [pools[own_pool][j] for j in own_picked[index] if j >= 0]
        extra = [pools[extra_pool][j] for j in extra_picked[index] if j >= 0]
        if what == _MH:
            # "#fyp" often leads on these posts, to push them onto For You pages.
            texts.append((template + filler, (*extra[:1], *own, *extra[1:])))
            continue
        caption = template.format(subject=filler, n=number[index])
        if what == _AD:
            texts.append((caption, (*extra, *own)))
        else:
            texts.append((caption + vocabulary.endings[ending[index]], (*own, *extra)))
    return texts
