"""What the well-being repositories share: dialect-aware upserts and optional epoch columns."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from safefeed.store import schema
from safefeed.wellbeing import clock


def epoch_or_none(moment: dt.datetime | None) -> float | None:
    return None if moment is None else clock.epoch(moment)


def moment_or_none(epoch: float | None) -> dt.datetime | None:
    return None if epoch is None else clock.moment(epoch)


def insert(engine: sa.Engine, table: sa.Table) -> Any:
    """An INSERT that can take ON CONFLICT, in the engine's dialect."""
    return (postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert)(table)


def ensure_state(engine: sa.Engine) -> Any:
    """The account's `wellbeing_state` row, created empty unless it exists (bind `account`)."""
    return (
        insert(engine, schema.wellbeing_state)
        .values(account_id=sa.bindparam("account"), version=0, session_seconds=0.0, acked_seconds=0.0, failed_unlocks=0)
        .on_conflict_do_nothing(index_elements=["account_id"])
    )
