"""Domain values to table rows and back, and the dialect's upsert every table family shares."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from safefeed import model

LABEL_COLUMNS = frozenset(("mh_related", "theme", "harm", "mh_probability", "label_source"))


def epoch(moment: dt.datetime) -> float:
    return moment.timestamp()


def moment(epoch: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, tz=dt.UTC)


def insert(engine: sa.Engine, table: sa.Table) -> Any:
    """An INSERT that can say ON CONFLICT, in this database's dialect."""
    return (postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert)(table)


def upsert(engine: sa.Engine, connection: sa.Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert or update by primary key `id`; a reviewed label is kept over an imported one."""
    if not rows:
        return
    statement = insert(engine, table)
    excluded = statement.excluded
    updates: dict[str, Any] = {}
    for column in table.columns:
        if column.primary_key:
            continue
        if column.name in LABEL_COLUMNS:
            # A reviewed label wins; an import without a label keeps the one stored.
            keep = sa.or_(table.c.label_source == model.LabelSource.REVIEW.value, excluded.label_source.is_(None))
            updates[column.name] = sa.case((keep, column), else_=excluded[column.name])
        else:
            updates[column.name] = excluded[column.name]
    connection.execute(statement.on_conflict_do_update(index_elements=["id"], set_=updates), list(rows))


def flat_row(value: Any) -> dict[str, Any]:
    """A flat dataclass's fields as a row: `dataclasses.asdict` without its deep copy (a catalog
    import writes tens of thousands of these, and asdict was a tenth of a re-import's time)."""
    return {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}


def label_row(label: model.Label | None) -> dict[str, Any]:
    return {
        "mh_related": None if label is None else label.mh_related,
        "theme": None if label is None or label.theme is None else label.theme.value,
        "harm": None if label is None else label.harm.value,
        "mh_probability": None if label is None else label.probability,
        "label_source": None if label is None else label.source.value,
    }


def video_row(video: model.Video) -> dict[str, Any]:
    return {
        "id": video.id,
        "creator_id": video.creator_id,
        "caption": video.caption,
        "hashtags": " ".join(video.hashtags),
        "duration_s": video.duration_s,
        "created_at": epoch(video.created_at),
        "language": video.language,
        "region": video.region,
        **flat_row(video.counters),
        "enforcement": video.enforcement.value,
        "topic": video.topic,
        "is_ad": video.is_ad,
        **label_row(video.label),
    }


def label_from(row: Any) -> model.Label | None:
    if row.label_source is None:
        return None
    return model.Label(
        mh_related=bool(row.mh_related),
        theme=None if row.theme is None else model.Theme(row.theme),
        harm=model.Harm(row.harm),
        probability=float(row.mh_probability),
        source=model.LabelSource(row.label_source),
    )


def video_from(row: Any) -> model.Video:
    return model.Video(
        id=row.id,
        creator_id=row.creator_id,
        caption=row.caption,
        hashtags=tuple(row.hashtags.split()),
        duration_s=row.duration_s,
        created_at=moment(row.created_at),
        language=row.language,
        region=row.region,
        counters=model.Counters(row.views, row.likes, row.comments, row.shares, row.saves),
        enforcement=model.Enforcement(row.enforcement),
        topic=row.topic,
        is_ad=bool(row.is_ad),
        label=label_from(row),
    )


def account_row(account: model.Account) -> dict[str, Any]:
    return {
        "id": account.id,
        "birth_year": account.birth_year,
        "region": account.region,
        "timezone": account.timezone,
        "settings": dataclasses.asdict(account.settings),
        "created_at": epoch(account.created_at),
    }


def account_from(row: Any) -> model.Account:
    # Settings written by an older version may lack newer fields: they take their defaults.
    known = {field.name for field in dataclasses.fields(model.AccountSettings)}
    settings: dict[str, Any] = {
        key: tuple(value) if isinstance(value, list) else value for key, value in row.settings.items() if key in known
    }
    return model.Account(
        id=row.id,
        birth_year=row.birth_year,
        region=row.region,
        timezone=row.timezone,
        settings=model.AccountSettings(**settings),
        created_at=moment(row.created_at),
    )


def event_row(event: model.Event) -> dict[str, Any]:
    row = {field.name: getattr(event, field.name) for field in dataclasses.fields(event)}
    row["kind"] = event.kind.value
    row["at"] = epoch(event.at)
    return row


def event_from(row: Any) -> model.Event:
    return model.Event(
        account_id=row.account_id,
        kind=model.EventKind(row.kind),
        at=moment(row.at),
        video_id=row.video_id,
        seconds=row.seconds,
        fraction=row.fraction,
        query=row.query,
        creator_id=row.creator_id,
        hashtag=row.hashtag,
        topic=row.topic,
    )
