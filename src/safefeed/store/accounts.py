"""Accounts: who they are, where, and the settings they chose."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from safefeed import model
from safefeed.store import errors, rows, schema

# Built once: it runs for every page a shared store serves.
_ACCOUNTS = sa.select(schema.accounts).where(schema.accounts.c.id.in_(sa.bindparam("ids", expanding=True)))
# One account by id, as every page asks.
_ACCOUNT = sa.select(schema.accounts).where(schema.accounts.c.id == sa.bindparam("id"))


class Accounts:
    """Accounts by id; `cache` (a private store's, which has no other writer) keeps them in memory."""

    def __init__(self, engine: sa.Engine, cache: dict[str, model.Account] | None) -> None:
        self.engine = engine
        self.cache = cache

    def put_account(self, account: model.Account) -> None:
        with self.engine.begin() as connection:
            rows.upsert(self.engine, connection, schema.accounts, [rows.account_row(account)])
        if self.cache is not None:
            self.cache[account.id] = account

    def accounts(self, account_ids: Iterable[str]) -> dict[str, model.Account]:
        """These accounts by id; raises UnknownAccount naming the first that does not exist."""
        wanted = sorted(set(account_ids))
        cached = self.cache
        if cached is not None and all(account_id in cached for account_id in wanted):
            return {account_id: cached[account_id] for account_id in wanted}
        found: dict[str, model.Account] = {}
        with self.engine.connect() as connection:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                if len(chunk) == 1:  # as every page asks: no list to expand into the statement
                    result = connection.execute(_ACCOUNT, {"id": chunk[0]})
                else:
                    result = connection.execute(_ACCOUNTS, {"ids": chunk})
                found.update((row.id, rows.account_from(row)) for row in result)
        for account_id in wanted:
            if account_id not in found:
                raise errors.UnknownAccount(f"no account with id {account_id!r}; create it first")
        if cached is not None:
            cached.update(found)
        return found

    def account(self, account_id: str) -> model.Account:
        return self.accounts([account_id])[account_id]

    def forget(self, account_id: str) -> None:
        """Drop a deleted account from the cache (its rows went in the caller's transaction)."""
        if self.cache is not None:
            self.cache.pop(account_id, None)
