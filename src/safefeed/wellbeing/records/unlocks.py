"""What extends a limit: passcodes, the lock-out after wrong guesses, and grants of extra minutes."""

from __future__ import annotations

import dataclasses
import datetime as dt

import sqlalchemy as sa

from safefeed.store import schema
from safefeed.wellbeing import clock
from safefeed.wellbeing.records import sql

# Built once: the gate reads the granted minutes before every page that reaches the limit.
_GRANTED_MINUTES = sa.select(sa.func.coalesce(sa.func.sum(schema.time_grants.c.minutes), 0)).where(
    schema.time_grants.c.account_id == sa.bindparam("account"), schema.time_grants.c.day == sa.bindparam("day")
)


@dataclasses.dataclass(frozen=True, slots=True)
class Grant:
    """Extra minutes for one local day; `until` also opens Time Away up to then."""

    day: dt.date
    minutes: int
    source: str  # "passcode" or "guardian"
    at: dt.datetime
    until: dt.datetime | None = None


def add_grant_in(connection: sa.Connection, account_id: str, grant: Grant) -> None:
    """Store a grant inside the caller's transaction (a guardian's decision grants in the same one)."""
    connection.execute(
        sa.insert(schema.time_grants).values(
            account_id=account_id,
            day=grant.day.isoformat(),
            minutes=grant.minutes,
            source=grant.source,
            at=clock.epoch(grant.at),
            until=sql.epoch_or_none(grant.until),
        )
    )


class Unlocks:
    """The `passcodes` and `time_grants` tables and the lock-out columns of `wellbeing_state`."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._ensure_state = sql.ensure_state(engine)

    # -- passcode attempts -------------------------------------------------

    def locked_until(self, account_id: str) -> dt.datetime | None:
        table = schema.wellbeing_state
        with self.engine.connect() as connection:
            value = connection.execute(
                sa.select(table.c.locked_until).where(table.c.account_id == account_id)
            ).scalar_one_or_none()
        return sql.moment_or_none(value)

    def record_failure(self, account_id: str, now: dt.datetime, *, max_failures: int, lockout: dt.timedelta) -> int:
        """Count a wrong passcode; at `max_failures` in a row, lock until now + lockout. Returns attempts left."""
        table = schema.wellbeing_state
        where = table.c.account_id == account_id
        with self.engine.begin() as connection:
            connection.execute(self._ensure_state, {"account": account_id})
            connection.execute(sa.update(table).where(where).values(failed_unlocks=table.c.failed_unlocks + 1))
            failures = int(connection.execute(sa.select(table.c.failed_unlocks).where(where)).scalar_one())
            if failures >= max_failures:
                connection.execute(
                    sa.update(table).where(where).values(failed_unlocks=0, locked_until=clock.epoch(now + lockout))
                )
                return 0
        return max_failures - failures

    def reset_failures(self, account_id: str) -> None:
        table = schema.wellbeing_state
        with self.engine.begin() as connection:
            connection.execute(
                sa.update(table).where(table.c.account_id == account_id).values(failed_unlocks=0, locked_until=None)
            )

    # -- extensions ----------------------------------------------------------

    def add_grant(self, account_id: str, grant: Grant) -> None:
        with self.engine.begin() as connection:
            add_grant_in(connection, account_id, grant)

    def granted_minutes(self, account_id: str, day: dt.date) -> int:
        with self.engine.connect() as connection:
            return int(
                connection.execute(_GRANTED_MINUTES, {"account": account_id, "day": day.isoformat()}).scalar_one()
            )

    def pass_until(self, account_id: str, now: dt.datetime) -> dt.datetime | None:
        """The end of an approved break from Time Away going on at `now`, if any."""
        table = schema.time_grants
        epoch = clock.epoch(now)
        query = sa.select(sa.func.max(table.c.until)).where(
            table.c.account_id == account_id, table.c.at <= epoch, table.c.until > epoch
        )
        with self.engine.connect() as connection:
            return sql.moment_or_none(connection.execute(query).scalar_one_or_none())

    # -- passcodes -------------------------------------------------------------

    def put_passcode(self, account_id: str, owner_id: str, digest: str, at: dt.datetime) -> None:
        insert = sql.insert(self.engine, schema.passcodes).values(
            account_id=account_id, owner_id=owner_id, hash=digest, set_at=clock.epoch(at)
        )
        with self.engine.begin() as connection:
            connection.execute(
                insert.on_conflict_do_update(
                    index_elements=["account_id", "owner_id"],
                    set_={"hash": insert.excluded.hash, "set_at": insert.excluded.set_at},
                )
            )

    def passcodes(self, account_id: str) -> dict[str, str]:
        """The argon2 hashes that can extend this account's limit, by who set them."""
        table = schema.passcodes
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(table.c.owner_id, table.c.hash).where(table.c.account_id == account_id))
            return {owner: digest for owner, digest in rows}
