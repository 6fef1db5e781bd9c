"""Embed a stored catalog in the background, so it can be served before it is fully embedded.

A video joins the feed once it has a content vector (`recommend.feed.build(partial=True)` builds
over those that have one). This job embeds every video that lacks one, a batch at a time, stores
the vectors through the store, and records a catalog change that serving processes follow
(`SafeFeed.follow_catalog`). Each change costs every server a rebuild, so after the first batch
(the one that makes a first page possible) it records one at most every `announce_every_s`, and
once at the end.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator

import numpy as np
import numpy.typing as npt

from safefeed.content import embedding
from safefeed.store import repository

Clock = Callable[[], float]


@dataclasses.dataclass(frozen=True, slots=True)
class Counts:
    """How far a catalog is embedded: `embedded` of `videos` have a content vector."""

    videos: int
    embedded: int

    @property
    def complete(self) -> bool:
        return self.embedded >= self.videos


@dataclasses.dataclass(frozen=True, slots=True)
class Step:
    """Progress after a stored batch: `done` of `total` videos this run set out to embed."""

    done: int
    total: int
    announced: bool  # whether serving processes were told to pick up the new vectors


def counts(store: repository.Store) -> Counts:
    return Counts(videos=store.count_videos(), embedded=store.count_vectors())


def embed_unique(texts: list[str]) -> npt.NDArray[np.float32]:
    """Embeddings of `texts`, each distinct text embedded once (generated and real catalogs repeat captions)."""
    index: dict[str, int] = {}
    rows = [index.setdefault(text, len(index)) for text in texts]
    return embedding.embed(list(index))[np.asarray(rows, dtype=np.int64)] if texts else embedding.embed([])


def batches(
    store: repository.Store,
    *,
    first_batch: int = 256,
    batch: int = 2048,
    announce_every_s: float = 20.0,
    clock: Clock = time.monotonic,
) -> Iterator[Step]:
    """Embed and store every video without a content vector; yields after each stored batch.

    The first batch is small so that a first page can be served soon; videos stored while this
    runs are picked up before it ends.
    """
    assert first_batch >= 1 and batch >= 1, "batch sizes must be positive"
    done, size = 0, first_batch
    last_announced: float | None = None
    while missing := store.video_ids_without_vectors():
        total = done + len(missing)
        position = 0
        while position < len(missing):
            ids = missing[position : position + size]
            videos = store.videos(ids)
            store.put_content_vectors([video.id for video in videos], embed_unique([video.text for video in videos]))
            position += len(ids)
            done += len(ids)
            now = clock()
            announce = last_announced is None or now - last_announced >= announce_every_s or done >= total
            if announce:
                store.catalog_changed()
                last_announced = now
            yield Step(done, total, announce)
            size = batch


def run(store: repository.Store, *, progress: Callable[[int, int], None] | None = None) -> int:
    """Embed everything that lacks a vector (see `batches`); returns how many videos were embedded."""
    done = 0
    for step in batches(store):
        done = step.done
        if progress is not None:
            progress(step.done, step.total)
    return done
