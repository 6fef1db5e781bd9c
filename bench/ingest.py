"""Learning throughput: events logged durably and applied to account state, against raw SQLite inserts.

    python bench/ingest.py --events 200000 --batch 1000 --json

The engine's path is `Engine.record(batch)`: validate, append to the event log
in one durable transaction (WAL, synchronous=FULL), then update each
account's interest vector, topic affinities, ALS interactions and seen set.
The floor is the same rows inserted with the sqlite3 module alone, in the same
batches, with the same durability, into an identical table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from safefeed import model
from safefeed.content import generate
from safefeed.policy import rules
from safefeed.recommend import feed, vectors
from safefeed.store import repository

KINDS = [model.EventKind.WATCH] * 6 + [model.EventKind.LIKE, model.EventKind.SKIP, model.EventKind.SHARE]


def make_events(ids: list[str], accounts: int, count: int, seed: int) -> list[model.Event]:
    rng = np.random.default_rng(seed)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    events = []
    for number in range(count):
        kind = KINDS[int(rng.integers(len(KINDS)))]
        events.append(
            model.Event(
                f"acct-{int(rng.integers(accounts))}",
                kind,
                start + dt.timedelta(seconds=number),
                video_id=ids[int(rng.integers(len(ids)))],
                fraction=float(rng.random() * 1.5) if kind is model.EventKind.WATCH else None,
            )
        )
    return events


def raw_sqlite(path: Path, events: list[model.Event], batch: int) -> float:
    """Events per second inserting the same rows with sqlite3 alone (the floor)."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute(
        "CREATE TABLE events (seq INTEGER PRIMARY KEY, account_id TEXT, kind TEXT, at REAL, video_id TEXT,"
        " seconds REAL, fraction REAL, query TEXT, creator_id TEXT, hashtag TEXT, topic TEXT)"
    )
    rows = [
        (
            e.account_id,
            e.kind.value,
            e.at.timestamp(),
            e.video_id,
            e.seconds,
            e.fraction,
            None,
            None,
            None,
            None,
        )
        for e in events
    ]
    started = time.perf_counter()
    for offset in range(0, len(rows), batch):
        connection.execute("BEGIN")
        connection.executemany(
            "INSERT INTO events (account_id, kind, at, video_id, seconds, fraction, query, creator_id,"
            " hashtag, topic) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows[offset : offset + batch],
        )
        connection.execute("COMMIT")
    elapsed = time.perf_counter() - started
    connection.close()
    return len(rows) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--videos", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        store = repository.Store.open(f"sqlite:///{Path(workdir) / 'ingest.db'}")
        catalog = generate.generate(args.videos, seed=args.seed).labelled()
        store.import_catalog(catalog.creators, catalog.videos)
        vectors.ensure_content_vectors(store)
        for number in range(args.accounts):
            store.put_account(
                model.Account(f"acct-{number}", birth_year=2010 + number % 10, settings=model.AccountSettings(True))
            )
        engine = feed.build(store, policy=rules.built_in("default"))
        events = make_events([video.id for video in catalog.videos], args.accounts, args.events, args.seed)
        for number in range(args.accounts):  # load every account's (empty) state once, as a warm server has
            engine.account_state(f"acct-{number}")
        rates = []
        started = time.perf_counter()
        for offset in range(0, len(events), args.batch):
            batch_started = time.perf_counter()
            engine.record(events[offset : offset + args.batch])
            rates.append(args.batch / (time.perf_counter() - batch_started))
        engine_rate = len(events) / (time.perf_counter() - started)
        logged = store.count_events()
        floor = raw_sqlite(Path(workdir) / "raw.db", events, args.batch)
    result = {
        "events": args.events,
        "batch": args.batch,
        "engine_events_per_s": round(engine_rate),
        "engine_median_batch_events_per_s": round(statistics.median(rates)),
        "floor_raw_sqlite_inserts_per_s": round(floor),
        "ratio_engine_to_floor": round(engine_rate / floor, 3),
        "all_events_on_disk": logged == args.events,
    }
    print(json.dumps(result, indent=2) if args.json else "\n".join(f"{k:>34}: {v}" for k, v in result.items()))


if __name__ == "__main__":
    main()
