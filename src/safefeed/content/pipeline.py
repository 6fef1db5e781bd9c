"""Catalog import as a whole: label what has no label, embed what is new, store all or nothing.

The feed's content vector embeds each distinct text once: videos that share a
text share its vector, and a re-import embeds only videos whose text changed
or that have no vector yet (a catalog re-sent daily costs only its changes).
The classifier embeds its own reading of a caption (hashtags split into
words) only for the few videos its lexicon gate lets through.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from safefeed import model
from safefeed.content import classifier, embedding
from safefeed.store import repository

Progress = Callable[[int, int], None]  # (texts embedded so far, texts to embed)
Embed = Callable[[Sequence[str]], embedding.Vectors]

BATCH = 2048  # distinct texts per call to the embedder: progress steps, and memory stays flat


@dataclasses.dataclass(frozen=True, slots=True)
class Embedded:
    """Which videos got a new content vector and how many distinct texts that took."""

    videos: int
    texts: int


def embed_distinct(
    texts: Sequence[str], *, embed: Embed = embedding.embed, batch: int = BATCH, progress: Progress | None = None
) -> embedding.Vectors:
    """One vector per text, each distinct text embedded once (rows in the order of `texts`)."""
    assert batch >= 1, "batch must be at least 1"
    positions: dict[str, int] = {}
    rows = np.fromiter((positions.setdefault(text, len(positions)) for text in texts), dtype=np.int64, count=len(texts))
    distinct = list(positions)
    vectors = np.zeros((len(distinct), embedding.DIMENSIONS), dtype=np.float32)
    if progress is not None:
        progress(0, len(distinct))
    for start in range(0, len(distinct), batch):
        chunk = distinct[start : start + batch]
        vectors[start : start + len(chunk)] = embed(chunk)
        if progress is not None:
            progress(start + len(chunk), len(distinct))
    return vectors[rows]


def needing_vectors(store: repository.Store, videos: Sequence[model.Video]) -> tuple[list[int], set[str]]:
    """Positions in `videos` of those to embed (new to the store, text changed, or no vector stored),
    and the ids of stored videos that keep their text and have a label (no need to classify again)."""
    stored = {video.id: video for video in store.videos([video.id for video in videos])}
    without = set(store.video_ids_without_vectors()) if stored else set()
    stale: list[int] = []
    labelled: set[str] = set()
    for i, video in enumerate(videos):
        before = stored.get(video.id)
        if before is None or before.text != video.text:
            stale.append(i)
            continue
        if video.id in without:
            stale.append(i)
        if before.label is not None:
            labelled.add(video.id)
    return stale, labelled


def import_catalog(
    store: repository.Store,
    catalog: model.Catalog,
    *,
    classify: bool = True,
    progress: Progress | None = None,
    batch: int = BATCH,
    embed: Embed = embedding.embed,
    classifier_: classifier.Classifier | None = None,
    defer_vectors: bool = False,
) -> repository.ImportCount:
    """Label videos that have no label (ground truth and reviewed labels are kept), then upsert them.

    The catalog is written in one transaction; content vectors follow (they
    are derived data: `safefeed train` embeds whatever lacks one), then a
    change that serving processes follow (`SafeFeed.follow_catalog`).
    Vectors are computed before anything is written, so a failure leaves
    the store as it was. A video whose text is unchanged keeps its stored
    vector and, when the file gives no label, its stored label: a re-import
    costs only its changes. `classifier_` defaults to `classifier.default()`.

    `defer_vectors`: new videos are stored without a vector, for `safefeed train` or a background
    embedder (`content.backfill`) to add while the catalog is served; a changed text is embedded now.
    """
    videos = list(catalog.videos)
    stale, labelled = needing_vectors(store, videos)
    if defer_vectors:
        stored = {video.id for video in store.videos([videos[i].id for i in stale])}
        without = set(store.video_ids_without_vectors()) if stored else set()
        stale = [i for i in stale if videos[i].id in stored and videos[i].id not in without]
    vectors = embed_distinct([videos[i].text for i in stale], embed=embed, batch=batch, progress=progress)
    if classify:
        pending = [i for i, video in enumerate(videos) if video.label is None and video.id not in labelled]
        if pending:
            # The classifier embeds its own reading of the few texts its lexicon gate lets through.
            results = (classifier_ or classifier.default()).classify([videos[i] for i in pending])
            for index, result in zip(pending, results, strict=True):
                videos[index] = dataclasses.replace(videos[index], label=result.label())
    count = store.import_catalog(catalog.creators, videos)
    store.put_content_vectors([videos[i].id for i in stale], vectors)
    store.catalog_changed()  # running servers load it now
    return count


def _texts(store: repository.Store, video_ids: Sequence[str], *, chunk: int = 5000) -> Iterable[tuple[str, str]]:
    for start in range(0, len(video_ids), chunk):
        yield from ((video.id, video.text) for video in store.videos(video_ids[start : start + chunk]))


def embed_missing(
    store: repository.Store, *, embed: Embed = embedding.embed, batch: int = BATCH, progress: Progress | None = None
) -> Embedded:
    """Give every video without a content vector one, each distinct text embedded once.

    Vectors are stored batch by batch, so an interrupted run keeps what it
    finished and the next one starts where it stopped.
    """
    by_text: dict[str, list[str]] = {}
    for video_id, text in _texts(store, store.video_ids_without_vectors()):
        by_text.setdefault(text, []).append(video_id)
    distinct = list(by_text)
    if progress is not None:
        progress(0, len(distinct))
    videos = 0
    for start in range(0, len(distinct), batch):
        chunk = distinct[start : start + batch]
        vectors = embed(chunk)
        ids = [video_id for text in chunk for video_id in by_text[text]]
        rows = np.repeat(np.arange(len(chunk)), [len(by_text[text]) for text in chunk])
        store.put_content_vectors(ids, vectors[rows])
        videos += len(ids)
        if progress is not None:
            progress(start + len(chunk), len(distinct))
    return Embedded(videos=videos, texts=len(distinct))
