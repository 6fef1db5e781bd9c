"""The KInIT catalog import (17,865 real videos) step by step: where its time goes besides embedding.

Run: .venv/bin/python bench/kinit_import.py [--json] [--no-reimport]

Imports the KInIT feed logs (../shared/data, SAFEFEED_DATA overrides) into a
fresh SQLite store through `pipeline.import_catalog`, as `safefeed catalog
import --format kinit` does, and times each step in wall and CPU seconds:
reading the file, classifying (the lexicon over every distinct text, then the
embedding model over the texts its gate lets through), embedding the distinct
texts for the feed, storing. The floor is the embedding alone (the feed's
texts and the classifier's gated texts, timed inside the same run); the ratio
import / embedding says how close the import is to what the embedding model
allows. Then the same file is imported again: nothing changed, so nothing is
embedded or classified. The embedding's threads come from
SAFEFEED_EMBED_THREADS (set it, and OMP_NUM_THREADS, on a shared machine).
End to end, process start included: `/usr/bin/time -v safefeed catalog import
DATA/tiktok-fyp-audit-kinit --format kinit` on an empty database.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from safefeed import config
from safefeed.content import classifier, embedding, lexicon, pipeline
from safefeed.datasets import kinit
from safefeed.store import repository


class Clock:
    """Wall and CPU seconds (all of this process's threads) since the last `lap`."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def lap(self) -> dict[str, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        spent = {"wall_s": round(wall - self.wall, 2), "cpu_s": round(cpu - self.cpu, 2)}
        self.wall, self.cpu = wall, cpu
        return spent


class TimedEmbed:
    """The real embedder, timing its calls (the feed's content vectors)."""

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0
        self.texts = 0

    def __call__(self, texts: Sequence[str]) -> embedding.Vectors:
        wall, cpu = time.perf_counter(), time.process_time()
        vectors = embedding.embed(texts)
        self.wall += time.perf_counter() - wall
        self.cpu += time.process_time() - cpu
        self.texts += len(texts)
        return vectors


def import_once(folder: Path, store_path: Path) -> dict[str, Any]:
    store = repository.Store.open(f"sqlite:///{store_path}")
    steps: dict[str, dict[str, float]] = {}
    current = ["read"]
    clock = Clock()
    catalog = kinit.read_catalog(folder)

    def phase(name: str, _done: int, _total: int) -> None:
        if name != current[0]:
            steps[current[0]] = clock.lap()
            current[0] = name

    embed = TimedEmbed()
    started_wall, started_cpu = time.perf_counter(), time.process_time()
    pipeline.import_catalog(store, catalog, embed=embed, phase=phase)
    steps[current[0]] = clock.lap()
    store.close()
    return {
        "steps": steps,
        "content_embedding": {"texts": embed.texts, "wall_s": round(embed.wall, 2), "cpu_s": round(embed.cpu, 2)},
        "videos": len(catalog.videos),
        "texts": [video.text for video in catalog.videos],
        "import_wall_s": round(time.perf_counter() - started_wall, 2),
        "import_cpu_s": round(time.process_time() - started_cpu, 2),
    }


def lexicon_alone(texts: Sequence[str]) -> dict[str, Any]:
    """The classifier's lexicon over the distinct texts (the part of classifying that is not embedding)."""
    terms = classifier.default().terms
    clock = Clock()
    matches = [lexicon.match(text, terms) for text in texts]
    return {**clock.lap(), "gated": sum(classifier.has_evidence(found) for found in matches)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--no-reimport", action="store_true", help="skip the second import of the same file")
    args = parser.parse_args()
    folder = config.load().data_dir / "tiktok-fyp-audit-kinit"
    embedding.embed(["warm up the embedder: its load is not the import's"])
    with tempfile.TemporaryDirectory() as scratch:
        store_path = Path(scratch) / "kinit.db"
        first = import_once(folder, store_path)
        texts = first.pop("texts")
        distinct = list(dict.fromkeys(texts))
        lexicon_only = lexicon_alone(distinct)
        again = None if args.no_reimport else import_once(folder, store_path)
    steps = first["steps"]
    classifying = steps.get("classifying", {"wall_s": 0.0, "cpu_s": 0.0})
    classifier_embedding = {
        key: round(max(0.0, classifying[key] - lexicon_only[key]), 2) for key in ("wall_s", "cpu_s")
    }
    content = first["content_embedding"]
    embedding_total = {key: round(content[key] + classifier_embedding[key], 2) for key in ("wall_s", "cpu_s")}
    whole = {key: round(sum(step[key] for step in steps.values()), 2) for key in ("wall_s", "cpu_s")}  # read + import
    result = {
        "videos": first["videos"],
        "distinct_texts": len(distinct),
        "gated_texts": lexicon_only["gated"],
        "embed_threads": embedding.default().threads,
        "load_average": round(os.getloadavg()[0], 1),
        "figure_import": whole,
        "steps": steps,
        "lexicon": {key: lexicon_only[key] for key in ("wall_s", "cpu_s")},
        "classifier_embedding": classifier_embedding,
        "content_embedding": content,
        "floor_embedding": embedding_total,
        "rest": {key: round(whole[key] - embedding_total[key], 2) for key in ("wall_s", "cpu_s")},
        "ratio_import_to_embedding": {
            key: round(whole[key] / embedding_total[key], 3) if embedding_total[key] else None
            for key in ("wall_s", "cpu_s")
        },
        "reimport": None
        if again is None
        else {key: round(sum(s[key] for s in again["steps"].values()), 2) for key in ("wall_s", "cpu_s")},
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(
        f"KInIT import: {result['videos']:,} videos, {result['distinct_texts']:,} distinct texts, "
        f"{result['gated_texts']:,} through the classifier's gate, {result['embed_threads']} embedding thread(s), "
        f"load average {result['load_average']}"
    )
    print(f"  import (read to stored): {whole['wall_s']} s wall, {whole['cpu_s']} s CPU")
    for name, step in steps.items():
        print(f"    {name:<12} {step['wall_s']:>7} s wall {step['cpu_s']:>7} s CPU")
    print(f"  floor, the embedding alone: {embedding_total['wall_s']} s wall, {embedding_total['cpu_s']} s CPU")
    print(f"  the rest: {result['rest']['wall_s']} s wall, {result['rest']['cpu_s']} s CPU")
    print(f"  ratio import / embedding: {result['ratio_import_to_embedding']}")
    if result["reimport"] is not None:
        print(
            f"  re-import, nothing changed: {result['reimport']['wall_s']} s wall, {result['reimport']['cpu_s']} s CPU"
        )


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    main()
