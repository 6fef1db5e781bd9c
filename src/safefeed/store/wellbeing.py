"""Well-being state in the shared database: screen time, prompt marks, passcodes, Family Pairing, inbox.

Nothing here lives in process memory, so any number of API instances over one
PostgreSQL agree. Updates that race (two pages at once, two guesses at a
passcode, two guardians deciding one request) are compare-and-set or atomic
increments; each call is one transaction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from safefeed.store import schema
from safefeed.wellbeing import clock, family, notifications, screen_time


@dataclasses.dataclass(frozen=True, slots=True)
class Grant:
    """Extra minutes for one local day; `until` also opens Time Away up to then."""

    day: dt.date
    minutes: int
    source: str  # "passcode" or "guardian"
    at: dt.datetime
    until: dt.datetime | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Code:
    guardian_id: str
    expires_at: dt.datetime
    used: bool


def _epoch(moment: dt.datetime | None) -> float | None:
    return None if moment is None else clock.epoch(moment)


def _moment(epoch: float | None) -> dt.datetime | None:
    return None if epoch is None else clock.moment(epoch)


def _request_from(row: Any) -> family.TimeRequest:
    return family.TimeRequest(
        id=int(row.id),
        teen_id=row.teen_id,
        minutes=int(row.minutes),
        requested_at=clock.moment(row.requested_at),
        status=family.RequestStatus(row.status),
        decided_by=row.decided_by,
        decided_at=_moment(row.decided_at),
    )


def _notification_from(row: Any) -> notifications.Notification:
    return notifications.Notification(
        id=int(row.id),
        recipient_id=row.recipient_id,
        kind=notifications.Kind(row.kind),
        title=row.title,
        body=row.body,
        created_at=clock.moment(row.created_at),
        delivered_at=_moment(row.delivered_at),
    )


# Built once, the statements every page runs: building and cache-keying a statement anew costs
# SQLAlchemy more time than the database takes to run it.
_STATE, _SCREEN, _LINKS = schema.wellbeing_state, schema.screen_time, schema.guardian_links
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
_GRANTED_MINUTES = sa.select(sa.func.coalesce(sa.func.sum(schema.time_grants.c.minutes), 0)).where(
    schema.time_grants.c.account_id == sa.bindparam("account"), schema.time_grants.c.day == sa.bindparam("day")
)
_MARKED = sa.select(schema.prompt_marks.c.at).where(
    schema.prompt_marks.c.account_id == sa.bindparam("account"),
    schema.prompt_marks.c.mark == sa.bindparam("mark"),
    schema.prompt_marks.c.key == sa.bindparam("key"),
)
_GUARDIANS_OF = (
    sa.select(_LINKS.c.guardian_id).where(_LINKS.c.teen_id == sa.bindparam("teen")).order_by(_LINKS.c.guardian_id)
)


class WellbeingStore:
    """The well-being tables, over the engine the main `repository.Store` uses."""

    def __init__(self, engine: sa.Engine, *, activity_engine: sa.Engine | None = None) -> None:
        self.engine = engine
        # The activity clock is written on every page, like the impression log: it may skip the fsync
        # (`Store.log_engine`), surviving a crash of the process but not a power cut.
        self.activity_engine = activity_engine or engine
        self._ensure_state = (
            self._insert(_STATE)
            .values(
                account_id=sa.bindparam("account"), version=0, session_seconds=0.0, acked_seconds=0.0, failed_unlocks=0
            )
            .on_conflict_do_nothing(index_elements=["account_id"])
        )
        added = self._insert(_SCREEN)
        self._add_screen_time = added.on_conflict_do_update(
            index_elements=["account_id", "day", "hour"], set_={"seconds": _SCREEN.c.seconds + added.excluded.seconds}
        )

    def _insert(self, table: sa.Table) -> Any:
        return (postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert)(table)

    # -- activity clock and screen time ------------------------------------

    def clock(self, account_id: str) -> screen_time.Clock:
        with self.engine.connect() as connection:
            row = connection.execute(_CLOCK, {"account": account_id}).first()
        if row is None:
            return screen_time.Clock()
        return screen_time.Clock(
            version=int(row.version),
            last=_moment(row.last_moment),
            session_start=_moment(row.session_start),
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
                    "last": _epoch(after.last),
                    "start": _epoch(after.session_start),
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

    # -- passcode attempts -------------------------------------------------

    def locked_until(self, account_id: str) -> dt.datetime | None:
        table = schema.wellbeing_state
        with self.engine.connect() as connection:
            value = connection.execute(
                sa.select(table.c.locked_until).where(table.c.account_id == account_id)
            ).scalar_one_or_none()
        return _moment(value)

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
            self._add_grant(connection, account_id, grant)

    def _add_grant(self, connection: sa.Connection, account_id: str, grant: Grant) -> None:
        connection.execute(
            sa.insert(schema.time_grants).values(
                account_id=account_id,
                day=grant.day.isoformat(),
                minutes=grant.minutes,
                source=grant.source,
                at=clock.epoch(grant.at),
                until=_epoch(grant.until),
            )
        )

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
            return _moment(connection.execute(query).scalar_one_or_none())

    # -- prompt marks --------------------------------------------------------

    def mark(self, account_id: str, mark: str, key: str, at: dt.datetime) -> dt.datetime:
        """Record when something first happened (a screen shown, dismissed, confirmed); returns that first time."""
        insert = self._insert(schema.prompt_marks).values(account_id=account_id, mark=mark, key=key, at=clock.epoch(at))
        with self.engine.begin() as connection:
            connection.execute(insert.on_conflict_do_nothing(index_elements=["account_id", "mark", "key"]))
        first = self.marked(account_id, mark, key)
        assert first is not None
        return first

    def marked(self, account_id: str, mark: str, key: str) -> dt.datetime | None:
        with self.engine.connect() as connection:
            return _moment(
                connection.execute(_MARKED, {"account": account_id, "mark": mark, "key": key}).scalar_one_or_none()
            )

    # -- passcodes -------------------------------------------------------------

    def put_passcode(self, account_id: str, owner_id: str, digest: str, at: dt.datetime) -> None:
        insert = self._insert(schema.passcodes).values(
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

    # -- Family Pairing ----------------------------------------------------------

    def add_code(self, digest: str, guardian_id: str, created_at: dt.datetime, expires_at: dt.datetime) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                sa.insert(schema.pairing_codes).values(
                    digest=digest,
                    guardian_id=guardian_id,
                    created_at=clock.epoch(created_at),
                    expires_at=clock.epoch(expires_at),
                )
            )

    def code(self, digest: str) -> Code | None:
        table = schema.pairing_codes
        with self.engine.connect() as connection:
            row = connection.execute(sa.select(table).where(table.c.digest == digest)).first()
        return None if row is None else Code(row.guardian_id, clock.moment(row.expires_at), row.used_at is not None)

    def claim_code(self, digest: str, teen_id: str, now: dt.datetime) -> bool:
        """Use the code and link its guardian to the teen, atomically; False if it was used or expired meanwhile."""
        table = schema.pairing_codes
        epoch = clock.epoch(now)
        with self.engine.begin() as connection:
            claimed = connection.execute(
                sa.update(table)
                .where(table.c.digest == digest, table.c.used_at.is_(None), table.c.expires_at > epoch)
                .values(used_at=epoch)
            )
            if claimed.rowcount != 1:
                return False
            guardian_id = connection.execute(
                sa.select(table.c.guardian_id).where(table.c.digest == digest)
            ).scalar_one()
            insert = self._insert(schema.guardian_links).values(
                guardian_id=guardian_id, teen_id=teen_id, linked_at=epoch
            )
            connection.execute(insert.on_conflict_do_nothing(index_elements=["guardian_id", "teen_id"]))
        return True

    def is_linked(self, guardian_id: str, teen_id: str) -> bool:
        table = schema.guardian_links
        query = sa.select(sa.func.count()).where(table.c.guardian_id == guardian_id, table.c.teen_id == teen_id)
        with self.engine.connect() as connection:
            return bool(connection.execute(query).scalar_one())

    def teens_of(self, guardian_id: str) -> list[str]:
        table = schema.guardian_links
        query = sa.select(table.c.teen_id).where(table.c.guardian_id == guardian_id).order_by(table.c.teen_id)
        with self.engine.connect() as connection:
            return list(connection.execute(query).scalars())

    def guardians_of(self, teen_id: str) -> list[str]:
        with self.engine.connect() as connection:
            return list(connection.execute(_GUARDIANS_OF, {"teen": teen_id}).scalars())

    def unlink(self, guardian_id: str, teen_id: str) -> bool:
        """Remove the link with everything that guardian set for the teen (controls, their passcode)."""
        links, controls, codes = schema.guardian_links, schema.family_controls, schema.passcodes
        with self.engine.begin() as connection:
            removed = connection.execute(
                sa.delete(links).where(links.c.guardian_id == guardian_id, links.c.teen_id == teen_id)
            )
            connection.execute(
                sa.delete(controls).where(controls.c.guardian_id == guardian_id, controls.c.teen_id == teen_id)
            )
            connection.execute(sa.delete(codes).where(codes.c.owner_id == guardian_id, codes.c.account_id == teen_id))
        return bool(removed.rowcount)

    def controls(self, teen_id: str) -> list[family.GuardianControls]:
        table = schema.family_controls
        query = sa.select(table).where(table.c.teen_id == teen_id).order_by(table.c.guardian_id)
        with self.engine.connect() as connection:
            return [
                family.GuardianControls.from_row(
                    row.guardian_id, row.daily_limit_minutes, row.time_away, row.settings, clock.moment(row.updated_at)
                )
                for row in connection.execute(query)
            ]

    def put_controls(self, teen_id: str, controls: family.GuardianControls, at: dt.datetime) -> None:
        row = {
            "teen_id": teen_id,
            "guardian_id": controls.guardian_id,
            "daily_limit_minutes": controls.daily_limit_minutes,
            "time_away": [window.to_json() for window in controls.time_away],
            "settings": controls.settings_json(),
            "updated_at": clock.epoch(at),
        }
        insert = self._insert(schema.family_controls).values(row)
        updates = {key: insert.excluded[key] for key in row if key not in ("teen_id", "guardian_id")}
        with self.engine.begin() as connection:
            connection.execute(insert.on_conflict_do_update(index_elements=["teen_id", "guardian_id"], set_=updates))

    # -- requests for more time ---------------------------------------------------

    def add_request(self, teen_id: str, minutes: int, at: dt.datetime) -> family.TimeRequest:
        table = schema.time_requests
        with self.engine.begin() as connection:
            result = connection.execute(
                sa.insert(table).values(
                    teen_id=teen_id, minutes=minutes, requested_at=clock.epoch(at), status=family.RequestStatus.PENDING
                )
            )
            key = result.inserted_primary_key
            assert key is not None
            request_id = int(key[0])
        return family.TimeRequest(request_id, teen_id, minutes, clock.utc(at), family.RequestStatus.PENDING)

    def request(self, request_id: int) -> family.TimeRequest | None:
        table = schema.time_requests
        with self.engine.connect() as connection:
            row = connection.execute(sa.select(table).where(table.c.id == request_id)).first()
        return None if row is None else _request_from(row)

    def requests(self, teen_ids: Iterable[str], *, pending_only: bool = False) -> list[family.TimeRequest]:
        """Requests of these teens, newest first."""
        table = schema.time_requests
        query = sa.select(table).where(table.c.teen_id.in_(list(teen_ids))).order_by(table.c.id.desc())
        if pending_only:
            query = query.where(table.c.status == family.RequestStatus.PENDING.value)
        with self.engine.connect() as connection:
            return [_request_from(row) for row in connection.execute(query)]

    def decide(
        self, request_id: int, status: family.RequestStatus, guardian_id: str, at: dt.datetime, grant: Grant | None
    ) -> bool:
        """Decide a pending request (and grant its time) in one transaction; False if already decided."""
        table = schema.time_requests
        with self.engine.begin() as connection:
            decided = connection.execute(
                sa.update(table)
                .where(table.c.id == request_id, table.c.status == family.RequestStatus.PENDING.value)
                .values(status=status.value, decided_by=guardian_id, decided_at=clock.epoch(at))
            )
            if decided.rowcount != 1:
                return False
            if grant is not None:
                teen_id = connection.execute(sa.select(table.c.teen_id).where(table.c.id == request_id)).scalar_one()
                self._add_grant(connection, teen_id, grant)
        return True

    # -- inbox -------------------------------------------------------------------

    def notify(
        self,
        recipient_id: str,
        kind: notifications.Kind,
        title: str,
        body: str,
        at: dt.datetime,
        *,
        key: str | None,
        subject: str | None = None,
    ) -> bool:
        """Queue a notification; with a `key`, at most once per recipient (True if queued now).

        `subject`: the other person it names, so that deleting their account deletes it too.
        """
        insert = self._insert(schema.notifications).values(
            recipient_id=recipient_id,
            subject_id=subject,
            kind=kind.value,
            dedupe_key=key,
            title=title,
            body=body,
            created_at=clock.epoch(at),
        )
        with self.engine.begin() as connection:
            inserted = connection.execute(
                insert.on_conflict_do_nothing(index_elements=["recipient_id", "dedupe_key"]).returning(
                    schema.notifications.c.id
                )
            ).first()
        return inserted is not None

    def deliver(self, recipient_id: str, now: dt.datetime) -> int:
        """Mark everything queued up to `now` as delivered; returns how many."""
        table = schema.notifications
        epoch = clock.epoch(now)
        with self.engine.begin() as connection:
            result = connection.execute(
                sa.update(table)
                .where(
                    table.c.recipient_id == recipient_id, table.c.delivered_at.is_(None), table.c.created_at <= epoch
                )
                .values(delivered_at=epoch)
            )
        return int(result.rowcount)

    def inbox(
        self, recipient_id: str, *, limit: int = 50, delivered_only: bool = True
    ) -> list[notifications.Notification]:
        """Newest first."""
        table = schema.notifications
        query = sa.select(table).where(table.c.recipient_id == recipient_id).order_by(table.c.id.desc()).limit(limit)
        if delivered_only:
            query = query.where(table.c.delivered_at.is_not(None))
        with self.engine.connect() as connection:
            return [_notification_from(row) for row in connection.execute(query)]

    # -- what we hold about an account ----------------------------------------------

    _BY_ACCOUNT: Mapping[str, str] = {
        "screen_time": "account_id",
        "wellbeing_state": "account_id",
        "time_grants": "account_id",
        "prompt_marks": "account_id",
        "passcodes": "account_id",
        "time_requests": "teen_id",
        "notifications": "recipient_id",
    }

    def export_account(self, account_id: str) -> dict[str, Any]:
        """Every well-being row about the account (passcode hashes left out), as JSON-ready data."""
        exported: dict[str, Any] = {}
        with self.engine.connect() as connection:
            for name, column in self._BY_ACCOUNT.items():
                table = schema.metadata.tables[name]
                rows = connection.execute(sa.select(table).where(table.c[column] == account_id)).mappings()
                exported[name] = [{k: v for k, v in row.items() if k != "hash"} for row in rows]
            about = schema.notifications
            exported["notifications_about_me"] = [
                dict(row)
                for row in connection.execute(sa.select(about).where(about.c.subject_id == account_id)).mappings()
            ]
            links = schema.guardian_links
            exported["guardian_links"] = [
                dict(row)
                for row in connection.execute(
                    sa.select(links).where(sa.or_(links.c.teen_id == account_id, links.c.guardian_id == account_id))
                ).mappings()
            ]
            controls = schema.family_controls
            exported["family_controls"] = [
                dict(row)
                for row in connection.execute(sa.select(controls).where(controls.c.teen_id == account_id)).mappings()
            ]
        return exported

    def delete_account(self, account_id: str) -> None:
        """Remove every well-being row about the account, as a teen or as a guardian."""
        with self.engine.begin() as connection:
            for name, column in self._BY_ACCOUNT.items():
                table = schema.metadata.tables[name]
                connection.execute(sa.delete(table).where(table.c[column] == account_id))
            about = schema.notifications
            connection.execute(sa.delete(about).where(about.c.subject_id == account_id))
            for table in (schema.guardian_links, schema.family_controls):
                connection.execute(
                    sa.delete(table).where(sa.or_(table.c.teen_id == account_id, table.c.guardian_id == account_id))
                )
            connection.execute(sa.delete(schema.passcodes).where(schema.passcodes.c.owner_id == account_id))
            connection.execute(sa.delete(schema.pairing_codes).where(schema.pairing_codes.c.guardian_id == account_id))
