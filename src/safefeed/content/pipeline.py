"""Catalog import as a whole: label, embed what is new, store all or nothing.

The feed's content vector embeds each distinct text once: videos that share a
text share its vector, and a re-import embeds only videos whose text changed
or that have no vector yet (a catalog re-sent daily costs only its changes).
The classifier reads each distinct text once too, and embeds its own reading
of a caption (hashtags split into words) only for the few texts its lexicon
gate lets through.

A label a catalog file carries (`LabelSource.GROUND_TRUTH`) is the
uploader's claim, not a review: the video is labelled by the classifier like
any other, and the claim is kept in the answer key (`store.answer_key`), the
auditor's table the engine never reads.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Sequence

import numpy as np

from safefeed import model
from safefeed.content import classifier, embedding
from safefeed.store import answer_key, repository

Progress = Callable[[int, int], None]  # (texts embedded so far, texts to embed)
Phase = Callable[[str, int, int], None]  # (phase, done, total): "classifying", "embedding", "storing"
Embed = Callable[[Sequence[str]], embedding.Vectors]

BATCH = 2048  # distinct texts per call to the embedder: progress steps, and memory stays flat
CLASSIFY_BATCH = 1024  # distinct texts per call to the classifier, between progress steps
TRUSTED = frozenset({model.LabelSource.CLASSIFIER, model.LabelSource.REVIEW})  # what the engine acts on


@dataclasses.dataclass(frozen=True, slots=True)
class Embedded:
    """Which videos got a new content vector and how many distinct texts that took."""

    videos: int
    texts: int


def embed_distinct(
    texts: Sequence[str], *, embed: Embed = embedding.embed, batch: int = BATCH, progress: Progress | None = None
) -> embedding.Vectors:
    """One vector per text, each distinct text embedded once (rows in the order of `texts`)."""
    positions: dict[str, int] = {}
    rows = np.fromiter((positions.setdefault(text, len(positions)) for text in texts), dtype=np.int64, count=len(texts))
    distinct = list(positions)
    vectors = np.zeros((len(distinct), embedding.DIMENSIONS), dtype=np.float32)
    for part in in_batches(len(distinct), batch, progress):
        vectors[part] = embed(distinct[part])
    return vectors[rows]


def in_batches(total: int, batch: int, progress: Progress | None) -> Iterator[slice]:
    """Consecutive slices of at most `batch` over `total` items, reporting progress before the first
    and after each (so a bar starts at 0 and moves as each batch is done)."""
    assert batch >= 1, "batch must be at least 1"
    if progress is not None:
        progress(0, total)
    for start in range(0, total, batch):
        stop = min(start + batch, total)
        yield slice(start, stop)
        if progress is not None:
            progress(stop, total)


def needing_vectors(store: repository.Store, videos: Sequence[model.Video]) -> tuple[list[int], set[str]]:
    """Positions in `videos` of those to embed (new to the store, text changed, or no vector stored),
    and the ids of stored videos that keep their text and a label the engine trusts (no need to classify
    again; a claim stored before claims went to the answer key is classified)."""
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
        if before.label is not None and before.label.source in TRUSTED:
            labelled.add(video.id)
    return stale, labelled


def claims(videos: Sequence[model.Video]) -> dict[str, model.Label]:
    """The labels a catalog file claims (`GROUND_TRUTH`), by video id: the auditor's, never the engine's."""
    return {
        video.id: video.label
        for video in videos
        if video.label is not None and video.label.source is model.LabelSource.GROUND_TRUTH
    }


def classify_distinct(
    videos: Sequence[model.Video],
    predictor: classifier.Classifier,
    *,
    batch: int = CLASSIFY_BATCH,
    progress: Progress | None = None,
) -> list[model.Label]:
    """The classifier's label of each video, each distinct text read once (labels in the order of `videos`)."""
    first: dict[str, int] = {}
    for i, video in enumerate(videos):
        first.setdefault(video.text, i)
    distinct = list(first.values())
    labels: dict[str, model.Label] = {}
    for part in in_batches(len(distinct), batch, progress):
        chunk = [videos[i] for i in distinct[part]]
        for video, result in zip(chunk, predictor.classify(chunk), strict=True):
            labels[video.text] = result.label()
    return [labels[video.text] for video in videos]


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
    phase: Phase | None = None,
) -> repository.ImportCount:
    """Label videos that have no label the engine trusts (reviewed labels are kept), then upsert them.

    The catalog, its new content vectors and a change that serving processes
    follow (`SafeFeed.follow_catalog`) are written in one transaction, after
    everything is computed, so a failure leaves the store as it was. A video
    whose text is unchanged keeps its stored vector and its stored label: a
    re-import costs only its changes.
    `classifier_` defaults to `classifier.default()`. A file's own labels are
    claims: they go to the answer key, and the classifier labels those videos
    too (with `classify=False` they are stored unlabelled, for `safefeed
    classify` to label).

    `defer_vectors`: new videos are stored without a vector, for `safefeed train` or a background
    embedder (`content.backfill`) to add while the catalog is served; a changed text is embedded now.
    `progress` follows the embedding; `phase` follows every step (classifying, embedding, storing).
    """
    claimed = claims(catalog.videos)
    videos = [video if video.id not in claimed else dataclasses.replace(video, label=None) for video in catalog.videos]
    stale, labelled = needing_vectors(store, videos)
    if classify:
        pending = [i for i, video in enumerate(videos) if video.label is None and video.id not in labelled]

        def classified(done: int, total: int) -> None:
            if phase is not None:
                phase("classifying", done, total)

        if pending:
            # The classifier embeds its own reading of the few texts its lexicon gate lets through.
            chosen = classifier_ or classifier.default()
            found = classify_distinct([videos[i] for i in pending], chosen, progress=classified)
            for index, label in zip(pending, found, strict=True):
                videos[index] = dataclasses.replace(videos[index], label=label)
    if defer_vectors:
        stored = {video.id for video in store.videos([videos[i].id for i in stale])}
        without = set(store.video_ids_without_vectors()) if stored else set()
        stale = [i for i in stale if videos[i].id in stored and videos[i].id not in without]

    def embedded(done: int, total: int) -> None:
        if progress is not None:
            progress(done, total)
        if phase is not None:
            phase("embedding", done, total)

    vectors = embed_distinct([videos[i].text for i in stale], embed=embed, batch=batch, progress=embedded)
    if phase is not None:
        phase("storing", 0, 1)
    # One transaction: videos, their new vectors and the change running servers load it by.
    count = store.import_catalog(catalog.creators, videos, content=([videos[i].id for i in stale], vectors))
    if claimed:  # every import adds them again, so one that fails here is mended by the next
        answer_key.add(store, claimed)
    if phase is not None:
        phase("storing", 1, 1)
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
    videos = 0
    for part in in_batches(len(distinct), batch, progress):
        chunk = distinct[part]
        vectors = embed(chunk)
        ids = [video_id for text in chunk for video_id in by_text[text]]
        rows = np.repeat(np.arange(len(chunk)), [len(by_text[text]) for text in chunk])
        store.put_content_vectors(ids, vectors[rows])
        videos += len(ids)
    return Embedded(videos=videos, texts=len(distinct))
