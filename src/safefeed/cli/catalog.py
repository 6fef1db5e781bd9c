"""`safefeed catalog ...`: import, generate and describe the video catalog."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Annotated

import typer

from safefeed.cli import common
from safefeed.content import catalog_import, generate, pipeline
from safefeed.store import answer_key

app = typer.Typer(help="Import, generate and describe the video catalog.", no_args_is_help=True)


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="CSV, JSONL or Parquet file (docs/catalog-format.md), or a data set.")],
    format: Annotated[
        str,
        typer.Option("--format", "-f", help="auto, csv, jsonl, parquet, kinit (TikTok feed logs) or movielens."),
    ] = "auto",
    classify: Annotated[
        bool,
        typer.Option(
            "--classify/--no-classify", help="Label the videos with the classifier now (else `safefeed classify` does)."
        ),
    ] = True,
) -> None:
    """Import a catalog file: all of it or, if any row is invalid, none of it. Re-importing updates by id.

    Every video gets a label from the classifier (a label in the file is the uploader's claim: it is kept
    in the answer key, which only the audit lab reads); each distinct text is embedded once for the feed.
    """
    formats = ("auto", "csv", "jsonl", "parquet", "kinit", "movielens")
    if format not in formats:
        raise common.UsageError(f"unknown --format {format!r}; use one of: {', '.join(formats)}")
    started = time.perf_counter()
    with common.console.status(f"reading {file}"):
        catalog = catalog_import.read_catalog(file, format=format)  # type: ignore[arg-type]
    with common.phases() as phase:
        count = pipeline.import_catalog(common.open_store(), catalog, classify=classify, phase=phase)
    print(f"imported {count.videos:,} videos from {count.creators:,} creators in {time.perf_counter() - started:.1f} s")


@app.command("generate")
def generate_(
    videos: Annotated[int, typer.Option(min=1, help="How many videos to make.")] = 50_000,
    seed: Annotated[int, typer.Option(help="Same seed, same catalog.")] = 0,
    embed: Annotated[
        bool,
        typer.Option(
            "--embed/--no-embed", help="Embed every video now, or leave that to `safefeed train` or `safefeed demo`."
        ),
    ] = True,
) -> None:
    """Generate the synthetic demo catalog and import it as a platform would.

    The videos arrive unlabelled: the classifier labels them (with its probability) and every video is
    embedded, as for an imported real catalog. What each video really is goes into the answer key, a
    table only the audit lab reads (`safefeed catalog stats` counts it apart).
    """
    started = time.perf_counter()
    with common.console.status(f"generating {videos:,} videos"):
        world = generate.generate(videos, seed=seed)
    store = common.open_store()
    with common.phases() as phase:
        count = pipeline.import_catalog(store, world.catalog(), phase=phase, defer_vectors=not embed)
    answer_key.put(store, world.answer_key)
    mh = sum(1 for label in world.answer_key.values() if label.mh_related)
    topics = len({video.topic for video in world.videos})
    print(
        f"generated {count.videos:,} videos in {topics} topics from {count.creators:,} creators "
        f"({mh:,} mental-health by the answer key, {mh / count.videos:.1%}) in {time.perf_counter() - started:.1f} s"
    )


@app.command("stats")
def stats(json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Counts of videos by topic, language, label (what the engine sees) and enforcement level; the answer key apart."""
    store = common.open_store()
    result = store.catalog_stats()
    truth_counts = answer_key.counts(store)
    if json:
        common.print_json({**dataclasses.asdict(result), "answer_key": truth_counts})
        return
    print(f"{result.videos:,} videos from {result.creators:,} creators")
    for name, counts in (
        ("topic", result.by_topic),
        ("language", result.by_language),
        ("label", result.by_label),
        ("enforcement", result.by_enforcement),
    ):
        top = sorted(counts.items(), key=lambda item: -item[1])[:12]
        print(f"by {name}: " + ", ".join(f"{key} {value:,}" for key, value in top))
    if truth_counts:
        truth = sorted(truth_counts.items(), key=lambda item: -item[1])[:12]
        print("answer key (the auditor's, never the engine's): " + ", ".join(f"{k} {v:,}" for k, v in truth))
