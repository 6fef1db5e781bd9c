"""Family Pairing state: one-time codes, guardian links, each guardian's controls, requests for more time."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from safefeed.store import schema
from safefeed.wellbeing import clock, family
from safefeed.wellbeing.records import sql, unlocks

# Built once: every page asks whether the account has guardians.
_LINKS = schema.guardian_links
_GUARDIANS_OF = (
    sa.select(_LINKS.c.guardian_id).where(_LINKS.c.teen_id == sa.bindparam("teen")).order_by(_LINKS.c.guardian_id)
)


@dataclasses.dataclass(frozen=True, slots=True)
class Code:
    guardian_id: str
    expires_at: dt.datetime
    used: bool


def _request_from(row: Any) -> family.TimeRequest:
    return family.TimeRequest(
        id=int(row.id),
        teen_id=row.teen_id,
        minutes=int(row.minutes),
        requested_at=clock.moment(row.requested_at),
        status=family.RequestStatus(row.status),
        decided_by=row.decided_by,
        decided_at=sql.moment_or_none(row.decided_at),
    )


class Pairing:
    """The `pairing_codes`, `guardian_links`, `family_controls` and `time_requests` tables."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    # -- codes and links ---------------------------------------------------------

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
            insert = sql.insert(self.engine, schema.guardian_links).values(
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

    # -- guardian controls ---------------------------------------------------------

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
        insert = sql.insert(self.engine, schema.family_controls).values(row)
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
        self,
        request_id: int,
        status: family.RequestStatus,
        guardian_id: str,
        at: dt.datetime,
        grant: unlocks.Grant | None,
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
                unlocks.add_grant_in(connection, teen_id, grant)
        return True
