"""How many times each video was shown to minors lately: the reach the review queue orders by.

A video about to reach many children while its label is in doubt should be
reviewed first (`recommend.sensitivity.review_priority` weighs it). Counted
from the event log's impressions, joined with the accounts' birth years;
an account of unknown age counts as a minor, as `model.Account.age_band` treats it.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from safefeed import model
from safefeed.store import repository, schema


def minor_impressions(
    store: repository.Store, *, since: dt.datetime, today: dt.date, limit: int = 10_000
) -> dict[str, int]:
    """Impressions to under-18s since `since`, by video id (the `limit` most shown)."""
    events, accounts = schema.events, schema.accounts
    # Under 18 by the younger possible age: born after (this year - 19).
    minor = sa.or_(accounts.c.birth_year.is_(None), accounts.c.birth_year > today.year - 19)
    shown = sa.func.count().label("shown")
    query = (
        sa.select(events.c.video_id, shown)
        .join(accounts, accounts.c.id == events.c.account_id)
        .where(
            events.c.kind == model.EventKind.IMPRESSION.value,
            events.c.at >= since.timestamp(),
            events.c.video_id.is_not(None),
            minor,
        )
        .group_by(events.c.video_id)
        .order_by(shown.desc())
        .limit(limit)
    )
    with store.engine.connect() as connection:
        return {str(row.video_id): int(row.shown) for row in connection.execute(query)}
