"""What the minors' hold catches in an audit world, and what it costs: the engine's evidence against the answer key.

    python bench/minor_hold.py --world ~/.cache/safefeed/audit/world-30000-7-v2.db --json

Builds the engine's per-video evidence of mental-health content (the classifier's
P(MH), and what neighbours, creators and hashtags lend) exactly as `feed.build`
does, then, for the default policy's 13-15 band and for variants of its
sensitivity keys, counts against the world's answer key (read here, by the
auditor, never by the engine): harmful and mental-health videos the hold
misses, and everyday videos it holds (the false-positive cost). Missed harmful
videos are also weighted by views, since popular ones reach most minors. The
figure is the default's missed harmful videos; the floor is the classifier's
probability alone at the same threshold.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from safefeed import model
from safefeed.policy import rules
from safefeed.recommend import build as loading
from safefeed.recommend import sensitivity
from safefeed.store import answer_key, repository

HARMFUL = (model.Harm.POTENTIALLY_HARMFUL, model.Harm.VIOLATIVE)


def variants(band: rules.Sensitivity) -> dict[str, rules.Sensitivity]:
    """The default band and what it would be with each stage taken away."""
    hold = band.hold_threshold or band.threshold
    return {
        "default": band,
        "majority creators/hashtags (share 0.5)": band.model_copy(update={"creator_hashtag_share": 0.5}),
        "classifier probability only": band.model_copy(update={"propagate": False}),
        "threshold instead of the hold": band.model_copy(update={"hold_threshold": max(hold, band.threshold)}),
    }


def measure(world: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:  # opening a store may migrate it: work on a copy
        copy = Path(folder) / "world.db"
        shutil.copyfile(world, copy)
        store = repository.Store.open(f"sqlite:///{copy}", simulation=True)
        try:
            key = answer_key.read(store)
            loaded = loading.load(store, exact_below=20_000, seed=0, partial=False)
            views = {video.id: video.counters.views for video in store.iter_videos()}
        finally:
            store.close()
    items = loaded.catalog
    evidence = sensitivity.build(items, loaded.index)
    truth = [key[video_id] for video_id in items.ids]
    mh = np.asarray([label.mh_related for label in truth])
    harmful = np.asarray([label.harm in HARMFUL for label in truth])
    weight = np.asarray([views[video_id] for video_id in items.ids], dtype=np.float64)
    weight = weight / weight.mean()
    band = rules.built_in("default").bands[model.AgeBand.U16].sensitivity
    rows = {}
    for name, rule in variants(band).items():
        held = sensitivity.flags(evidence, rule).held
        rows[name] = {
            "hold_threshold": rule.hold_threshold,
            "creator_hashtag_share": rule.creator_hashtag_share,
            "propagate": rule.propagate,
            "harmful_missed": int((harmful & ~held).sum()),
            "harmful_missed_view_weighted": round(float(weight[harmful & ~held].sum()), 2),
            "mh_missed": int((mh & ~held).sum()),
            "everyday_held": int((~mh & held).sum()),
            "everyday_held_share": round(float((~mh & held).sum() / max((~mh).sum(), 1)), 4),
        }
    return {"videos": len(items), "mh": int(mh.sum()), "harmful": int(harmful.sum()), "bands": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world", type=Path, required=True, help="an audit world (its cache file or DIR/world.db)")
    parser.add_argument("--json", action="store_true", help="print the results as one JSON object")
    args = parser.parse_args()
    if not args.world.is_file():
        parser.error(f"no world at {args.world}; run `safefeed audit run amnesty-2023 --out DIR` first")
    result = measure(args.world)
    if args.json:
        print(json.dumps(result, indent=1))
        return
    print(f"{result['videos']} videos, {result['mh']} mental health, {result['harmful']} harmful (answer key)")
    for name, row in result["bands"].items():
        weighted, share = row["harmful_missed_view_weighted"], row["everyday_held_share"]
        print(
            f"{name:42s} harmful missed {row['harmful_missed']:3d} (view-weighted {weighted:6.2f})"
            f"  MH missed {row['mh_missed']:4d}  everyday held {row['everyday_held']:5d} ({share:.2%})"
        )


if __name__ == "__main__":
    main()
