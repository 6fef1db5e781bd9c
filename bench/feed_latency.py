"""Feed latency at catalog scale, against its floor: the raw vector-index query alone.

    python bench/feed_latency.py --items 1000000 --json

Builds a generated catalog of `--items` videos in a temporary SQLite store
(content vectors are topic centroids from the real embedding model plus
noise, so 1M captions need not be embedded), builds the engine from the store
as `safefeed` does, warms accounts with events, then times `feed(n=20)` under
SafeFeed's default policy and under the engagement policy (protections off),
and the index's top-k query alone, all in one run. Prints medians and p99s,
their ratios, and the resident memory of the built engine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from safefeed import model
from safefeed.content import embedding, generate
from safefeed.policy import rules
from safefeed.recommend import feed
from safefeed.store import repository


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def build_store(path: Path, items: int, seed: int) -> repository.Store:
    store = repository.Store.open(f"sqlite:///{path}")
    started = time.perf_counter()
    chunk = 200_000
    for offset in range(0, items, chunk):
        catalog = generate.generate(min(chunk, items - offset), seed=seed + offset).labelled()
        # Each chunk is its own generated catalog: prefix ids so chunks do not collide.
        prefix = f"b{offset // chunk}-"
        creators = [model.Creator(prefix + c.id, c.name, c.verified_professional, c.region) for c in catalog.creators]
        videos = [_renamed(video, prefix) for video in catalog.videos]
        store.import_catalog(creators, videos)
        topics = sorted({video.topic or "" for video in videos})
        centroids = dict(zip(topics, embedding.embed(topics), strict=True))
        rng = np.random.default_rng(seed + offset)
        noise = rng.normal(0, 0.035, size=(len(videos), embedding.DIMENSIONS)).astype(np.float32)
        content = np.vstack([centroids[video.topic or ""] for video in videos]) + noise
        content /= np.linalg.norm(content, axis=1, keepdims=True)
        store.put_content_vectors([video.id for video in videos], content)
        print(
            f"  stored {offset + len(videos):,} videos ({time.perf_counter() - started:.0f} s)",
            file=sys.stderr,
        )
        del catalog, videos, creators, content, noise
    return store


def reuse_store(path: Path, items: int) -> repository.Store:
    """A store built by an earlier run, with the accounts, events and states of that run removed."""
    store = repository.Store.open(f"sqlite:///{path}")
    assert store.count_videos() == items, f"{path} holds {store.count_videos():,} videos, not {items:,}"
    with store.engine.begin() as connection:
        for table in ("events", "account_snapshots", "accounts", "protection_counts"):
            connection.exec_driver_sql(f"DELETE FROM {table}")
    return store


def _renamed(video: model.Video, prefix: str) -> model.Video:
    import dataclasses

    return dataclasses.replace(video, id=prefix + video.id, creator_id=prefix + video.creator_id)


def daytime_zone(now: dt.datetime) -> str:
    """A time zone where it is midday at `now`: a bench served at night would time wind-down screens.

    >>> daytime_zone(dt.datetime(2026, 11, 23, 22, 30, tzinfo=dt.UTC))
    'Etc/GMT+10'
    """
    offset = (12 - now.hour + 12) % 24 - 12  # hours east of UTC, -12..11
    return f"Etc/GMT{-offset:+d}"  # the Etc zones count westwards


def warm_accounts(engine: feed.Engine, count: int, seed: int) -> list[str]:
    """Accounts with some history: a few likes and watches in two topics each, where it is now midday."""
    rng = np.random.default_rng(seed)
    at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    zone = daytime_zone(dt.datetime.now(dt.UTC))
    ids = []
    for number in range(count):
        account_id = f"bench-{number}"
        adult = number % 2 == 0
        engine.store.put_account(
            model.Account(
                account_id,
                birth_year=1990 if adult else 2012,
                region="KE",
                timezone=zone,
                settings=model.AccountSettings(personalised=True),
            )
        )
        topics = rng.choice(len(engine.items.by_topic), size=2, replace=False)
        picks = [int(p) for t in topics for p in rng.choice(engine.items.by_topic[t][:2000], size=10)]
        events = [
            model.Event(account_id, model.EventKind.WATCH, at, video_id=engine.items.ids[p], fraction=1.5)
            for p in picks
        ] + [model.Event(account_id, model.EventKind.LIKE, at, video_id=engine.items.ids[p]) for p in picks[:5]]
        engine.record(events)
        ids.append(account_id)
    return ids


def time_feed(engine: feed.Engine, accounts: list[str], requests: int) -> list[float]:
    timings = []
    cursors: dict[str, str | None] = dict.fromkeys(accounts)
    at = dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)
    for number in range(requests):
        account = accounts[number % len(accounts)]
        started = time.perf_counter()
        page = engine.feed(account, n=20, cursor=cursors[account], now=at)
        timings.append((time.perf_counter() - started) * 1000)
        cursors[account] = page.next_cursor
    return timings


def time_floor(engine: feed.Engine, accounts: list[str], requests: int) -> list[float]:
    """The raw index top-k query the interest source makes, with the same queries."""
    queries = []
    for account in accounts:
        current = engine.account_state(account)
        queries.append(engine.interest_query(current, engine.account_factors(current)))
    timings = []
    for number in range(requests):
        query = queries[number % len(queries)][None, :]
        started = time.perf_counter()
        engine.index.search(query, engine.config.interest_candidates)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def summary(timings: list[float]) -> dict[str, float]:
    return {"p50_ms": round(statistics.median(timings), 3), "p99_ms": round(percentile(timings, 99), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--accounts", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--store",
        type=Path,
        help="keep the generated catalog in this SQLite file and reuse it when it exists (its accounts and"
        " events are cleared first), instead of building it again in a temporary folder",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        if args.store is not None and args.store.exists():
            store = reuse_store(args.store, args.items)
        else:
            print(f"building a store of {args.items:,} videos", file=sys.stderr)
            store = build_store(args.store or Path(workdir) / "bench.db", args.items, args.seed)
        gc.collect()
        before = rss_mb()
        started = time.perf_counter()
        engine = feed.build(store, policy=rules.built_in("default"))
        gc.collect()
        build_s = time.perf_counter() - started
        engine_mb = rss_mb()
        accounts = warm_accounts(engine, args.accounts, args.seed)
        time_feed(engine, accounts, min(200, args.requests))  # warm-up
        safe = time_feed(engine, accounts, args.requests)
        floor = time_floor(engine, accounts, args.requests)
        baseline_engine = engine.under(rules.built_in("engagement"))
        time_feed(baseline_engine, accounts, min(200, args.requests))  # the same warm-up
        baseline = time_feed(baseline_engine, accounts, args.requests)
    result = {
        "items": args.items,
        "exact_index": bool(getattr(engine.index, "exact", False)),
        "engine_build_s": round(build_s, 1),
        "rss_mb_after_build": round(engine_mb, 0),
        "rss_mb_before_build": round(before, 0),
        "index_mb": round(engine.index.memory_bytes() / 2**20, 0) if hasattr(engine.index, "memory_bytes") else None,
        "feed_default_policy": summary(safe),
        "feed_engagement_policy": summary(baseline),
        "floor_index_topk": summary(floor),
    }
    result["ratio_p99_feed_to_floor"] = round(
        result["feed_default_policy"]["p99_ms"] / result["floor_index_topk"]["p99_ms"], 2
    )
    result["ratio_p50_feed_to_floor"] = round(
        result["feed_default_policy"]["p50_ms"] / result["floor_index_topk"]["p50_ms"], 2
    )
    result["safety_overhead_p99"] = round(
        result["feed_default_policy"]["p99_ms"] / result["feed_engagement_policy"]["p99_ms"] - 1, 3
    )
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key:>28}: {value}")


if __name__ == "__main__":
    main()
