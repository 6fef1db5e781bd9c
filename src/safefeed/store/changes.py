"""The catalog change log: how a decision made in one process (moderation, a review, an import) reaches the others."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from safefeed.store import schema


def log(connection: sa.Connection, video_ids: Sequence[str | None]) -> None:
    """Append to the catalog change log in the caller's transaction (None: the whole catalog).

    On PostgreSQL writers take the log in turn, so sequence numbers become visible in
    order and a follower reading "after n" never skips one that commits late.
    """
    if not video_ids:
        return
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("LOCK TABLE catalog_changes IN EXCLUSIVE MODE")
    connection.execute(sa.insert(schema.catalog_changes), [{"video_id": video_id} for video_id in video_ids])


class CatalogChanges:
    """Reading and appending the change log on its own."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def catalog_changed(self) -> None:
        """Record that the whole catalog may have changed (the background embedder, as vectors arrive;
        an import logs its change in its own transaction)."""
        with self.engine.begin() as connection:
            log(connection, [None])

    def last_catalog_change(self) -> int:
        """The newest change's number (0 for none): an engine built after reading it reflects it."""
        with self.engine.connect() as connection:
            return int(connection.execute(sa.select(sa.func.max(schema.catalog_changes.c.seq))).scalar() or 0)

    def catalog_changes(self, after: int) -> list[tuple[int, str | None]]:
        """The changes numbered after `after`, oldest first: (number, video id or None for the whole catalog)."""
        changes = schema.catalog_changes
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(changes).where(changes.c.seq > after).order_by(changes.c.seq))
            return [(int(row.seq), row.video_id) for row in rows]
