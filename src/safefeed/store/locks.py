"""Account locks: many instances over one database serve and log one account's page at a time."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import threading
from collections.abc import Iterator
from typing import BinaryIO

import sqlalchemy as sa

LOCK_STRIPES = 4096  # SQLite account locks: bytes of the lock file (and thread locks) accounts hash to

# fcntl locks belong to a process, not a thread: stores of one process on one file also take these.
_FILE_LOCKS: dict[tuple[str, int], threading.Lock] = {}


class AccountLocks:
    """`shared`: whether other processes may write to the database (a simulation's private one has none)."""

    def __init__(self, engine: sa.Engine, *, shared: bool) -> None:
        self.engine = engine
        self.shared = shared
        self._lock_file: BinaryIO | None = None  # SQLite: the file beside the database that the locks live in

    @contextlib.contextmanager
    def account_lock(self, account_id: str) -> Iterator[None]:
        """Hold the account against other processes until the block ends (serve and log one page at a time).

        PostgreSQL: a session advisory lock on a connection of its own.
        SQLite: an fcntl lock on one byte (of LOCK_STRIPES, chosen by the
        account) of a file beside the database, and a thread lock for that byte,
        since fcntl locks belong to a process. Two accounts rarely share a byte
        (and then only take turns).
        """
        key = int.from_bytes(hashlib.blake2b(account_id.encode(), digest_size=8).digest(), "little", signed=True)
        if self.engine.dialect.name == "postgresql":
            with self.engine.connect() as connection:
                connection.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": key})
                try:
                    yield
                finally:
                    connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                    connection.commit()
            return
        path = self.engine.url.database
        if not path or path == ":memory:" or not self.shared:  # nobody else can reach this database
            yield
            return
        if self._lock_file is None:
            self._lock_file = open(f"{path}-locks", "a+b")  # noqa: SIM115 - held for the store's life
        offset = key % LOCK_STRIPES
        with _FILE_LOCKS.setdefault((path, offset), threading.Lock()):
            fcntl.lockf(self._lock_file, fcntl.LOCK_EX, 1, offset)
            try:
                yield
            finally:
                fcntl.lockf(self._lock_file, fcntl.LOCK_UN, 1, offset)
