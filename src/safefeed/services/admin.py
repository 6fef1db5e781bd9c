"""The admin router's acts: import a catalog, moderate videos, work the review queue.

A change reaches the store and this process's engine at once; other processes
follow it through the store's catalog change log (`Parts.follow_catalog`).
An import is a background job (`safefeed.jobs`, as audits are): the file is
validated before the call returns, then labelled, embedded and stored while
the caller polls its status.
"""

from __future__ import annotations

import dataclasses
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from safefeed import jobs, model
from safefeed.content import backfill, catalog_import, pipeline, review
from safefeed.services import parts as parts_module
from safefeed.store import repository

PROGRESS_BATCH = 512  # texts per embedding call in an import job: the web page's bar moves every few seconds


class Admin:
    def __init__(self, parts: parts_module.Parts) -> None:
        self.parts = parts
        self._one_import = threading.Lock()  # imports in this process run one after another

    def import_catalog(
        self, body: bytes, *, filename: str, format: catalog_import.Format, wait: bool = False
    ) -> jobs.Status:
        """Validate a catalog file now (any bad row refuses all of it: `ImportFailed`, nothing written),
        then label, embed and store it in the background (or before returning, with `wait`), and serve it."""
        name = Path(filename).name or "catalog.csv"
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / name
            path.write_bytes(body)
            try:
                catalog = catalog_import.read_catalog(path, format=format)
            except catalog_import.ImportFailed as failed:  # name the file as the caller sent it, not our copy
                errors = [dataclasses.replace(error, file=name) for error in failed.errors]
                raise catalog_import.ImportFailed(errors, stopped=failed.stopped) from None
        about = {"filename": name, "format": format, "videos": len(catalog.videos), "creators": len(catalog.creators)}
        status = self.parts.imports.create(
            now=self.parts.clock(), total=len(catalog.videos), phase="queued", about=about
        )

        def work(progress: jobs.Progress) -> dict[str, Any]:
            with self._one_import:
                count = pipeline.import_catalog(self.parts.store, catalog, phase=progress, batch=PROGRESS_BATCH)
            progress("serving", 0, 1)
            self.parts.follow_catalog()  # this process serves the new catalog before the job says done
            progress("serving", 1, 1)
            return {"videos": count.videos, "creators": count.creators}

        return self.parts.imports.run(status, work, wait=wait)

    def import_status(self, job_id: str) -> jobs.Status:
        """An import's state, phase, progress within the phase, and error."""
        return self.parts.imports.status(job_id)

    def recent_imports(self, limit: int = 20) -> list[jobs.Status]:
        return self.parts.imports.recent(limit)

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
