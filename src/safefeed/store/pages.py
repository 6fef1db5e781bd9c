"""The ranking decisions of each page served, keyed by the cursor it answered.

A retried cursor (the same instance, another one, or after a restart) is
answered from here: the same items with the same sources, scores and
sponsored marks, not a page re-assembled without them. Written with the
page's impressions (server-side log durability), removed with the account.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from safefeed.store import repository, schema

page_decisions = schema.page_decisions


def put(store: repository.Store, account_id: str, after_seq: int, decisions: str) -> None:
    """Keep the decisions of the page served for the cursor at `after_seq` (the first answer stays)."""
    dialect = store.engine.dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(page_decisions)
    row = {"account_id": account_id, "after_seq": after_seq, "decisions": decisions}
    with store.log_engine.begin() as connection:
        connection.execute(insert.on_conflict_do_nothing(index_elements=["account_id", "after_seq"]), row)


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
