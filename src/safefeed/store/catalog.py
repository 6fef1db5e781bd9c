"""The catalog: videos and their creators, labels, enforcement and the review queue."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa

from safefeed import model
from safefeed.store import changes, errors, rows, schema, vectors


@dataclasses.dataclass(frozen=True, slots=True)
class ImportCount:
    creators: int
    videos: int


@dataclasses.dataclass(frozen=True, slots=True)
class CatalogStats:
    videos: int
    creators: int
    by_topic: dict[str, int]
    by_language: dict[str, int]
    by_label: dict[str, int]  # "unlabelled", "not_mh", or "<theme>/<harm>"
    by_enforcement: dict[str, int]


class Catalog:
    """Videos and creators; a label or enforcement change is logged with the change itself."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def import_catalog(
        self,
        creators: Sequence[model.Creator],
        videos: Sequence[model.Video],
        *,
        content: tuple[Sequence[str], npt.NDArray[np.float32]] | None = None,
    ) -> ImportCount:
        """Upsert creators and videos by id, store the `content` vectors given (video ids, embeddings)
        and log a whole-catalog change, all in one transaction: a failed import leaves no new text
        beside an old vector, and followers reload only a catalog that is whole."""
        with self.engine.begin() as connection:
            rows.upsert(self.engine, connection, schema.creators, [rows.flat_row(creator) for creator in creators])
            rows.upsert(self.engine, connection, schema.videos, [rows.video_row(video) for video in videos])
            if content is not None:
                vectors.write_content(self.engine, connection, *content)
            changes.log(connection, [None])
        return ImportCount(creators=len(creators), videos=len(videos))

    def video(self, video_id: str) -> model.Video:
        videos = self.videos([video_id])
        if not videos:
            raise errors.UnknownVideo(f"no video with id {video_id!r} in the catalog")
        return videos[0]

    def videos(self, video_ids: Sequence[str]) -> list[model.Video]:
        """The videos with these ids, in the order asked; unknown ids are left out."""
        found: dict[str, model.Video] = {}
        with self.engine.connect() as connection:
            for start in range(0, len(video_ids), 500):
                chunk = list(video_ids[start : start + 500])
                result = connection.execute(sa.select(schema.videos).where(schema.videos.c.id.in_(chunk)))
                found.update((row.id, rows.video_from(row)) for row in result)
        return [found[video_id] for video_id in video_ids if video_id in found]

    def iter_videos(self, *, batch: int = 5000) -> Iterator[model.Video]:
        """Every video, in id order, read in batches so memory stays flat."""
        last = ""
        while True:
            with self.engine.connect() as connection:
                query = (
                    sa.select(schema.videos).where(schema.videos.c.id > last).order_by(schema.videos.c.id).limit(batch)
                )
                found = connection.execute(query).all()
            if not found:
                return
            yield from (rows.video_from(row) for row in found)
            last = found[-1].id

    def count_videos(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(sa.select(sa.func.count()).select_from(schema.videos)).scalar_one())

    def creators(self, creator_ids: Iterable[str] | None = None) -> dict[str, model.Creator]:
        """The creators with these ids (all of them when None)."""
        query = sa.select(schema.creators)
        if creator_ids is not None:
            query = query.where(schema.creators.c.id.in_(list(creator_ids)))
        with self.engine.connect() as connection:
            return {
                row.id: model.Creator(row.id, row.name, bool(row.verified_professional), row.region, row.birth_year)
                for row in connection.execute(query)
            }

    def set_labels(self, labels: Mapping[str, model.Label]) -> int:
        """Store labels for existing videos; a reviewed label is only replaced by another review.

        Returns how many videos changed.
        """
        videos = schema.videos
        changed = 0
        with self.engine.begin() as connection:
            for video_id, label in labels.items():
                query = sa.update(videos).where(videos.c.id == video_id)
                if label.source is not model.LabelSource.REVIEW:
                    query = query.where(
                        sa.or_(
                            videos.c.label_source.is_(None),
                            videos.c.label_source != model.LabelSource.REVIEW.value,
                        )
                    )
                result = connection.execute(query.values(rows.label_row(label)))
                changed += result.rowcount
            changes.log(connection, list(labels))
        return changed

    def set_enforcement(self, video_id: str, enforcement: model.Enforcement) -> None:
        videos = schema.videos
        with self.engine.begin() as connection:
            result = connection.execute(
                sa.update(videos).where(videos.c.id == video_id).values(enforcement=enforcement.value)
            )
            if result.rowcount == 0:
                raise errors.UnknownVideo(f"no video with id {video_id!r} in the catalog")
            changes.log(connection, [video_id])

    def review_queue(self, limit: int, *, band: float) -> list[tuple[model.Video, float]]:
        """Classifier labels whose probability lies within `band` of 0.5, least certain first."""
        videos = schema.videos
        distance = sa.func.abs(videos.c.mh_probability - 0.5)
        with self.engine.connect() as connection:
            found = connection.execute(
                sa.select(videos)
                .where(videos.c.label_source == model.LabelSource.CLASSIFIER.value, distance < band)
                .order_by(distance, videos.c.id)
                .limit(limit)
            ).all()
        return [(rows.video_from(row), float(row.mh_probability)) for row in found]

    def catalog_stats(self) -> CatalogStats:
        videos = schema.videos
        with self.engine.connect() as connection:

            def grouped(*columns: sa.ColumnElement[Any]) -> list[Any]:
                query = sa.select(*columns, sa.func.count().label("n")).group_by(*columns)
                return list(connection.execute(query))

            by_label: Counter[str] = Counter()
            for row in grouped(videos.c.mh_related, videos.c.theme, videos.c.harm):
                if row.mh_related is None:
                    key = "unlabelled"
                elif not row.mh_related:
                    key = "not_mh"
                else:
                    key = f"{row.theme}/{row.harm}"
                by_label[key] += row.n
            creators = connection.execute(sa.select(sa.func.count()).select_from(schema.creators)).scalar_one()
            return CatalogStats(
                videos=sum(by_label.values()),
                creators=int(creators),
                by_topic={str(row.topic): row.n for row in grouped(videos.c.topic)},
                by_language={row.language: row.n for row in grouped(videos.c.language)},
                by_label=dict(sorted(by_label.items())),
                by_enforcement={row.enforcement: row.n for row in grouped(videos.c.enforcement)},
            )
