"""The admin router's acts: import a catalog, moderate videos, work the review queue.

A change reaches the store and this process's engine at once; other processes
follow it through the store's catalog change log (`Parts.follow_catalog`).
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path

from safefeed import model
from safefeed.content import backfill, catalog_import, pipeline, review
from safefeed.services import parts as parts_module
from safefeed.store import repository


class Admin:
    def __init__(self, parts: parts_module.Parts) -> None:
        self.parts = parts

    def import_catalog(self, body: bytes, *, filename: str, format: catalog_import.Format) -> repository.ImportCount:
        """Read a catalog file (all rows valid or nothing written), label and embed it, then serve it."""
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / (Path(filename).name or "catalog.csv")
            path.write_bytes(body)
            catalog = catalog_import.read_catalog(path, format=format)
        with self.parts.catalog_lock:
            count = pipeline.import_catalog(self.parts.store, catalog)
            self.parts.reload()
        return count

    def catalog_progress(self) -> tuple[backfill.Counts, int]:
        """How far the catalog is embedded, and how many videos this process's feed draws on now."""
        return backfill.counts(self.parts.store), len(self.parts.engine.items)

    def set_enforcement(self, video_id: str, enforcement: model.Enforcement) -> None:
        self.parts.store.set_enforcement(video_id, enforcement)
        self.parts.engine.moderate(video_id, enforcement=enforcement)

    def review_queue(self, limit: int) -> list[tuple[model.Video, float]]:
        """The classifier's least certain calls, least certain first."""
        return self.parts.store.review_queue(limit, band=review.DEFAULT_BAND)

    def review(self, labels: Mapping[str, model.Label]) -> int:
        """Reviewed labels win over the classifier's, in the store and in the feed at once."""
        engine = self.parts.engine
        missing = [video_id for video_id in labels if video_id not in engine.items.position]
        if missing:
            raise repository.UnknownVideo(f"no video with id {missing[0]!r} in the catalog; nothing was labelled")
        changed = self.parts.store.set_labels(labels)
        for video_id, label in labels.items():
            engine.moderate(video_id, label=label)
        return changed
