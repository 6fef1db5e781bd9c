"""Captions and hashtags for every video of the synthetic world.

Everyday videos and ads: template x subject, 1-4 topic tags plus 0-2 generic
ones (2-6 in all), vectorised. A few everyday videos are look-alikes (the
mental-health word in another sense). Mental-health videos, by style: plain
(the cell's caption and tags), coded (without the obvious words), tags only,
a lyric or quote edit, or another language -- so that, as on real feeds,
about half carry no obvious keyword.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from safefeed import model
from safefeed.content.world import sampling
from safefeed.content.world import vocabulary as vocabulary_module

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
Text = tuple[str, tuple[str, ...]]

EVERYDAY, MENTAL_HEALTH, AD = 0, 1, 2  # video kinds


def _pick(rng: np.random.Generator, strings: tuple[str, ...], count: int) -> list[str]:
    """Up to `count` distinct strings, in a random order."""
    count = min(count, len(strings))
    return [strings[i] for i in rng.choice(len(strings), size=count, replace=False).tolist()]


MAX_TAGS = 6


def _unique(tags: list[str]) -> tuple[str, ...]:
    """Distinct tags in order, at most `MAX_TAGS` (as everyday posts carry)."""
    return tuple(dict.fromkeys(tag for tag in tags if tag))[:MAX_TAGS]


def mental_health_text(
    vocabulary: vocabulary_module.Vocabulary,
    rng: np.random.Generator,
    cell: tuple[model.Theme, model.Harm],
    style: str,
    language: str,
) -> Text:
    """One mental-health post in `style` (see `vocabulary_module.STYLES`); `language` only for 'translated'."""
    theme, harm = cell
    voice = vocabulary.voices[cell]
    feeling = vocabulary_module.mood(theme, harm)
    tone = vocabulary.tone[harm][int(rng.integers(len(vocabulary.tone[harm])))]
    generic = vocabulary.generic_hashtags["en"]
    lead = _pick(rng, generic, int(rng.integers(1, 3)))
    if style == "plain":
        caption = voice.captions[int(rng.integers(len(voice.captions)))] + tone
        return caption, _unique([lead[0], *_pick(rng, voice.hashtags, int(rng.integers(1, 4))), *lead[1:]])
    if style == "coded":
        caption = voice.coded_captions[int(rng.integers(len(voice.coded_captions)))] + tone
        return caption, _unique([lead[0], *_pick(rng, voice.coded_hashtags, int(rng.integers(1, 4))), *lead[1:]])
    if style == "hashtags_only":
        caption = vocabulary.bare_captions[int(rng.integers(len(vocabulary.bare_captions)))]
        pool = voice.hashtags if rng.random() < 0.6 else voice.coded_hashtags
        tags = [*_pick(rng, vocabulary.mood_tags, int(rng.integers(2, 5))), *_pick(rng, pool, int(rng.integers(1, 3)))]
        return caption, _unique([*lead, *list(rng.permutation(tags))])
    if style == "edit":
        lines = vocabulary.edit_lines[feeling]
        caption = lines[int(rng.integers(len(lines)))] + tone
        tags = [*_pick(rng, vocabulary.edit_tags, int(rng.integers(2, 4))), *_pick(rng, vocabulary.mood_tags, 1)]
        if rng.random() < 0.4:
            tags += _pick(rng, voice.coded_hashtags, 1)
        return caption, _unique([lead[0], *tags])
    assert style == "translated", f"unknown caption style {style!r}"
    foreign = vocabulary.foreign[language]
    lines = foreign.lines[feeling]
    caption = lines[int(rng.integers(len(lines)))] + tone
    tags = [*_pick(rng, foreign.mood_tags[feeling], int(rng.integers(1, 3))), *_pick(rng, foreign.tags, 2)]
    return caption, _unique(tags)


def lookalike_text(vocabulary: vocabulary_module.Vocabulary, rng: np.random.Generator, entry: int) -> Text:
    """An everyday post that carries a mental-health word in another sense."""
    lookalike = vocabulary.lookalikes[entry]
    caption = lookalike.captions[int(rng.integers(len(lookalike.captions)))]
    tags = [*_pick(rng, lookalike.hashtags, int(rng.integers(1, 4))), *_pick(rng, vocabulary.generic_hashtags["en"], 1)]
    return caption, _unique(tags)


def everyday_texts(
    vocabulary: vocabulary_module.Vocabulary,
    rng: np.random.Generator,
    *,
    kind: IntArray,
    topic: IntArray,
    language: IntArray,
) -> list[Text | None]:
    """Caption and tags of every everyday video and ad (None for mental-health rows), vectorised."""
    n = len(kind)
    # Rows draw from "pools" of strings, named by number, so every draw is one
    # vectorised call whatever the pool's length.
    pools: list[tuple[str, ...]] = [("",)]
    numbers: dict[tuple[str, ...], int] = {("",): 0}

    def pool(strings: tuple[str, ...]) -> int:
        if strings not in numbers:
            numbers[strings] = len(pools)
            pools.append(strings)
        return numbers[strings]

    captions = np.zeros(n, dtype=np.int64)
    fillers = np.zeros(n, dtype=np.int64)
    own_tags = np.zeros(n, dtype=np.int64)
    extra_tags = np.zeros(n, dtype=np.int64)

    def assign(rows: BoolArray, caption: int, filler: int, own: int, extra: int) -> None:
        captions[rows], fillers[rows], own_tags[rows], extra_tags[rows] = caption, filler, own, extra

    for t, entry in enumerate(vocabulary.topics):
        subjects, tags = pool(entry.subjects), pool(entry.hashtags)
        for code, name in enumerate(vocabulary_module.LANGUAGES[:4]):
            templates = vocabulary.templates[name] + (entry.templates if name == "en" else ())
            rows = (kind == EVERYDAY) & (topic == t) & (language == code)
            assign(rows, pool(templates), subjects, tags, pool(vocabulary.generic_hashtags[name]))
        assign((kind == AD) & (topic == t), pool(vocabulary.ad_templates), subjects, tags, pool(vocabulary.ad_hashtags))

    sizes = np.array([len(strings) for strings in pools], dtype=np.int64)
    caption_pick = sampling.uniform_index(rng, sizes[captions]).tolist()
    filler_pick = sampling.uniform_index(rng, sizes[fillers]).tolist()
    number = rng.integers(2, 31, size=n).tolist()
    ending = rng.integers(0, len(vocabulary.endings), size=n).tolist()
    own_count = rng.choice(np.arange(1, 5), size=n, p=[0.25, 0.35, 0.25, 0.15])
    extra_count = rng.choice(np.arange(0, 3), size=n, p=[0.3, 0.45, 0.25])
    extra_count[kind == AD] = 1
    own_count[own_count + extra_count < 2] += 1
    own_picked = sampling.distinct(rng, sizes[own_tags], np.minimum(own_count, sizes[own_tags])).tolist()
    extra_picked = sampling.distinct(rng, sizes[extra_tags], np.minimum(extra_count, sizes[extra_tags])).tolist()

    texts: list[Text | None] = []
    rows_of = zip(
        kind.tolist(), captions.tolist(), fillers.tolist(), own_tags.tolist(), extra_tags.tolist(), strict=True
    )
    for index, (what, caption_pool, filler_pool, own_pool, extra_pool) in enumerate(rows_of):
        if what == MENTAL_HEALTH:
            texts.append(None)
            continue
        template = pools[caption_pool][caption_pick[index]]
        filler = pools[filler_pool][filler_pick[index]]
        own = [pools[own_pool][j] for j in own_picked[index] if j >= 0]
        extra = [pools[extra_pool][j] for j in extra_picked[index] if j >= 0]
        caption = template.format(subject=filler, n=number[index])
        if what == AD:
            texts.append((caption, (*extra, *own)))
        else:
            texts.append((caption + vocabulary.endings[ending[index]], (*own, *extra)))
    return texts
