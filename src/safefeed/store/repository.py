"""The one entry point every component persists through: `Store`, over one small repository per table family.

All writes of one call happen in one transaction: a call either stores
everything it was given or nothing, and returns only once it is durable.

The families, each in its own module: `catalog` (videos and creators),
`accounts`, `events` (the log, with one `append`), `vectors`, `snapshots`,
`counts` (protections applied, controls used), `changes` (the catalog change
log) and `locks` (one account at a time across processes). Logins live in
`safefeed.access`, well-being's tables in `safefeed.wellbeing.records`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa

from safefeed import model
from safefeed.store import (
    accounts,
    catalog,
    changes,
    counts,
    database,
    errors,
    events,
    locks,
    rows,
    schema,
    snapshots,
    vectors,
)

# The names dozens of callers know from here.
UnknownVideo = errors.UnknownVideo
UnknownAccount = errors.UnknownAccount
ImportCount = catalog.ImportCount
CatalogStats = catalog.CatalogStats
LOCK_STRIPES = locks.LOCK_STRIPES


class Store:
    """Catalog, accounts and the event log, on SQLite or PostgreSQL."""

    def __init__(self, engine: sa.Engine, log_engine: sa.Engine | None = None, *, private: bool = False) -> None:
        self.engine = engine
        # Server-side logs (impressions) go through an engine that skips the fsync.
        self.log_engine = log_engine or engine
        # A private store (a simulation's scratch copy) has no other writer: accounts can be cached.
        self._accounts: dict[str, model.Account] | None = {} if private else None
        self.catalog = catalog.Catalog(engine)
        self.changes = changes.CatalogChanges(engine)
        self.account_rows = accounts.Accounts(engine, self._accounts)
        self.log = events.Events(engine, self.log_engine)
        self.vectors = vectors.Vectors(engine)
        self.snapshots = snapshots.Snapshots(engine)
        self.counts = counts.Counts(engine)
        self.locks = locks.AccountLocks(engine, shared=not private)

    @classmethod
    def open(cls, url: str, *, simulation: bool = False) -> Store:
        """Connect and migrate to the newest schema.

        `simulation=True` is for audit runs and benchmarks on a scratch copy:
        nothing is synced to disk, because nothing there is anyone's data.
        """
        engine = database.engine_for(url, durability="none" if simulation else "full")
        database.migrate(engine)
        logs = engine if simulation or not url.startswith("sqlite") else database.engine_for(url, durability="process")
        return cls(engine, logs, private=simulation)

    def close(self) -> None:
        self.engine.dispose()
        self.log_engine.dispose()

    @property
    def shared(self) -> bool:
        """Whether other processes may write here too (a simulation's private store has no other writer)."""
        return self._accounts is None

    # -- catalog ---------------------------------------------------------

    def import_catalog(
        self,
        creators: Sequence[model.Creator],
        videos: Sequence[model.Video],
        *,
        content: tuple[Sequence[str], npt.NDArray[np.float32]] | None = None,
    ) -> ImportCount:
        return self.catalog.import_catalog(creators, videos, content=content)

    def video(self, video_id: str) -> model.Video:
        return self.catalog.video(video_id)

    def videos(self, video_ids: Sequence[str]) -> list[model.Video]:
        return self.catalog.videos(video_ids)

    def iter_videos(self, *, batch: int = 5000) -> Iterator[model.Video]:
        return self.catalog.iter_videos(batch=batch)

    def count_videos(self) -> int:
        return self.catalog.count_videos()

    def creators(self, creator_ids: Iterable[str] | None = None) -> dict[str, model.Creator]:
        return self.catalog.creators(creator_ids)

    def set_labels(self, labels: Mapping[str, model.Label]) -> int:
        return self.catalog.set_labels(labels)

    def set_enforcement(self, video_id: str, enforcement: model.Enforcement) -> None:
        self.catalog.set_enforcement(video_id, enforcement)

    def review_queue(self, limit: int, *, band: float) -> list[tuple[model.Video, float]]:
        return self.catalog.review_queue(limit, band=band)

    def catalog_stats(self) -> CatalogStats:
        return self.catalog.catalog_stats()

    # -- catalog changes -------------------------------------------------

    def catalog_changed(self) -> None:
        self.changes.catalog_changed()

    def last_catalog_change(self) -> int:
        return self.changes.last_catalog_change()

    def catalog_changes(self, after: int) -> list[tuple[int, str | None]]:
        return self.changes.catalog_changes(after)

    # -- accounts --------------------------------------------------------

    def put_account(self, account: model.Account) -> None:
        self.account_rows.put_account(account)

    def accounts(self, account_ids: Iterable[str]) -> dict[str, model.Account]:
        return self.account_rows.accounts(account_ids)

    def account(self, account_id: str) -> model.Account:
        return self.account_rows.account(account_id)

    # -- event log -------------------------------------------------------

    def append(self, events: Sequence[model.Event], *, durable: bool = True) -> list[int]:
        """Append to the log in one transaction; each event's sequence number, in order (see `Events.append`)."""
        return self.log.append(events, durable=durable)

    def append_events(self, events: Sequence[model.Event], *, durable: bool = True) -> None:
        """`append`, for callers that do not need the numbers (kept while callers move to `append`)."""
        self.log.append(events, durable=durable)

    def append_events_numbered(self, events: Sequence[model.Event], *, durable: bool = True) -> list[int]:
        """`append` under its former name (kept while callers move to `append`)."""
        return self.log.append(events, durable=durable)

    def events(
        self, *, account_id: str | None = None, after_seq: int = 0, limit: int | None = None
    ) -> list[tuple[int, model.Event]]:
        return self.log.events(account_id=account_id, after_seq=after_seq, limit=limit)

    def count_events(self) -> int:
        return self.log.count_events()

    def last_seq(self) -> int:
        return self.log.last_seq()

    def account_log(self, account_id: str, after_seq: int) -> tuple[int, int, int | None]:
        return self.log.account_log(account_id, after_seq)

    def impressions_after(self, account_id: str, after_seq: int, limit: int) -> list[tuple[int, model.Event]]:
        return self.log.impressions_after(account_id, after_seq, limit)

    # -- item vectors ----------------------------------------------------

    def count_vectors(self) -> int:
        return self.vectors.count_vectors()

    def video_ids_without_vectors(self) -> list[str]:
        return self.vectors.video_ids_without_vectors()

    def put_content_vectors(self, video_ids: Sequence[str], vectors: npt.NDArray[np.float32]) -> None:
        self.vectors.put_content_vectors(video_ids, vectors)

    def put_collaborative_vectors(self, vectors: Mapping[str, npt.NDArray[np.float32]]) -> None:
        self.vectors.put_collaborative_vectors(vectors)

    def item_vectors(self) -> Iterator[tuple[str, npt.NDArray[np.float16], npt.NDArray[np.float16] | None]]:
        return self.vectors.item_vectors()

    # -- account state snapshots ----------------------------------------

    def snapshot(self, account_id: str) -> tuple[int, bytes] | None:
        return self.snapshots.snapshot(account_id)

    def put_snapshot(self, account_id: str, seq: int, state: bytes) -> None:
        self.snapshots.put_snapshot(account_id, seq, state)

    # -- transparency ----------------------------------------------------

    def add_protection_counts(self, counts: Mapping[tuple[str, str, str], int]) -> None:
        self.counts.add_protection_counts(counts)

    def protection_counts(self) -> dict[tuple[str, str, str], int]:
        return self.counts.protection_counts()

    def control_counts(self) -> list[tuple[str, int | None, str, str, int]]:
        return self.counts.control_counts()

    # -- many instances over one database --------------------------------

    def account_lock(self, account_id: str) -> contextlib.AbstractContextManager[None]:
        return self.locks.account_lock(account_id)

    # -- what we hold about an account (across the families) -------------

    def export_account(self, account_id: str) -> dict[str, Any]:
        """Everything stored about the account, as JSON-ready data."""
        account = self.account(account_id)
        snapshot = self.snapshot(account_id)
        return {
            "account": rows.account_row(account),
            "events": [{"seq": seq, **rows.event_row(event)} for seq, event in self.events(account_id=account_id)],
            "learned_state_snapshot_after_seq": None if snapshot is None else snapshot[0],
            "page_decisions": self._page_decisions(account_id),
        }

    def _page_decisions(self, account_id: str) -> list[dict[str, Any]]:
        """What the ranking decided for each page served to the account (kept so a retried cursor replays it)."""
        table = schema.page_decisions
        query = sa.select(table.c.after_seq, table.c.decisions).where(table.c.account_id == account_id)
        with self.engine.connect() as connection:
            return [
                {"after_seq": int(row.after_seq), "decisions": row.decisions}
                for row in connection.execute(query.order_by(table.c.after_seq))
            ]

    def delete_account(self, account_id: str) -> int:
        """Remove the account, its events and its learned state; returns how many events went with it."""
        self.account(account_id)
        with self.engine.begin() as connection:
            deleted = connection.execute(sa.delete(schema.events).where(schema.events.c.account_id == account_id))
            for table in (schema.account_snapshots, schema.page_decisions):
                connection.execute(sa.delete(table).where(table.c.account_id == account_id))
            connection.execute(sa.delete(schema.accounts).where(schema.accounts.c.id == account_id))
        self.account_rows.forget(account_id)
        return int(deleted.rowcount)
