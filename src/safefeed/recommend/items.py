"""The catalog as the engine holds it in memory: one row per video, as arrays.

Ranking steps index these arrays by item position; the full `Video` is only
read from the store for the few items that make it onto a page.
"""

from __future__ import annotations

import array
import dataclasses
import datetime as dt
import sys
from collections.abc import Iterable, Mapping

import numpy as np
import numpy.typing as npt

from safefeed import model
from safefeed.recommend import state

HARM_CODES = {harm: code for code, harm in enumerate(model.Harm)}
ENFORCEMENT_CODES = {level: code for code, level in enumerate(model.Enforcement)}
NO_THEME = -1
UNKNOWN = model.Label(mh_related=False, probability=0.0, source=model.LabelSource.CLASSIFIER)  # arrays' filler
THEME_CODES = {theme: code for code, theme in enumerate(model.Theme)}
SOURCE_CODES = {source: code for code, source in enumerate(model.LabelSource)}
# What the platform knows: a classifier's verdict or a reviewer's. A generator's answer key
# (`ground_truth`) is the auditor's alone: the engine reads a video that carries one as unclassified.
TRUSTED_SOURCES = frozenset({model.LabelSource.CLASSIFIER, model.LabelSource.REVIEW})
THEMES, HARMS, ENFORCEMENTS, SOURCES = (
    list(model.Theme),
    list(model.Harm),
    list(model.Enforcement),
    list(model.LabelSource),
)


@dataclasses.dataclass(slots=True)
class Items:
    """Parallel arrays over item positions, plus the lookups that name them."""

    ids: list[str]
    position: dict[str, int]
    id_hash: npt.NDArray[np.uint64]  # `state.id_hash` of each id: seen sets are kept as these
    creators: list[str]
    creator_code: dict[str, int]
    creator: npt.NDArray[np.int32]  # index into `creators`
    topics: list[str]
    topic_code: dict[str, int]
    topic: npt.NDArray[np.int32]  # index into `topics`; the theme names a mental-health video's topic
    hashtags: list[tuple[str, ...]]  # lower case
    region: list[str]
    page: PageFields  # the rest of each video, so that pages need no trip to the store
    popularity: npt.NDArray[np.float32]  # log views, scaled to [0, 1]
    created_at: npt.NDArray[np.float64]
    newest: float  # the latest created_at: freshness is measured from it, once, not per request
    mh: npt.NDArray[np.bool_]
    theme: npt.NDArray[np.int8]  # NO_THEME or a THEME_CODES value
    harm: npt.NDArray[np.int8]
    enforcement: npt.NDArray[np.int8]
    is_ad: npt.NDArray[np.bool_]
    verified: npt.NDArray[np.bool_]  # the creator is a verified professional
    creator_birth_year: npt.NDArray[np.int32]  # 0 where unknown
    by_topic: list[npt.NDArray[np.int64]]  # positions per topic, most popular first
    by_creator: list[npt.NDArray[np.int64]]  # positions per creator, newest first

    def __len__(self) -> int:
        return len(self.ids)

    def topic_of(self, position: int) -> str:
        return self.topics[int(self.topic[position])]

    def video(self, position: int) -> model.Video:
        """The full video at a position, as the store holds it (as of when the catalog was built)."""
        page = self.page
        label = None
        if page.labelled[position]:
            theme = int(self.theme[position])
            label = model.Label(
                mh_related=bool(self.mh[position]),
                theme=None if theme == NO_THEME else THEMES[theme],
                harm=HARMS[int(self.harm[position])],
                probability=float(page.probability[position]),
                source=SOURCES[int(page.label_source[position])],
            )
        views, likes, comments, shares, saves = page.counters[position].tolist()
        return model.Video(
            id=self.ids[position],
            creator_id=self.creators[int(self.creator[position])],
            caption=page.captions[position],
            hashtags=page.hashtags.get(position, self.hashtags[position]),
            duration_s=float(page.duration_s[position]),
            created_at=dt.datetime.fromtimestamp(float(self.created_at[position]), tz=dt.UTC),
            language=page.language[position],
            region=self.region[position],
            counters=model.Counters(views, likes, comments, shares, saves),
            enforcement=ENFORCEMENTS[int(self.enforcement[position])],
            topic=page.topic[position],
            is_ad=bool(self.is_ad[position]),
            label=label,
        )


@dataclasses.dataclass(slots=True)
class PageFields:
    """What a page shows of a video beyond what ranking reads, one row per position."""

    captions: list[str]  # as written (lower-case them where matching words)
    hashtags: dict[int, tuple[str, ...]]  # only where they differ from the lower-case ones
    duration_s: npt.NDArray[np.float64]
    language: list[str]
    counters: npt.NDArray[np.int64]  # views, likes, comments, shares, saves
    topic: list[str | None]  # the video's own topic field
    labelled: npt.NDArray[np.bool_]  # False: no label yet (the ranking arrays then read it as not mental health)
    probability: npt.NDArray[np.float64]
    label_source: npt.NDArray[np.int8]


def topic_name(video: model.Video) -> str:
    """What a video is about for affinities and diversity: its theme, its topic, or its first hashtag."""
    label = known_label(video.label)
    if label is not None and label.theme is not None:
        return label.theme.value
    if video.topic:
        return video.topic
    return video.hashtags[0] if video.hashtags else "other"


def known_label(label: model.Label | None) -> model.Label | None:
    """The label as the engine may read it: None unless a classifier or a reviewer gave it.

    >>> known_label(model.Label(True, model.Theme.LONELINESS, model.Harm.NEUTRAL)) is None
    True
    """
    return label if label is not None and label.source in TRUSTED_SOURCES else None


