"""The generator's texts, read once from `content/data/topics.toml` and `content/data/hard_cases.toml`.

`topics.toml` holds the everyday topics and the mental-health voices (one per
(theme, harm) cell, plain and coded). `hard_cases.toml` holds what makes the
world as hard as real captions: where mental-health videos are posted, the
share of each caption style (plain, coded, hashtag-only, lyric/quote edit,
another language) and the everyday look-alikes ("crypto", "quesadilla",
"#childhoodtrauma" on a comedy skit). A broken file is our bug, hence asserts.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.resources
import tomllib
from collections.abc import Mapping
from typing import Any

from safefeed import model

LANGUAGES = ("en", "es", "sw", "tl", "ar")
"""Caption languages; everyday templates exist for the first four, Arabic only in mental-health posts."""

EDUCATIONAL_TOPICS = frozenset({"science", "maths", "history", "diy", "space", "coding", "language_learning", "nature"})
"""Topics that feed the STEM tab."""

RESTRICTED_TOPICS = frozenset({"finance", "cars", "comedy", "memes", "movies", "gaming"})

# Calibration of the mental-health slice: theme shares, then harm shares within
# a theme. Overall this gives about 38% supportive, 36% neutral, 24% potentially
# harmful and 2% violative; only self-harm, suicide and eating have violative items.
THEME_WEIGHTS: Mapping[model.Theme, float] = {
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
HARM_WEIGHTS: Mapping[model.Theme, Mapping[model.Harm, float]] = {
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

STYLES = ("plain", "coded", "hashtags_only", "edit", "translated")
"""How a mental-health caption is written: with the obvious words, coded, tags only, a lyric or quote edit,
or in another language."""

MOODS = ("sad", "grief", "hope", "body")


def mood(theme: model.Theme, harm: model.Harm) -> str:
    """Which edit lines and foreign-language captions suit a (theme, harm) cell.

    >>> mood(model.Theme.TRAUMA_GRIEF, model.Harm.NEUTRAL), mood(model.Theme.SUICIDE, model.Harm.SUPPORTIVE)
    ('grief', 'hope')
    """
    if harm is model.Harm.SUPPORTIVE or theme is model.Theme.THERAPY_RECOVERY_SUPPORT:
        return "hope"
    if theme is model.Theme.TRAUMA_GRIEF:
        return "grief"
    if theme is model.Theme.EATING_BODY_IMAGE:
        return "body"
    return "sad"


@dataclasses.dataclass(frozen=True, slots=True)
class Topic:
    name: str
    weight: float
    handle: str
    subjects: tuple[str, ...]
    hashtags: tuple[str, ...]
    templates: tuple[str, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class Voice:
    """The texts of one (theme, harm) cell: plain, and coded (without the obvious words)."""

    captions: tuple[str, ...]
    hashtags: tuple[str, ...]
    coded_captions: tuple[str, ...]
    coded_hashtags: tuple[str, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class Foreign:
    """Mental-health captions in one other language, by mood, with that language's tags."""

    weight: float
    lines: Mapping[str, tuple[str, ...]]
    mood_tags: Mapping[str, tuple[str, ...]]
    tags: tuple[str, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class Lookalike:
    """Everyday captions that carry a mental-health word in another sense (crypto, quesadilla, a therapy joke)."""

    topic: str
    captions: tuple[str, ...]
    hashtags: tuple[str, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class Vocabulary:
    topics: tuple[Topic, ...]
    templates: Mapping[str, tuple[str, ...]]  # language -> caption templates
    ad_templates: tuple[str, ...]
    endings: tuple[str, ...]  # appended to everyday captions
    generic_hashtags: Mapping[str, tuple[str, ...]]  # language -> generic tags (fyp, ...)
    ad_hashtags: tuple[str, ...]
    first_names: tuple[str, ...]
    mh_handles: tuple[str, ...]
    professional_names: tuple[str, ...]
    tone: Mapping[model.Harm, tuple[str, ...]]
    voices: Mapping[tuple[model.Theme, model.Harm], Voice]
    # hard_cases.toml
    styles: Mapping[str, float]
    placement: Mapping[model.Theme, tuple[str, ...]]  # topics a theme's videos are posted under
    mood_tags: tuple[str, ...]  # sadcore, relatable, pov...: on edits and tag-only posts
    bare_captions: tuple[str, ...]  # what a tag-only post says (mostly nothing)
    edit_lines: Mapping[str, tuple[str, ...]]
    edit_tags: tuple[str, ...]
    foreign: Mapping[str, Foreign]
    lookalikes: tuple[Lookalike, ...]


def strings(table: Mapping[str, Any], key: str, *, optional: bool = False) -> tuple[str, ...]:
    value = table.get(key, [] if optional else None)
    assert isinstance(value, list), f"vocabulary: {key!r} must be a list of strings"
    assert all(isinstance(item, str) for item in value), f"vocabulary: {key!r} must hold strings only"
    assert optional or value, f"vocabulary: {key!r} must not be empty"
    return tuple(str(item) for item in value)


def _read(name: str) -> dict[str, Any]:
    raw = importlib.resources.files("safefeed.content").joinpath(f"data/{name}").read_bytes()
    return tomllib.loads(raw.decode("utf-8"))


@functools.cache
def load() -> Vocabulary:
    """Read and check the bundled vocabularies once."""
    data = _read("topics.toml")
    hard = _read("hard_cases.toml")
    topics = tuple(
        Topic(
            name=str(entry["name"]),
            weight=float(entry["weight"]),
            handle=str(entry["handle"]),
            subjects=strings(entry, "subjects"),
            hashtags=strings(entry, "hashtags"),
            templates=strings(entry, "templates", optional=True),
        )
        for entry in data["topic"]
    )
    names = [topic.name for topic in topics]
    assert len(set(names)) == len(names), "topics.toml: topic names must be unique"
    assert set(names) >= EDUCATIONAL_TOPICS, f"unknown educational topics: {EDUCATIONAL_TOPICS - set(names)}"
    assert set(names) >= RESTRICTED_TOPICS, f"unknown restricted topics: {RESTRICTED_TOPICS - set(names)}"
    everyday_languages = LANGUAGES[:4]
    templates = {language: strings(data["templates"], language) for language in everyday_languages}
    hashtags = data["hashtags"]
    generic = {
        language: strings(hashtags, "generic") + (() if language == "en" else strings(hashtags, language))
        for language in everyday_languages
    }
    voices: dict[tuple[model.Theme, model.Harm], Voice] = {}
    for theme, harms in HARM_WEIGHTS.items():
        for harm in harms:
            table = data["mental_health"][theme.value][harm.value]
            voices[theme, harm] = Voice(
                captions=strings(table, "captions"),
                hashtags=strings(table, "hashtags"),
                coded_captions=strings(table, "coded_captions"),
                coded_hashtags=strings(table, "coded_hashtags"),
            )
    # Tags are drawn from a topic pool and a generic pool without replacement;
    # disjoint pools are what guarantees each video its 2-6 distinct tags.
    generic_tags = {tag for language in everyday_languages for tag in generic[language]}
    for topic in topics:
        assert not generic_tags & set(topic.hashtags), f"{topic.name}: tags overlap the generic ones"
    for cell, voice in voices.items():
        assert not generic_tags & set(voice.hashtags + voice.coded_hashtags), f"{cell}: overlaps generic tags"

    styles = {style: float(hard["styles"][style]) for style in STYLES}
    assert abs(sum(styles.values()) - 1.0) < 1e-9, "hard_cases.toml: [styles] shares must sum to 1"
    placement = {theme: strings(hard["placement"], theme.value) for theme in HARM_WEIGHTS}
    for theme, placed in placement.items():
        assert set(placed) <= set(names), (
            f"hard_cases.toml: {theme} placed in unknown topics {set(placed) - set(names)}"
        )
    foreign = {
        language: Foreign(
            weight=float(table["weight"]),
            lines={m: strings(table["lines"], m) for m in MOODS},
            mood_tags={m: strings(table["mood_tags"], m) for m in MOODS},
            tags=strings(table, "tags"),
        )
        for language, table in hard["foreign"].items()
    }
    assert set(foreign) <= set(LANGUAGES), f"hard_cases.toml: unknown languages {set(foreign) - set(LANGUAGES)}"
    lookalikes = tuple(
        Lookalike(str(entry["topic"]), strings(entry, "captions"), strings(entry, "hashtags"))
        for entry in hard["lookalike"]
    )
    for entry in lookalikes:
        assert entry.topic in names, f"hard_cases.toml: look-alike topic {entry.topic!r} is not a topic"
    return Vocabulary(
        topics=topics,
        templates=templates,
        ad_templates=strings(data["templates"], "ads"),
        endings=strings(data["templates"], "endings"),
        generic_hashtags=generic,
        ad_hashtags=strings(hashtags, "ads"),
        first_names=strings(data["names"], "first"),
        mh_handles=strings(data["names"], "mental_health"),
        professional_names=strings(data["names"], "professional"),
        tone={harm: strings(data["tone"], harm.value) for harm in model.Harm if harm is not model.Harm.NONE},
        voices=voices,
        styles=styles,
        placement=placement,
        mood_tags=strings(hard, "mood_tags"),
        bare_captions=strings(hard, "bare_captions"),
        edit_lines={m: strings(hard["edit"]["lines"], m) for m in MOODS},
        edit_tags=strings(hard["edit"], "tags"),
        foreign=foreign,
        lookalikes=lookalikes,
    )
