"""Simulated impressions per second per core of the audit's step loop, against its floor (the engine alone).

Run: .venv/bin/python bench/audit_throughput.py [--videos 5000] [--minutes 120] [--page 10] [--cache DIR] [--json]

One process, one core's worth of work: an interested 13-year-old scrolls the
in-process engine for `--minutes` simulated minutes (the audit), then the same
number of pages is asked of the engine with fixed events and no persona (the
floor: `Engine.feed` + `Engine.record` alone). The store lives in a temp dir.
Also reports the null target, whose loop is pure audit overhead.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import datetime as dt
import json
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

import threadpoolctl

from safefeed import model
from safefeed.audit import persona, runner, scenario, scoring, targets, world
from safefeed.recommend import feed
from safefeed.store import answer_key, repository

TEEN = persona.Persona(
    id="bench",
    age=13,
    region="KE",
    timezone="Africa/Nairobi",
    seed_interests=("gaming", "music", "football"),
    mh_sensitivity=1.0,
    arm=persona.INTERESTED,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--videos", type=int, default=5000)
    parser.add_argument("--minutes", type=float, default=120.0)
    parser.add_argument("--page", type=int, default=10)
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "safefeed" / "audit")
    parser.add_argument("--profile", action="store_true", help="print where the audit loop's time goes")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    path = world.prepare_world(
        scenario.CatalogSpec(videos=args.videos, seed=7), args.cache / f"world-{args.videos}-7-v2.db"
    )
    someone = dataclasses.replace(TEEN, schedule=persona.Schedule(TEEN.schedule.start, session_minutes=args.minutes))
    with tempfile.TemporaryDirectory() as scratch, threadpoolctl.threadpool_limits(1):
        copy = Path(scratch) / "world.db"
        shutil.copyfile(path, copy)
        store = repository.Store.open(f"sqlite:///{copy}", simulation=True)
        videos = list(store.iter_videos())
        labeller = scoring.Labeller(answer_key.read(store))
        engine = feed.build(store)

        profile = cProfile.Profile() if args.profile else None
        began = time.perf_counter()
        if profile:
            profile.enable()
        columns = runner.scroll(targets.Engine(engine), someone, 0, seed=1, labeller=labeller, page_size=args.page)
        if profile:
            profile.disable()
        audit_s = time.perf_counter() - began
        served = len(columns["t_s"])

        store.put_account(model.Account("floor", birth_year=2013, region="KE"))
        now = dt.datetime(2026, 2, 2, 13, tzinfo=dt.UTC)
        pages = -(-served // args.page)
        began = time.perf_counter()
        for _ in range(pages):
            page = engine.feed("floor", n=args.page, now=now)
            now += dt.timedelta(seconds=30)
            engine.record(
                [
                    model.Event("floor", model.EventKind.WATCH, now, video_id=i.video.id, seconds=5.0, fraction=0.5)
                    for i in page.items
                ]
            )
        floor_s = time.perf_counter() - began

        null_columns_began = time.perf_counter()
        null = runner.scroll(targets.Null(videos, seed=1), someone, 1, seed=1, labeller=labeller, page_size=args.page)
        null_s = time.perf_counter() - null_columns_began
        store.close()

    result = {
        "videos": args.videos,
        "page": args.page,
        "simulated_minutes": args.minutes,
        "impressions": served,
        "audit_impressions_per_s": round(served / audit_s, 1),
        "floor_impressions_per_s": round(pages * args.page / floor_s, 1),
        "null_impressions_per_s": round(len(null["t_s"]) / null_s, 1),
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(
            f"catalog {args.videos} videos, page {args.page}, "
            f"{served} impressions in {args.minutes:g} simulated minutes"
        )
        print(f"audit loop, in-process engine: {result['audit_impressions_per_s']:8.0f} impressions/s per core")
        print(f"floor (engine feed+record):    {result['floor_impressions_per_s']:8.0f} impressions/s per core")
        print(
            f"audit loop, null target:       {result['null_impressions_per_s']:8.0f} impressions/s per core (overhead)"
        )
    if profile:
        pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(18)


if __name__ == "__main__":
    main()
