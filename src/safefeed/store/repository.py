"""The one repository every component persists through.

All writes of one call happen in one transaction: a call either stores
everything it was given or nothing, and returns only once it is durable.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import fcntl
import hashlib
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, BinaryIO, ClassVar

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from safefeed import model
from safefeed.store import database, schema


class UnknownVideo(LookupError):
    """No video with that id is in the catalog."""


class UnknownAccount(LookupError):
    """No account with that id exists."""


@dataclasses.dataclass(frozen=True, slots=True)
class ImportCount:
    creators: int
    videos: int


@dataclasses.dataclass(frozen=True, slots=True)
class CatalogStats:
    videos: int
    creators: int
    by_topic: dict[str, int]
    by_language: dict[str, int]
    by_label: dict[str, int]  # "unlabelled", "not_mh", or "<theme>/<harm>"
    by_enforcement: dict[str, int]


_LABEL_COLUMNS = frozenset(("mh_related", "theme", "harm", "mh_probability", "label_source"))


def _epoch(moment: dt.datetime) -> float:
    return moment.timestamp()


def _moment(epoch: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, tz=dt.UTC)


def _label_row(label: model.Label | None) -> dict[str, Any]:
    return {
        "mh_related": None if label is None else label.mh_related,
        "theme": None if label is None or label.theme is None else label.theme.value,
        "harm": None if label is None else label.harm.value,
        "mh_probability": None if label is None else label.probability,
        "label_source": None if label is None else label.source.value,
    }


def _video_row(video: model.Video) -> dict[str, Any]:
    return {
        "id": video.id,
        "creator_id": video.creator_id,
        "caption": video.caption,
        "hashtags": " ".join(video.hashtags),
        "duration_s": video.duration_s,
        "created_at": _epoch(video.created_at),
        "language": video.language,
        "region": video.region,
        **dataclasses.asdict(video.counters),
        "enforcement": video.enforcement.value,
        "topic": video.topic,
        "is_ad": video.is_ad,
        **_label_row(video.label),
    }


def _label_from(row: Any) -> model.Label | None:
    if row.label_source is None:
        return None
    return model.Label(
        mh_related=bool(row.mh_related),
        theme=None if row.theme is None else model.Theme(row.theme),
        harm=model.Harm(row.harm),
        probability=float(row.mh_probability),
        source=model.LabelSource(row.label_source),
    )


def _video_from(row: Any) -> model.Video:
    return model.Video(
        id=row.id,
        creator_id=row.creator_id,
        caption=row.caption,
        hashtags=tuple(row.hashtags.split()),
        duration_s=row.duration_s,
        created_at=_moment(row.created_at),
        language=row.language,
        region=row.region,
        counters=model.Counters(row.views, row.likes, row.comments, row.shares, row.saves),
        enforcement=model.Enforcement(row.enforcement),
        topic=row.topic,
        is_ad=bool(row.is_ad),
        label=_label_from(row),
    )


def _account_row(account: model.Account) -> dict[str, Any]:
    return {
        "id": account.id,
        "birth_year": account.birth_year,
        "region": account.region,
        "timezone": account.timezone,
        "settings": dataclasses.asdict(account.settings),
        "created_at": _epoch(account.created_at),
    }


def _account_from(row: Any) -> model.Account:
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
        created_at=_moment(row.created_at),
    )


def _event_row(event: model.Event) -> dict[str, Any]:
    row = {field.name: getattr(event, field.name) for field in dataclasses.fields(event)}
    row["kind"] = event.kind.value
    row["at"] = _epoch(event.at)
    return row


def _event_from(row: Any) -> model.Event:
    return model.Event(
        account_id=row.account_id,
        kind=model.EventKind(row.kind),
        at=_moment(row.at),
        video_id=row.video_id,
        seconds=row.seconds,
        fraction=row.fraction,
        query=row.query,
        creator_id=row.creator_id,
        hashtag=row.hashtag,
        topic=row.topic,
    )


class Store:
    """Catalog, accounts and the event log, on SQLite or PostgreSQL."""

    def __init__(self, engine: sa.Engine, log_engine: sa.Engine | None = None, *, private: bool = False) -> None:
        self.engine = engine
        # Server-side logs (impressions) go through an engine that skips the fsync.
        self.log_engine = log_engine or engine
        # A private store (a simulation's scratch copy) has no other writer: accounts can be cached.
        self._accounts: dict[str, model.Account] | None = {} if private else None

    @classmethod
    def open(cls, url: str, *, simulation: bool = False) -> Store:
        """Connect and migrate to the newest schema.

        `simulation=True` is for audit runs and benchmarks on a scratch copy:
        nothing is synced to disk, because nothing there is anyone's data.
        """
        engine = database.engine_for(url, durability="none" if simulation else "full")
        database.migrate(engine)
        logs = engine if simulation or not url.startswith("sqlite") else database.engine_for(url, durability="process")
        return cls(engine, logs, private=simulation)

    def close(self) -> None:
        self.engine.dispose()
        self.log_engine.dispose()

    # -- catalog ---------------------------------------------------------

    def _insert(self, table: sa.Table) -> Any:
        """An INSERT that can say ON CONFLICT, in this database's dialect."""
        return (postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert)(table)

    def _upsert(self, connection: sa.Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        insert = self._insert(table)
        excluded = insert.excluded
        updates: dict[str, Any] = {}
        for column in table.columns:
            if column.primary_key:
                continue
            if column.name in _LABEL_COLUMNS:
                # A reviewed label wins; an import without a label keeps the one stored.
                keep = sa.or_(table.c.label_source == model.LabelSource.REVIEW.value, excluded.label_source.is_(None))
                updates[column.name] = sa.case((keep, column), else_=excluded[column.name])
            else:
                updates[column.name] = excluded[column.name]
        connection.execute(insert.on_conflict_do_update(index_elements=["id"], set_=updates), list(rows))

    def import_catalog(self, creators: Sequence[model.Creator], videos: Sequence[model.Video]) -> ImportCount:
        """Upsert creators and videos by id, all in one transaction."""
        with self.engine.begin() as connection:
            self._upsert(connection, schema.creators, [dataclasses.asdict(creator) for creator in creators])
            self._upsert(connection, schema.videos, [_video_row(video) for video in videos])
        return ImportCount(creators=len(creators), videos=len(videos))

    def video(self, video_id: str) -> model.Video:
        videos = self.videos([video_id])
        if not videos:
            raise UnknownVideo(f"no video with id {video_id!r} in the catalog")
        return videos[0]

    def videos(self, video_ids: Sequence[str]) -> list[model.Video]:
        """The videos with these ids, in the order asked; unknown ids are left out."""
        found: dict[str, model.Video] = {}
        with self.engine.connect() as connection:
            for start in range(0, len(video_ids), 500):
                chunk = list(video_ids[start : start + 500])
                rows = connection.execute(sa.select(schema.videos).where(schema.videos.c.id.in_(chunk)))
                found.update((row.id, _video_from(row)) for row in rows)
        return [found[video_id] for video_id in video_ids if video_id in found]

    def iter_videos(self, *, batch: int = 5000) -> Iterator[model.Video]:
        """Every video, in id order, read in batches so memory stays flat."""
        last = ""
        while True:
            with self.engine.connect() as connection:
                query = (
                    sa.select(schema.videos).where(schema.videos.c.id > last).order_by(schema.videos.c.id).limit(batch)
                )
                rows = connection.execute(query).all()
            if not rows:
                return
            yield from (_video_from(row) for row in rows)
            last = rows[-1].id

    def count_vectors(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(sa.select(sa.func.count()).select_from(schema.video_vectors)).scalar_one())

    def count_videos(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(sa.select(sa.func.count()).select_from(schema.videos)).scalar_one())

    def creators(self, creator_ids: Iterable[str] | None = None) -> dict[str, model.Creator]:
        """The creators with these ids (all of them when None)."""
        query = sa.select(schema.creators)
        if creator_ids is not None:
            query = query.where(schema.creators.c.id.in_(list(creator_ids)))
        with self.engine.connect() as connection:
            rows = connection.execute(query)
            return {
                row.id: model.Creator(row.id, row.name, bool(row.verified_professional), row.region, row.birth_year)
                for row in rows
            }

    def set_labels(self, labels: Mapping[str, model.Label]) -> int:
        """Store labels for existing videos; a reviewed label is only replaced by another review.

        Returns how many videos changed.
        """
        videos = schema.videos
        changed = 0
        with self.engine.begin() as connection:
            for video_id, label in labels.items():
                query = sa.update(videos).where(videos.c.id == video_id)
                if label.source is not model.LabelSource.REVIEW:
                    query = query.where(
                        sa.or_(
                            videos.c.label_source.is_(None),
                            videos.c.label_source != model.LabelSource.REVIEW.value,
                        )
                    )
                result = connection.execute(query.values(_label_row(label)))
                changed += result.rowcount
            self._log_catalog_changes(connection, list(labels))
        return changed

    def set_enforcement(self, video_id: str, enforcement: model.Enforcement) -> None:
        videos = schema.videos
        with self.engine.begin() as connection:
            result = connection.execute(
                sa.update(videos).where(videos.c.id == video_id).values(enforcement=enforcement.value)
            )
            if result.rowcount == 0:
                raise UnknownVideo(f"no video with id {video_id!r} in the catalog")
            self._log_catalog_changes(connection, [video_id])

    # -- catalog changes: how a decision made in one process reaches the others

    def _log_catalog_changes(self, connection: sa.Connection, video_ids: Sequence[str | None]) -> None:
        """Append to the catalog change log in the caller's transaction (None: the whole catalog).

        On PostgreSQL writers take the log in turn, so sequence numbers become visible in
        order and a follower reading "after n" never skips one that commits late.
        """
        if not video_ids:
            return
        if self.engine.dialect.name == "postgresql":
            connection.exec_driver_sql("LOCK TABLE catalog_changes IN EXCLUSIVE MODE")
        connection.execute(sa.insert(schema.catalog_changes), [{"video_id": video_id} for video_id in video_ids])

    def catalog_changed(self) -> None:
        """Record that the whole catalog may have changed (an import, once its vectors are stored)."""
        with self.engine.begin() as connection:
            self._log_catalog_changes(connection, [None])

    def last_catalog_change(self) -> int:
        """The newest change's number (0 for none): an engine built after reading it reflects it."""
        with self.engine.connect() as connection:
            return int(connection.execute(sa.select(sa.func.max(schema.catalog_changes.c.seq))).scalar() or 0)

    def catalog_changes(self, after: int) -> list[tuple[int, str | None]]:
        """The changes numbered after `after`, oldest first: (number, video id or None for the whole catalog)."""
        changes = schema.catalog_changes
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(changes).where(changes.c.seq > after).order_by(changes.c.seq))
            return [(int(row.seq), row.video_id) for row in rows]

    def review_queue(self, limit: int, *, band: float) -> list[tuple[model.Video, float]]:
        """Classifier labels whose probability lies within `band` of 0.5, least certain first."""
        videos = schema.videos
        distance = sa.func.abs(videos.c.mh_probability - 0.5)
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(videos)
                .where(videos.c.label_source == model.LabelSource.CLASSIFIER.value, distance < band)
                .order_by(distance, videos.c.id)
                .limit(limit)
            ).all()
        return [(_video_from(row), float(row.mh_probability)) for row in rows]

    def catalog_stats(self) -> CatalogStats:
        videos = schema.videos
        with self.engine.connect() as connection:

            def grouped(*columns: sa.ColumnElement[Any]) -> list[Any]:
                query = sa.select(*columns, sa.func.count().label("n")).group_by(*columns)
                return list(connection.execute(query))

            by_label: Counter[str] = Counter()
            for row in grouped(videos.c.mh_related, videos.c.theme, videos.c.harm):
                if row.mh_related is None:
                    key = "unlabelled"
                elif not row.mh_related:
                    key = "not_mh"
                else:
                    key = f"{row.theme}/{row.harm}"
                by_label[key] += row.n
            creators = connection.execute(sa.select(sa.func.count()).select_from(schema.creators)).scalar_one()
            return CatalogStats(
                videos=sum(by_label.values()),
                creators=int(creators),
                by_topic={str(row.topic): row.n for row in grouped(videos.c.topic)},
                by_language={row.language: row.n for row in grouped(videos.c.language)},
                by_label=dict(sorted(by_label.items())),
                by_enforcement={row.enforcement: row.n for row in grouped(videos.c.enforcement)},
            )

    # -- accounts --------------------------------------------------------

    def put_account(self, account: model.Account) -> None:
        with self.engine.begin() as connection:
            self._upsert(connection, schema.accounts, [_account_row(account)])
        if self._accounts is not None:
            self._accounts[account.id] = account

    def accounts(self, account_ids: Iterable[str]) -> dict[str, model.Account]:
        """These accounts by id; raises UnknownAccount naming the first that does not exist."""
        wanted = sorted(set(account_ids))
        cached = self._accounts
        if cached is not None and all(account_id in cached for account_id in wanted):
            return {account_id: cached[account_id] for account_id in wanted}
        found: dict[str, model.Account] = {}
        with self.engine.connect() as connection:
            for start in range(0, len(wanted), 500):
                rows = connection.execute(_ACCOUNTS, {"ids": wanted[start : start + 500]})
                found.update((row.id, _account_from(row)) for row in rows)
        for account_id in wanted:
            if account_id not in found:
                raise UnknownAccount(f"no account with id {account_id!r}; create it first")
        if cached is not None:
            cached.update(found)
        return found

    def account(self, account_id: str) -> model.Account:
        return self.accounts([account_id])[account_id]

    # -- event log -------------------------------------------------------

    def append_events(self, events: Sequence[model.Event], *, durable: bool = True) -> None:
        """Append to the log in one transaction.

        Durable (the default, for everything a client is told was recorded):
        on disk when this returns, even if the machine loses power. Not durable
        (for impressions the server logs itself): survives a crash of the
        process, but the last moments may be lost with the machine's power:
        SQLite skips the fsync (WAL, synchronous=NORMAL), PostgreSQL the WAL
        flush (synchronous_commit=off).
        """
        if not events:
            return
        rows = [_event_row(event) for event in events]
        with (self.engine if durable else self.log_engine).begin() as connection:
            if not durable and self.engine.dialect.name == "postgresql":
                connection.exec_driver_sql("SET LOCAL synchronous_commit = off")
            connection.execute(sa.insert(schema.events), rows)

    def events(
        self, *, account_id: str | None = None, after_seq: int = 0, limit: int | None = None
    ) -> list[tuple[int, model.Event]]:
        """Events in log order, each with its sequence number."""
        query = sa.select(schema.events).where(schema.events.c.seq > after_seq).order_by(schema.events.c.seq)
        if account_id is not None:
            query = query.where(schema.events.c.account_id == account_id)
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as connection:
            return [(row.seq, _event_from(row)) for row in connection.execute(query)]

    def count_events(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(sa.select(sa.func.count()).select_from(schema.events)).scalar_one())

    def last_seq(self) -> int:
        """The sequence number of the newest event (0 for an empty log)."""
        with self.engine.connect() as connection:
            return int(
                connection.execute(sa.select(sa.func.coalesce(sa.func.max(schema.events.c.seq), 0))).scalar_one()
            )

    # -- item vectors ----------------------------------------------------

    def video_ids_without_vectors(self) -> list[str]:
        vectors = schema.video_vectors
        query = (
            sa.select(schema.videos.c.id)
            .outerjoin(vectors, vectors.c.video_id == schema.videos.c.id)
            .where(vectors.c.video_id.is_(None))
            .order_by(schema.videos.c.id)
        )
        with self.engine.connect() as connection:
            return list(connection.execute(query).scalars())

    def put_content_vectors(self, video_ids: Sequence[str], vectors: npt.NDArray[np.float32]) -> None:
        """Store content embeddings (as float16); they are computed once per video."""
        assert len(video_ids) == len(vectors)
        rows = [
            {"video_id": video_id, "content": vector.astype(np.float16).tobytes(), "collaborative": None}
            for video_id, vector in zip(video_ids, vectors, strict=True)
        ]
        insert = self._insert(schema.video_vectors)
        with self.engine.begin() as connection:
            if rows:
                connection.execute(
                    insert.on_conflict_do_update(
                        index_elements=["video_id"], set_={"content": insert.excluded.content}
                    ),
                    rows,
                )

    def put_collaborative_vectors(self, vectors: Mapping[str, npt.NDArray[np.float32]]) -> None:
        """Replace every video's collaborative factors (videos left out get none)."""
        table = schema.video_vectors
        with self.engine.begin() as connection:
            connection.execute(sa.update(table).values(collaborative=None))
            if vectors:
                connection.execute(
                    sa.update(table)
                    .where(table.c.video_id == sa.bindparam("vid"))
                    .values(collaborative=sa.bindparam("vector")),
                    [{"vid": key, "vector": value.astype(np.float16).tobytes()} for key, value in vectors.items()],
                )

    def item_vectors(self) -> Iterator[tuple[str, npt.NDArray[np.float16], npt.NDArray[np.float16] | None]]:
        """(video id, content vector, collaborative vector or None) for every video with vectors, in id order."""
        table = schema.video_vectors
        with self.engine.connect() as connection:
            result = connection.execution_options(yield_per=10_000).execute(
                sa.select(table.c.video_id, table.c.content, table.c.collaborative).order_by(table.c.video_id)
            )
            for video_id, content, collaborative in result:
                yield (
                    video_id,
                    np.frombuffer(content, dtype=np.float16),
                    None if collaborative is None else np.frombuffer(collaborative, dtype=np.float16),
                )

    # -- account state snapshots ----------------------------------------

    def snapshot(self, account_id: str) -> tuple[int, bytes] | None:
        table = schema.account_snapshots
        with self.engine.connect() as connection:
            row = connection.execute(
                sa.select(table.c.seq, table.c.state).where(table.c.account_id == account_id)
            ).first()
        return None if row is None else (int(row.seq), bytes(row.state))

    def put_snapshot(self, account_id: str, seq: int, state: bytes) -> None:
        insert = self._insert(schema.account_snapshots)
        with self.engine.begin() as connection:
            connection.execute(
                insert.on_conflict_do_update(
                    index_elements=["account_id"],
                    set_={"seq": insert.excluded.seq, "state": insert.excluded.state},
                ),
                {"account_id": account_id, "seq": seq, "state": state},
            )

    # -- transparency ----------------------------------------------------

    def add_protection_counts(self, counts: Mapping[tuple[str, str, str], int]) -> None:
        """Add to the running totals of protections applied, by (region, age band, protection)."""
        if not counts:
            return
        table = schema.protection_counts
        insert = self._insert(table)
        rows = [
            {"region": region, "band": band, "protection": protection, "count": count}
            for (region, band, protection), count in counts.items()
        ]
        with self.engine.begin() as connection:
            connection.execute(
                insert.on_conflict_do_update(
                    index_elements=["region", "band", "protection"],
                    set_={"count": table.c.count + insert.excluded.count},
                ),
                rows,
            )

    def protection_counts(self) -> dict[tuple[str, str, str], int]:
        table = schema.protection_counts
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(table.c.region, table.c.band, table.c.protection, table.c.count))
            return {(region, band, protection): int(count) for region, band, protection, count in rows}

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

    # -- what we hold about an account -----------------------------------

    def export_account(self, account_id: str) -> dict[str, Any]:
        """Everything stored about the account, as JSON-ready data."""
        account = self.account(account_id)
        snapshot = self.snapshot(account_id)
        return {
            "account": _account_row(account),
            "events": [{"seq": seq, **_event_row(event)} for seq, event in self.events(account_id=account_id)],
            "learned_state_snapshot_after_seq": None if snapshot is None else snapshot[0],
        }

    def delete_account(self, account_id: str) -> int:
        """Remove the account, its events and its learned state; returns how many events went with it."""
        self.account(account_id)
        with self.engine.begin() as connection:
            deleted = connection.execute(sa.delete(schema.events).where(schema.events.c.account_id == account_id))
            connection.execute(
                sa.delete(schema.account_snapshots).where(schema.account_snapshots.c.account_id == account_id)
            )
            connection.execute(sa.delete(schema.accounts).where(schema.accounts.c.id == account_id))
        if self._accounts is not None:
            self._accounts.pop(account_id, None)
        return int(deleted.rowcount)

    # -- many instances over one database --------------------------------

    _lock_file: BinaryIO | None = None  # SQLite: the file beside the database that account locks live in
    # fcntl locks belong to a process, not a thread: stores of one process on one file also take this.
    _file_locks: ClassVar[dict[tuple[str, int], threading.Lock]] = {}

    @property
    def shared(self) -> bool:
        """Whether other processes may write here too (a simulation's private store has no other writer)."""
        return self._accounts is None

    def append_events_numbered(self, events: Sequence[model.Event], *, durable: bool = True) -> list[int]:
        """`append_events`, returning each event's sequence number in the order given.

        A cache of derived state needs them to tell its own events from those
        another process appended in between.
        """
        if not events:
            return []
        rows = [_event_row(event) for event in events]
        with (self.engine if durable else self.log_engine).begin() as connection:
            if self.engine.dialect.name == "postgresql":
                if not durable:
                    connection.exec_driver_sql("SET LOCAL synchronous_commit = off")
                insert = sa.insert(schema.events).returning(schema.events.c.seq, sort_by_parameter_order=True)
                return [int(seq) for seq in connection.execute(insert, rows).scalars()]
            # The driver's own executemany: this runs for every page served, and SQLAlchemy's
            # statement building would cost more than SQLite's insert.
            columns = list(rows[0])
            statement = f"INSERT INTO events ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
            connection.exec_driver_sql(statement, [tuple(row.values()) for row in rows])
            last = int(connection.exec_driver_sql("SELECT last_insert_rowid()").scalar_one())
        # SQLite numbers a new row one past the largest rowid, and the transaction held the only
        # write lock: these rows got consecutive numbers (cheaper than RETURNING row by row).
        return list(range(last - len(rows) + 1, last + 1))

    def account_log(self, account_id: str, after_seq: int) -> tuple[int, int, int | None]:
        """(How many of the account's events come after `after_seq`, the newest one's seq or 0, the seq of
        its snapshot or None), in one query on the account's index: whether another process wrote for it."""
        with self.engine.connect() as connection:
            count, newest, snapshot = connection.execute(
                _ACCOUNT_LOG, {"account": account_id, "after": after_seq}
            ).one()
        return int(count), int(newest), None if snapshot is None else int(snapshot)

    def impressions_after(self, account_id: str, after_seq: int, limit: int) -> list[tuple[int, model.Event]]:
        """The account's first `limit` impressions after `after_seq`: the page a cursor was answered with."""
        events = schema.events
        query = (
            sa.select(events)
            .where(
                events.c.account_id == account_id,
                events.c.seq > after_seq,
                events.c.kind == model.EventKind.IMPRESSION.value,
            )
            .order_by(events.c.seq)
            .limit(limit)
        )
        with self.engine.connect() as connection:
            return [(row.seq, _event_from(row)) for row in connection.execute(query)]

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
        with Store._file_locks.setdefault((path, offset), threading.Lock()):
            fcntl.lockf(self._lock_file, fcntl.LOCK_EX, 1, offset)
            try:
                yield
            finally:
                fcntl.lockf(self._lock_file, fcntl.LOCK_UN, 1, offset)


LOCK_STRIPES = 4096  # SQLite account locks: bytes of the lock file (and thread locks) accounts hash to

# Built once: they run for every page a shared store serves.
_ACCOUNTS = sa.select(schema.accounts).where(schema.accounts.c.id.in_(sa.bindparam("ids", expanding=True)))
_ACCOUNT_LOG = sa.text(
    "SELECT (SELECT count(*) FROM events WHERE account_id = :account AND seq > :after),"
    " (SELECT coalesce(max(seq), 0) FROM events WHERE account_id = :account AND seq > :after),"
    " (SELECT seq FROM account_snapshots WHERE account_id = :account)"
)