def build(videos: Iterable[model.Video], creators_by_id: Mapping[str, model.Creator] | None = None) -> Items:
    """Arrays for these videos, in the order given, with what is known of their creators."""
    ids: list[str] = []
    creators: dict[str, int] = {}
    topics: dict[str, int] = {}
    creator: list[int] = []
    topic: list[int] = []
    hashtags: list[tuple[str, ...]] = []
    region: list[str] = []
    views: list[float] = []
    created: list[float] = []
    mh: list[bool] = []
    theme: list[int] = []
    harm: list[int] = []
    enforcement: list[int] = []
    is_ad: list[bool] = []
    captions_original: list[str] = []
    tags_original: dict[int, tuple[str, ...]] = {}
    # Compact buffers, not lists of Python numbers: at 1M videos those would outlive the build as freed heap.
    duration = array.array("d")
    language: list[str] = []
    counters = array.array("q")
    own_topic: list[str | None] = []
    labelled = array.array("b")
    probability = array.array("d")
    label_source = array.array("b")
    for video in videos:
        trusted = known_label(video.label)
        label = trusted or UNKNOWN
        ids.append(video.id)
        creator.append(creators.setdefault(video.creator_id, len(creators)))
        topic.append(topics.setdefault(topic_name(video), len(topics)))
        # Tags and regions repeat across a catalog: one string object each keeps memory flat.
        hashtags.append(tuple(sys.intern(tag.lower()) for tag in video.hashtags))
        region.append(sys.intern(video.region))
        views.append(video.counters.views)
        created.append(video.created_at.timestamp())
        mh.append(label.mh_related)
        theme.append(NO_THEME if label.theme is None else THEME_CODES[label.theme])
        harm.append(HARM_CODES[label.harm])
        enforcement.append(ENFORCEMENT_CODES[video.enforcement])
        is_ad.append(video.is_ad)
        if hashtags[-1] != video.hashtags:
            tags_original[len(ids) - 1] = video.hashtags
        captions_original.append(video.caption)
        duration.append(video.duration_s)
        language.append(sys.intern(video.language))
        c = video.counters
        counters.extend((c.views, c.likes, c.comments, c.shares, c.saves))
        own_topic.append(None if video.topic is None else sys.intern(video.topic))
        labelled.append(trusted is not None)
        probability.append(label.probability)
        label_source.append(SOURCE_CODES[label.source])
    log_views = np.log1p(np.asarray(views, dtype=np.float64))
    top = float(log_views.max()) if len(log_views) else 1.0
    topic_array = np.asarray(topic, dtype=np.int32)
    creator_array = np.asarray(creator, dtype=np.int32)
    known = creators_by_id or {}
    facts = [known.get(creator_id, model.Creator(creator_id)) for creator_id in creators]
    verified = np.asarray([fact.verified_professional for fact in facts], dtype=np.bool_)
    birth_year = np.asarray([fact.birth_year or 0 for fact in facts], dtype=np.int32)
    created_array = np.asarray(created, dtype=np.float64)
    return Items(
        ids=ids,
        position={video_id: index for index, video_id in enumerate(ids)},
        id_hash=state.id_hashes(ids),
        creators=list(creators),
        creator_code=creators,
        creator=creator_array,
        topics=list(topics),
        topic_code=topics,
        topic=topic_array,
        hashtags=hashtags,
        region=region,
        page=PageFields(
            captions=captions_original,
            hashtags=tags_original,
            duration_s=np.frombuffer(duration, dtype=np.float64).copy(),
            language=language,
            counters=np.frombuffer(counters, dtype=np.int64).reshape(-1, 5).copy(),
            topic=own_topic,
            labelled=np.frombuffer(labelled, dtype=np.int8).astype(np.bool_),
            probability=np.frombuffer(probability, dtype=np.float64).copy(),
            label_source=np.frombuffer(label_source, dtype=np.int8).copy(),
        ),
        popularity=(log_views / max(top, 1.0)).astype(np.float32),
        created_at=created_array,
        newest=float(created_array.max()) if len(created_array) else 0.0,
        mh=np.asarray(mh, dtype=np.bool_),
        theme=np.asarray(theme, dtype=np.int8),
        harm=np.asarray(harm, dtype=np.int8),
        enforcement=np.asarray(enforcement, dtype=np.int8),
        is_ad=np.asarray(is_ad, dtype=np.bool_),
        verified=verified[creator_array] if len(creator_array) else np.zeros(0, np.bool_),
        creator_birth_year=birth_year[creator_array] if len(creator_array) else np.zeros(0, np.int32),
        by_topic=group(topic_array, len(topics), order=-log_views),
        by_creator=group(creator_array, len(creators), order=-created_array),
    )


def group(keys: npt.NDArray[np.int32], count: int, *, order: npt.NDArray[np.float64]) -> list[npt.NDArray[np.int64]]:
    """Positions grouped by key, each group sorted by `order` ascending.

    >>> [g.tolist() for g in group(np.array([1, 0, 1]), 2, order=np.array([3.0, 2.0, 1.0]))]
    [[1], [2, 0]]
    """
    positions = np.lexsort((order, keys))
    bounds = np.searchsorted(keys[positions], np.arange(count + 1))
    return [positions[bounds[key] : bounds[key + 1]].astype(np.int64) for key in range(count)]


def among(codes: npt.NDArray[np.integer], wanted: Iterable[int], count: int) -> npt.NDArray[np.bool_]:
    """Which `codes` (each below `count`) are `wanted`: `np.isin` by one table lookup (isin sorts, on every page).

    >>> among(np.array([0, 2, 1, 2]), [2], 3).tolist()
    [False, True, False, True]
    """
    table = np.zeros(count, dtype=np.bool_)
    table[list(wanted)] = True
    return np.asarray(table[codes], dtype=np.bool_)
