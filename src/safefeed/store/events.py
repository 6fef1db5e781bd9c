"""The event log: append-only, in one order, each event numbered by its sequence number."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from safefeed import model
from safefeed.store import rows, schema

# Built once: it runs for every page a shared store serves.
_ACCOUNT_LOG = sa.text(
    "SELECT (SELECT count(*) FROM events WHERE account_id = :account AND seq > :after),"
    " (SELECT coalesce(max(seq), 0) FROM events WHERE account_id = :account AND seq > :after),"
    " (SELECT seq FROM account_snapshots WHERE account_id = :account)"
)


def insert(connection: sa.Connection, found: Sequence[Mapping[str, Any]], *, durable: bool) -> list[int]:
    """Insert event rows in the caller's transaction; each one's sequence number, in the order given."""
    if not found:
        return []
    if connection.dialect.name == "postgresql":
        if not durable:
            connection.exec_driver_sql("SET LOCAL synchronous_commit = off")
        statement = sa.insert(schema.events).returning(schema.events.c.seq, sort_by_parameter_order=True)
        return [int(seq) for seq in connection.execute(statement, found).scalars()]
    # The driver's own executemany: this runs for every page served, and SQLAlchemy's
    # statement building would cost more than SQLite's insert.
    columns = list(found[0])
    statement_text = f"INSERT INTO events ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    connection.exec_driver_sql(statement_text, [tuple(row.values()) for row in found])
    last = int(connection.exec_driver_sql("SELECT last_insert_rowid()").scalar_one())
    # SQLite numbers a new row one past the largest rowid, and the transaction holds the only
    # write lock: these rows got consecutive numbers (cheaper than RETURNING row by row).
    return list(range(last - len(found) + 1, last + 1))


class Events:
    """The log; `log_engine` is the one server-side logs (impressions) go through, skipping the fsync."""

    def __init__(self, engine: sa.Engine, log_engine: sa.Engine) -> None:
        self.engine = engine
        self.log_engine = log_engine

    def append(self, events: Sequence[model.Event], *, durable: bool = True) -> list[int]:
        """Append to the log in one transaction; returns each event's sequence number, in the order given.

        Durable (the default, for everything a client is told was recorded):
        on disk when this returns, even if the machine loses power. Not durable
        (for impressions the server logs itself): survives a crash of the
        process, but the last moments may be lost with the machine's power:
        SQLite skips the fsync (WAL, synchronous=NORMAL), PostgreSQL the WAL
        flush (synchronous_commit=off).

        The numbers let a cache of derived state tell its own events from
        those another process appended in between.
        """
        if not events:
            return []
        with (self.engine if durable else self.log_engine).begin() as connection:
            return insert(connection, [rows.event_row(event) for event in events], durable=durable)

    def events(
        self, *, account_id: str | None = None, after_seq: int = 0, limit: int | None = None
    ) -> list[tuple[int, model.Event]]:
        """Events in log order, each with its sequence number."""
        query = sa.select(schema.events).where(schema.events.c.seq > after_seq).order_by(schema.events.c.seq)
        if account_id is not None:
            query = query.where(schema.events.c.account_id == account_id)
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as connection:
            return [(row.seq, rows.event_from(row)) for row in connection.execute(query)]

    def count_events(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(sa.select(sa.func.count()).select_from(schema.events)).scalar_one())

    def last_seq(self) -> int:
        """The sequence number of the newest event (0 for an empty log)."""
        with self.engine.connect() as connection:
            return int(
                connection.execute(sa.select(sa.func.coalesce(sa.func.max(schema.events.c.seq), 0))).scalar_one()
            )

    def account_log(self, account_id: str, after_seq: int) -> tuple[int, int, int | None]:
        """(How many of the account's events come after `after_seq`, the newest one's seq or 0, the seq of
        its snapshot or None), in one query on the account's index: whether another process wrote for it."""
        with self.engine.connect() as connection:
            count, newest, snapshot = connection.execute(
                _ACCOUNT_LOG, {"account": account_id, "after": after_seq}
            ).one()
        return int(count), int(newest), None if snapshot is None else int(snapshot)

    def impressions_after(self, account_id: str, after_seq: int, limit: int) -> list[tuple[int, model.Event]]:
        """The account's first `limit` impressions after `after_seq`: the page a cursor was answered with."""
        events = schema.events
        query = (
            sa.select(events)
            .where(
                events.c.account_id == account_id,
                events.c.seq > after_seq,
                events.c.kind == model.EventKind.IMPRESSION.value,
            )
            .order_by(events.c.seq)
            .limit(limit)
        )
        with self.engine.connect() as connection:
            return [(row.seq, rows.event_from(row)) for row in connection.execute(query)]
