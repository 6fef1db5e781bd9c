"""The catalog as the engine holds it in memory: one row per video, as arrays.

Ranking steps index these arrays by item position; the full `Video` is only
read from the store for the few items that make it onto a page.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterable, Mapping

import numpy as np
import numpy.typing as npt

from safefeed import model

HARM_CODES = {harm: code for code, harm in enumerate(model.Harm)}
ENFORCEMENT_CODES = {level: code for code, level in enumerate(model.Enforcement)}
NO_THEME = -1
THEME_CODES = {theme: code for code, theme in enumerate(model.Theme)}


@dataclasses.dataclass(slots=True)
class Items:
    """Parallel arrays over item positions, plus the lookups that name them."""

    ids: list[str]
    position: dict[str, int]
    creators: list[str]
    creator_code: dict[str, int]
    creator: npt.NDArray[np.int32]  # index into `creators`
    topics: list[str]
    topic_code: dict[str, int]
    topic: npt.NDArray[np.int32]  # index into `topics`; the theme names a mental-health video's topic
    hashtags: list[tuple[str, ...]]
    captions_lower: list[str]
    region: list[str]
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


def topic_name(video: model.Video) -> str:
    """What a video is about for affinities and diversity: its theme, its topic, or its first hashtag."""
    if video.label is not None and video.label.theme is not None:
        return video.label.theme.value
    if video.topic:
        return video.topic
    return video.hashtags[0] if video.hashtags else "other"


def build(videos: Iterable[model.Video], creators_by_id: Mapping[str, model.Creator] | None = None) -> Items:
    """Arrays for these videos, in the order given, with what is known of their creators."""
    ids: list[str] = []
    creators: dict[str, int] = {}
    topics: dict[str, int] = {}
    creator: list[int] = []
    topic: list[int] = []
    hashtags: list[tuple[str, ...]] = []
    captions: list[str] = []
    region: list[str] = []
    views: list[float] = []
    created: list[float] = []
    mh: list[bool] = []
    theme: list[int] = []
    harm: list[int] = []
    enforcement: list[int] = []
    is_ad: list[bool] = []
    for video in videos:
        label = video.label or model.NOT_MH
        ids.append(video.id)
        creator.append(creators.setdefault(video.creator_id, len(creators)))
        topic.append(topics.setdefault(topic_name(video), len(topics)))
        # Tags and regions repeat across a catalog: one string object each keeps memory flat.
        hashtags.append(tuple(sys.intern(tag.lower()) for tag in video.hashtags))
        captions.append(video.caption.lower())
        region.append(sys.intern(video.region))
        views.append(video.counters.views)
        created.append(video.created_at.timestamp())
        mh.append(label.mh_related)
        theme.append(NO_THEME if label.theme is None else THEME_CODES[label.theme])
        harm.append(HARM_CODES[label.harm])
        enforcement.append(ENFORCEMENT_CODES[video.enforcement])
        is_ad.append(video.is_ad)
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
        creators=list(creators),
        creator_code=creators,
        creator=creator_array,
        topics=list(topics),
        topic_code=topics,
        topic=topic_array,
        hashtags=hashtags,
        captions_lower=captions,
        region=region,
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
