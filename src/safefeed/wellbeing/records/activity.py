"""The activity clock and screen time: written on every page, so its statements are built once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa

from safefeed.store import schema
from safefeed.wellbeing import clock, screen_time
from safefeed.wellbeing.records import sql

# Built once, the statements every page runs: building and cache-keying a statement anew costs
# SQLAlchemy more time than the database takes to run it.
_STATE, _SCREEN = schema.wellbeing_state, schema.screen_time
_CLOCK = sa.select(_STATE).where(_STATE.c.account_id == sa.bindparam("account"))
_ADVANCE = (
    sa.update(_STATE)
    .where(_STATE.c.account_id == sa.bindparam("account"), _STATE.c.version == sa.bindparam("expected"))
    .values(
        version=sa.bindparam("next_version"),
        last_moment=sa.bindparam("last"),
        session_start=sa.bindparam("start"),
        session_seconds=sa.bindparam("session"),
        acked_seconds=sa.bindparam("acked"),
    )
)
_DAY_SECONDS = sa.select(sa.func.coalesce(sa.func.sum(_SCREEN.c.seconds), 0.0)).where(
    _SCREEN.c.account_id == sa.bindparam("account"), _SCREEN.c.day == sa.bindparam("day")
)


class Activity:
    """The `wellbeing_state` clock columns and the `screen_time` table."""

    def __init__(self, engine: sa.Engine, *, activity_engine: sa.Engine | None = None) -> None:
        self.engine = engine
        # The activity clock is written on every page, like the impression log: it may skip the fsync
        # (`Store.log_engine`), surviving a crash of the process but not a power cut.
        self.activity_engine = activity_engine or engine
        self._ensure_state = sql.ensure_state(engine)
        added = sql.insert(engine, _SCREEN)
        self._add_screen_time = added.on_conflict_do_update(
            index_elements=["account_id", "day", "hour"], set_={"seconds": _SCREEN.c.seconds + added.excluded.seconds}
        )

    def clock(self, account_id: str) -> screen_time.Clock:
        with self.engine.connect() as connection:
            row = connection.execute(_CLOCK, {"account": account_id}).first()
        if row is None:
            return screen_time.Clock()
        return screen_time.Clock(
            version=int(row.version),
            last=sql.moment_or_none(row.last_moment),
            session_start=sql.moment_or_none(row.session_start),
            session_seconds=float(row.session_seconds),
            acked_seconds=float(row.acked_seconds),
        )

    def advance(
        self, account_id: str, expected_version: int, after: screen_time.Clock, slices: Sequence[screen_time.Slice]
    ) -> bool:
        """Store the new clock and add its screen time, only if nobody advanced it since `expected_version`.

        False means another instance won the race: read the clock again and retry.
        """
        with self.activity_engine.begin() as connection:
            if expected_version == 0:  # the account's first activity: its row may not exist yet
                connection.execute(self._ensure_state, {"account": account_id})
            updated = connection.execute(
                _ADVANCE,
                {
                    "account": account_id,
                    "expected": expected_version,
                    "next_version": expected_version + 1,
                    "last": sql.epoch_or_none(after.last),
                    "start": sql.epoch_or_none(after.session_start),
                    "session": after.session_seconds,
                    "acked": after.acked_seconds,
                },
            )
            if updated.rowcount != 1:
                connection.rollback()
                return False
            if slices:
                connection.execute(
                    self._add_screen_time,
                    [
                        {"account_id": account_id, "day": s.day.isoformat(), "hour": s.hour, "seconds": s.seconds}
                        for s in slices
                    ],
                )
        return True

    def acknowledge_session(self, account_id: str, session_start: dt.datetime, seconds: float) -> None:
        """Remember that "keep going" was answered after `seconds` of this session."""
        table = schema.wellbeing_state
        with self.engine.begin() as connection:
            connection.execute(
                sa.update(table)
                .where(table.c.account_id == account_id, table.c.session_start == clock.epoch(session_start))
                .values(acked_seconds=seconds)
            )

    def seconds_by_hour(self, account_id: str, first: dt.date, last: dt.date) -> dict[tuple[dt.date, int], float]:
        """Screen time keyed by (local day, local hour), for the days first..last inclusive."""
        table = schema.screen_time
        query = sa.select(table.c.day, table.c.hour, table.c.seconds).where(
            table.c.account_id == account_id, table.c.day >= first.isoformat(), table.c.day <= last.isoformat()
        )
        with self.engine.connect() as connection:
            return {
                (dt.date.fromisoformat(day), int(hour)): float(seconds)
                for day, hour, seconds in connection.execute(query)
            }

    def day_seconds(self, account_id: str, day: dt.date) -> float:
        with self.engine.connect() as connection:
            return float(connection.execute(_DAY_SECONDS, {"account": account_id, "day": day.isoformat()}).scalar_one())
