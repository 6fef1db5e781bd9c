"""Prompt marks: when something first happened (a screen shown, dismissed, confirmed, a recap queued)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from safefeed.store import schema
from safefeed.wellbeing import clock
from safefeed.wellbeing.records import sql

# Built once: the gate reads marks before pages at night and past the own-limit threshold.
_MARKED = sa.select(schema.prompt_marks.c.at).where(
    schema.prompt_marks.c.account_id == sa.bindparam("account"),
    schema.prompt_marks.c.mark == sa.bindparam("mark"),
    schema.prompt_marks.c.key == sa.bindparam("key"),
)


class Marks:
    """The `prompt_marks` table: one first moment per (account, mark, key)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def mark(self, account_id: str, mark: str, key: str, at: dt.datetime) -> dt.datetime:
        """Record when something first happened (a screen shown, dismissed, confirmed); returns that first time."""
        insert = sql.insert(self.engine, schema.prompt_marks).values(
            account_id=account_id, mark=mark, key=key, at=clock.epoch(at)
        )
        with self.engine.begin() as connection:
            connection.execute(insert.on_conflict_do_nothing(index_elements=["account_id", "mark", "key"]))
        first = self.marked(account_id, mark, key)
        assert first is not None
        return first

    def marked(self, account_id: str, mark: str, key: str) -> dt.datetime | None:
        with self.engine.connect() as connection:
            return sql.moment_or_none(
                connection.execute(_MARKED, {"account": account_id, "mark": mark, "key": key}).scalar_one_or_none()
            )
