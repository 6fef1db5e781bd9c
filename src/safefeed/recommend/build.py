"""Loading what an engine serves from: the catalog in memory, its vector index and ALS factors, from the store.

`feed.build` puts an engine over what `load` returns.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import numpy as np
import numpy.typing as npt

from safefeed import model
from safefeed.recommend import index as vector_index
from safefeed.recommend import items as catalog_items
from safefeed.recommend import page, vectors
from safefeed.store import repository


@dataclasses.dataclass(frozen=True, slots=True)
class Loaded:
    """The catalog in memory with one vector row and one factor row per video, and the first full videos."""

    catalog: catalog_items.Items
    index: vector_index.VectorIndex
    factors: npt.NDArray[np.float32]
    first: list[model.Video]  # they seed the page cache


def load(store: repository.Store, *, exact_below: int, seed: int, partial: bool) -> Loaded:
    """Everything the store holds, indexed. `partial=True` takes the videos that have vectors so far (a
    catalog still being embedded: the rest join at a later build); otherwise a video without one is an error."""
    missing = store.video_ids_without_vectors()
    if missing and not (partial and store.count_vectors()):
        raise repository.UnknownVideo(
            f"{len(missing)} videos have no vectors yet (e.g. {missing[0]!r}); run `safefeed train` first"
        )
    loaded = vectors.load(store)
    first: list[model.Video] = []

    def stored() -> Iterator[model.Video]:
        if not missing:
            yield from store.iter_videos()
            return
        for start in range(0, len(loaded.ids), 5000):  # only those embedded so far, still in id order
            yield from store.videos(loaded.ids[start : start + 5000])

    def streamed() -> Iterator[model.Video]:
        for video in stored():  # in id order, like the vectors
            if len(first) < page.VIDEO_CACHE_SIZE:
                first.append(video)
            yield video

    catalog = catalog_items.build(streamed(), store.creators())
    assert catalog.ids == loaded.ids, "every video has exactly one vector row"
    index = vector_index.FaissIndex(vectors.DIMENSIONS, exact_below=exact_below, seed=seed)
    index.build(loaded.combined)
    return Loaded(catalog, index, loaded.factors, first)
