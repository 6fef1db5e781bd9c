"""The effect of one "not interested" on a topic: its share in the next 50 items, before and after.

    python bench/not_interested.py --videos 5000 --json

For each of `--topics` topics, a fresh adult account with a personalised feed
likes 10 videos of the topic and scrolls 50 items (the "before" share); a twin
account with the same history presses "not interested" on the topic once and
scrolls 50 items (the "after" share). Independent studies measured 11-43% for a
major platform's buttons; the goal here is a fall of at least 95%.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import tempfile
from pathlib import Path
from typing import Any

from safefeed import model
from safefeed.content import generate
from safefeed.policy import rules
from safefeed.recommend import feed, vectors
from safefeed.store import repository

T0 = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)


def share(engine: feed.Engine, account_id: str, topic: str, items: int) -> float:
    served: list[model.FeedItem] = []
    cursor = None
    while len(served) < items:
        page = engine.feed(account_id, n=10, cursor=cursor, now=T0)
        served += page.items
        cursor = page.next_cursor
    return sum(item.video.topic == topic for item in served[:items]) / items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--videos", type=int, default=5000)
    parser.add_argument("--topics", type=int, default=10)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        store = repository.Store.open(f"sqlite:///{Path(workdir) / 'ni.db'}")
        catalog = generate.generate(args.videos, seed=args.seed).labelled()
        store.import_catalog(catalog.creators, catalog.videos)
        vectors.ensure_content_vectors(store)
        engine = feed.build(store, policy=rules.built_in("default"))
        by_topic: dict[str, list[str]] = {}
        for video in catalog.videos:
            if video.topic and video.label is not None and not video.label.mh_related and not video.is_ad:
                by_topic.setdefault(video.topic, []).append(video.id)
        topics = sorted(by_topic, key=lambda t: -len(by_topic[t]))[: args.topics]
        rows: list[dict[str, Any]] = []
        for topic in topics:
            shares = []
            for arm in ("before", "after"):
                account_id = f"{arm}-{topic}"
                store.put_account(model.Account(account_id, birth_year=1990, settings=model.AccountSettings(True)))
                likes = [model.Event(account_id, model.EventKind.LIKE, T0, video_id=v) for v in by_topic[topic][:10]]
                engine.record(likes)
                if arm == "after":
                    engine.record([model.Event(account_id, model.EventKind.NOT_INTERESTED, T0, topic=topic)])
                shares.append(share(engine, account_id, topic, args.items))
            before, after = shares
            rows.append(
                {
                    "topic": topic,
                    "share_before": before,
                    "share_after": after,
                    "fall": 1 - after / before if before else None,
                }
            )
    falls: list[float] = [row["fall"] for row in rows if row["fall"] is not None]
    before_shares: list[float] = [row["share_before"] for row in rows]
    result = {
        "items_after_press": args.items,
        "median_fall": statistics.median(falls),
        "min_fall": min(falls),
        "median_share_before": statistics.median(before_shares),
        "topics": rows,
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for row in rows:
            print(f"{row['topic']:>20}: {row['share_before']:.0%} -> {row['share_after']:.0%}")
        print(f"median fall {result['median_fall']:.1%}, smallest {result['min_fall']:.1%} (goal: >= 95%)")


if __name__ == "__main__":
    main()
