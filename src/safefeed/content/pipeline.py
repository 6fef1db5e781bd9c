"""Catalog import as a whole: label what has no label, embed, store all or nothing.

The feed's content vector embeds each video once; the classifier embeds its
own reading of a caption (hashtags split into words) only for the few videos
its lexicon gate lets through.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from safefeed import model
from safefeed.content import classifier, embedding
from safefeed.store import repository

Progress = Callable[[int, int], None]


def import_catalog(
    store: repository.Store,
    catalog: model.Catalog,
    *,
    classify: bool = True,
    progress: Progress | None = None,
    batch: int = 1024,
) -> repository.ImportCount:
    """Label videos that have no label (ground truth and reviewed labels are kept), then upsert them.

    The catalog is written in one transaction; content vectors follow (they
    are derived data: `safefeed train` embeds whatever lacks one), then a
    change that serving processes follow (`SafeFeed.follow_catalog`).
    """
    videos = list(catalog.videos)
    texts = [video.text for video in videos]
    chunks = []
    for start in range(0, len(videos), batch):
        chunks.append(embedding.embed(texts[start : start + batch]))
        if progress is not None:
            progress(min(start + batch, len(videos)), len(videos))
    vectors = np.vstack(chunks) if chunks else np.zeros((0, embedding.DIMENSIONS), np.float32)
    if classify:
        pending = [i for i, video in enumerate(videos) if video.label is None]
        if pending:
            # The classifier embeds its own reading of the few texts its lexicon gate lets through.
            results = classifier.default().classify([videos[i] for i in pending])
            for index, result in zip(pending, results, strict=True):
                videos[index] = dataclasses.replace(videos[index], label=result.label())
    count = store.import_catalog(catalog.creators, videos)
    store.put_content_vectors([video.id for video in videos], vectors)
    store.catalog_changed()  # running servers load it now
    return count
