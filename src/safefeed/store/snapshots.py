"""Account state snapshots: an account's learned state as of a sequence number, so replay starts there."""

from __future__ import annotations

import sqlalchemy as sa

from safefeed.store import rows, schema


class Snapshots:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def snapshot(self, account_id: str) -> tuple[int, bytes] | None:
        table = schema.account_snapshots
        with self.engine.connect() as connection:
            row = connection.execute(
                sa.select(table.c.seq, table.c.state).where(table.c.account_id == account_id)
            ).first()
        return None if row is None else (int(row.seq), bytes(row.state))

    def put_snapshot(self, account_id: str, seq: int, state: bytes) -> None:
        insert = rows.insert(self.engine, schema.account_snapshots)
        with self.engine.begin() as connection:
            connection.execute(
                insert.on_conflict_do_update(
                    index_elements=["account_id"],
                    set_={"seq": insert.excluded.seq, "state": insert.excluded.state},
                ),
                {"account_id": account_id, "seq": seq, "state": state},
            )
