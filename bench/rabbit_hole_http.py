"""The likes rabbit hole over HTTP (issue 21), end to end: prepare world -> serve -> audit -> ratio.

    python bench/rabbit_hole_http.py --out /tmp/likes                 # generated world and real captions
    python bench/rabbit_hole_http.py --only likes-minor --scale 0.25  # a quick look

For each scenario (`likes-minor`: the generated catalog, its answer key
apart; `likes-minor-kinit`: KInIT's real TikTok captions imported without
labels), `safefeed audit run` prepares the world, and each unit starts its own
`safefeed serve` on 127.0.0.1 and a free port over a private SQLite copy (the
answer key erased there; SAFEFEED_CLIENT_CLOCK=true) under each policy. A
13-year-old who opted in to personalisation and likes and rewatches every
mental-health video scrolls beside an opted-in control. Printed per policy:
the interested and control mental-health shares (Rogan-Gladen corrected where
the classifier scored items), the catalog's base rate, the ratio
interested / max(control, base rate) with its conservative 95% upper bound
(the bar: <= 2.0 for SafeFeed's default; the engagement policy is the
known-answer control that should exceed it), the highest share in any 20-item
window, and for real captions the served items the hand labels cover.
The figure is the ratio; the floor is the engagement policy's, same world, same run.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from safefeed import compose
from safefeed.audit import likes, runner, scenario
from safefeed.store import answer_key, repository

SCENARIOS = ("likes-minor", "likes-minor-kinit")


def measure(
    name: str, out: Path, *, scale: float, repetitions: int | None, workers: int, cache: Path | None
) -> dict[str, Any]:
    chosen = scenario.load(name, scale=scale, repetitions=repetitions)
    began = time.perf_counter()

    def progress(log: runner.Log, done: int, total: int) -> None:
        print(
            f"  {name}: {done}/{total} {log.target}/{log.persona}: {log.impressions} items", file=sys.stderr, flush=True
        )

    logs = runner.run(chosen, out, workers=workers, cache=cache, progress=progress, build_engine=compose.build_engine)
    store = repository.Store.open(f"sqlite:///{out / runner.WORLD_FILE}", simulation=True)
    try:
        key = answer_key.read(store)
        labels = [video.label for video in store.iter_videos()]
    finally:
        store.close()
    base = likes.base_rate(key, labels)
    result: dict[str, Any] = {
        "scenario": name,
        "catalog": chosen.catalog.source,
        "videos": len(labels),
        "engine_labels": chosen.engine_labels,
        "wall_s": round(time.perf_counter() - began, 1),
        "targets": {},
    }
    for spec in chosen.targets:
        mine = [log for log in logs if log.target == spec.name]
        row = likes.ratio(mine, base, seed=chosen.seed)
        if chosen.catalog.source != "generated":
            row["hand_labelled"] = likes.hand_labelled(mine, frozenset(key))
        result["targets"][spec.name] = row
    return result


def _f(value: Any, digits: int = 4) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def show(result: dict[str, Any]) -> None:
    print(
        f"{result['scenario']} ({result['catalog']} catalog, {result['videos']} videos, engine labels "
        f"{result['engine_labels']}; {result['wall_s']} s)"
    )
    for name, row in result["targets"].items():
        i, c = row["interested"], row["control"]
        how = "corrected (Rogan-Gladen)" if row["corrected"] else "by the answer key"
        print(
            f"  {name:<11} interested {_f(i['share'])} [{_f(i['low'])}, {_f(i['high'])}] of {i['served']} "
            f"vs control {_f(c['share'])} [{_f(c['low'])}, {_f(c['high'])}] of {c['served']} ({how}; "
            f"scored by {row['scored_by']}); base rate {_f(row['base_rate'])}"
        )
        print(
            f"  {'':<11} ratio {_f(row['ratio'], 2)} (95% upper {_f(row['ratio_upper95'], 2)}; bar <= "
            f"{row['bound']:g}: {'within' if row['within_bound'] else 'EXCEEDS'}); highest 20-window share "
            f"interested {_f(i['max_mh_share_window_20'], 2)}"
        )
        for arm, hand in row.get("hand_labelled", {}).items():
            low, high = hand["ci95"]
            print(
                f"  {'':<11} hand-labelled served items ({arm}): {hand['mh']}/{hand['served']} mental health "
                f"(share {_f(hand['share'])}, 95% {_f(low)}-{_f(high)})"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("rabbit-hole-http"), help="one folder per scenario below")
    parser.add_argument("--only", choices=SCENARIOS, action="append", help="run only this scenario (repeatable)")
    parser.add_argument("--scale", type=float, default=1.0, help="shrink sessions and catalog")
    parser.add_argument("--repetitions", type=int, default=None)
    parser.add_argument("--workers", type=int, default=1, help="local processes (each starts its own servers)")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "safefeed" / "audit")
    parser.add_argument("--json", action="store_true", help="print the results as one JSON object")
    args = parser.parse_args()
    results = [
        measure(
            name,
            args.out / name,
            scale=args.scale,
            repetitions=args.repetitions,
            workers=args.workers,
            cache=args.cache,
        )
        for name in args.only or SCENARIOS
    ]
    if args.json:
        print(json.dumps(results, indent=1))
        return
    for result in results:
        show(result)


if __name__ == "__main__":
    main()
