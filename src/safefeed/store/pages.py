"""The ranking decisions of each page served, keyed by the cursor it answered.

A retried cursor (the same instance, another one, or after a restart) is
answered from here: the same items with the same sources, scores and
sponsored marks, not a page re-assembled without them. Written with the
page's impressions (server-side log durability), removed with the account.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from safefeed import model
from safefeed.store import events, repository, schema
from safefeed.store import rows as store_rows

page_decisions = schema.page_decisions


def put(store: repository.Store, account_id: str, after_seq: int, decisions: str) -> None:
    """Keep the decisions of the page served for the cursor at `after_seq` (the first answer stays)."""
    with store.log_engine.begin() as connection:
        _put(connection, account_id, after_seq, decisions)


def _put(connection: sa.Connection, account_id: str, after_seq: int, decisions: str) -> None:
    if connection.dialect.name == "postgresql":
        insert = postgresql.insert(page_decisions).on_conflict_do_nothing(index_elements=["account_id", "after_seq"])
        connection.execute(insert, {"account_id": account_id, "after_seq": after_seq, "decisions": decisions})
    else:  # the driver's own statement: this runs for every page served (as the impressions' insert does)
        connection.exec_driver_sql(_SQLITE_PUT, (account_id, after_seq, decisions))


_SQLITE_PUT = "INSERT OR IGNORE INTO page_decisions (account_id, after_seq, decisions) VALUES (?, ?, ?)"


Decisions = Callable[[list[int]], tuple[int, str] | None]  # the impressions' seqs -> (after_seq, JSON) or None


def append_page(store: repository.Store, impressions: Sequence[model.Event], decisions: Decisions) -> list[int]:
    """Log a page's impressions and keep its decisions in one transaction: one commit per page served.

    `decisions` gets the impressions' sequence numbers (the next cursor is made of them) and returns
    the row to keep, or None. As `Store.append_events_numbered(durable=False)` for the impressions.
    """
    with store.log_engine.begin() as connection:
        seqs = events.insert(connection, [store_rows.event_row(event) for event in impressions], durable=False)
        kept = decisions(seqs)
        if kept is not None and impressions:
            _put(connection, impressions[0].account_id, *kept)
        return seqs


def get(store: repository.Store, account_id: str, after_seq: int) -> str | None:
    table = page_decisions
    query = sa.select(table.c.decisions).where(table.c.account_id == account_id, table.c.after_seq == after_seq)
    with store.engine.connect() as connection:
        found = connection.execute(query).scalar_one_or_none()
    return None if found is None else str(found)


def delete(store: repository.Store, account_id: str) -> int:
    """Remove the account's page decisions (they name what it was shown); returns how many went."""
    with store.engine.begin() as connection:
        deleted = connection.execute(sa.delete(page_decisions).where(page_decisions.c.account_id == account_id))
    return int(deleted.rowcount)
