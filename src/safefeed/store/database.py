"""Opening a database: the engine with durable settings, migrated to the newest schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")


# SQLite's `synchronous` setting for each level of durability a write may ask for.
SYNCHRONOUS = {"full": "FULL", "process": "NORMAL", "none": "OFF"}
# "full": survives power loss; "process": survives a crash of the process; "none": simulations.
Durability = Literal["full", "process", "none"]
# Connections kept open for the threads that serve at once (the API's thread pool): a connection
# dropped after each request costs SQLite its pragmas and PostgreSQL a new backend process.
POOL = {"pool_size": 20, "max_overflow": 20}


def engine_for(url: str, *, durability: Durability = "full") -> sa.Engine:
    """An engine whose commits are as durable as asked.

    SQLite runs in WAL mode; with `synchronous=FULL` a committed transaction
    survives a crash of the process or the machine, with NORMAL a crash of the
    process only. PostgreSQL is durable as it comes (see `Store.append_events`).
    """
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if not url.startswith("sqlite"):
        return sa.create_engine(url, pool_pre_ping=True, **POOL)
    in_memory = url in ("sqlite://", "sqlite:///:memory:")  # one connection per thread, no pool to size
    engine = sa.create_engine(url, connect_args={"timeout": 30}, **({} if in_memory else POOL))

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={SYNCHRONOUS[durability]}")
        cursor.execute("PRAGMA busy_timeout=30000")
        # Deleted rows are overwritten, not left in free pages: a deleted account is gone from the file.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    return engine


def migrate(engine: sa.Engine) -> None:
    """Bring the schema up to the newest Alembic revision (idempotent)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
