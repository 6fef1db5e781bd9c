"""Counts for the transparency report: protections applied, and user controls used (from the event log)."""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa

from safefeed import model
from safefeed.store import rows, schema


class Counts:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def add_protection_counts(self, counts: Mapping[tuple[str, str, str], int]) -> None:
        """Add to the running totals of protections applied, by (region, age band, protection)."""
        if not counts:
            return
        table = schema.protection_counts
        insert = rows.insert(self.engine, table)
        found = [
            {"region": region, "band": band, "protection": protection, "count": count}
            for (region, band, protection), count in counts.items()
        ]
        with self.engine.begin() as connection:
            connection.execute(
                insert.on_conflict_do_update(
                    index_elements=["region", "band", "protection"],
                    set_={"count": table.c.count + insert.excluded.count},
                ),
                found,
            )

    def protection_counts(self) -> dict[tuple[str, str, str], int]:
        table = schema.protection_counts
        with self.engine.connect() as connection:
            result = connection.execute(sa.select(table.c.region, table.c.band, table.c.protection, table.c.count))
            return {(region, band, protection): int(count) for region, band, protection, count in result}

    def control_counts(self) -> list[tuple[str, int | None, str, str, int]]:
        """User controls used, from the event log: (region, birth year, kind, target, count)."""
        events, accounts = schema.events, schema.accounts
        target = sa.case(
            (events.c.video_id.is_not(None), "video"),
            (events.c.creator_id.is_not(None), "creator"),
            (events.c.hashtag.is_not(None), "hashtag"),
            (events.c.topic.is_not(None), "topic"),
            else_="other",
        ).label("target")
        query = (
            sa.select(accounts.c.region, accounts.c.birth_year, events.c.kind, target, sa.func.count().label("n"))
            .join(accounts, accounts.c.id == events.c.account_id)
            .where(events.c.kind.in_([model.EventKind.NOT_INTERESTED.value, model.EventKind.REPORT.value]))
            .group_by(accounts.c.region, accounts.c.birth_year, events.c.kind, target)
        )
        with self.engine.connect() as connection:
            return [(row.region, row.birth_year, row.kind, row.target, int(row.n)) for row in connection.execute(query)]
