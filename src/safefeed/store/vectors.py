"""Item vectors: each video's content embedding and collaborative factors, stored as float16."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa

from safefeed.store import rows, schema


def write_content(
    engine: sa.Engine, connection: sa.Connection, video_ids: Sequence[str], vectors: npt.NDArray[np.float32]
) -> None:
    """Insert or replace these videos' content embeddings (as float16) in the caller's transaction."""
    assert len(video_ids) == len(vectors)
    if not len(video_ids):
        return
    insert = rows.insert(engine, schema.video_vectors)
    connection.execute(
        insert.on_conflict_do_update(index_elements=["video_id"], set_={"content": insert.excluded.content}),
        [
            {"video_id": video_id, "content": vector.astype(np.float16).tobytes(), "collaborative": None}
            for video_id, vector in zip(video_ids, vectors, strict=True)
        ],
    )


class Vectors:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def count_vectors(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(sa.select(sa.func.count()).select_from(schema.video_vectors)).scalar_one())

    def video_ids_without_vectors(self) -> list[str]:
        vectors = schema.video_vectors
        query = (
            sa.select(schema.videos.c.id)
            .outerjoin(vectors, vectors.c.video_id == schema.videos.c.id)
            .where(vectors.c.video_id.is_(None))
            .order_by(schema.videos.c.id)
        )
        with self.engine.connect() as connection:
            return list(connection.execute(query).scalars())

    def put_content_vectors(self, video_ids: Sequence[str], vectors: npt.NDArray[np.float32]) -> None:
        """Store content embeddings (as float16); they are computed once per video."""
        with self.engine.begin() as connection:
            write_content(self.engine, connection, video_ids, vectors)

    def put_collaborative_vectors(self, vectors: Mapping[str, npt.NDArray[np.float32]]) -> None:
        """Replace every video's collaborative factors (videos left out get none)."""
        table = schema.video_vectors
        with self.engine.begin() as connection:
            connection.execute(sa.update(table).values(collaborative=None))
            if vectors:
                connection.execute(
                    sa.update(table)
                    .where(table.c.video_id == sa.bindparam("vid"))
                    .values(collaborative=sa.bindparam("vector")),
                    [{"vid": key, "vector": value.astype(np.float16).tobytes()} for key, value in vectors.items()],
                )

    def item_vectors(self) -> Iterator[tuple[str, npt.NDArray[np.float16], npt.NDArray[np.float16] | None]]:
        """(video id, content vector, collaborative vector or None) for every video with vectors, in id order."""
        table = schema.video_vectors
        with self.engine.connect() as connection:
            result = connection.execution_options(yield_per=10_000).execute(
                sa.select(table.c.video_id, table.c.content, table.c.collaborative).order_by(table.c.video_id)
            )
            for video_id, content, collaborative in result:
                yield (
                    video_id,
                    np.frombuffer(content, dtype=np.float16),
                    None if collaborative is None else np.frombuffer(collaborative, dtype=np.float16),
                )
