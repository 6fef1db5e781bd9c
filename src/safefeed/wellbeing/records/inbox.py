"""The inbox: notifications queued, delivered when quiet hours allow, read newest first."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from safefeed.store import schema
from safefeed.wellbeing import clock, notifications
from safefeed.wellbeing.records import sql


def _notification_from(row: Any) -> notifications.Notification:
    return notifications.Notification(
        id=int(row.id),
        recipient_id=row.recipient_id,
        kind=notifications.Kind(row.kind),
        title=row.title,
        body=row.body,
        created_at=clock.moment(row.created_at),
        delivered_at=sql.moment_or_none(row.delivered_at),
    )


class Inbox:
    """The `notifications` table."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

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
        insert = sql.insert(self.engine, schema.notifications).values(
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
