"""`safefeed catalog ...`: import, generate and describe the video catalog."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Annotated

import rich.progress
import typer

from safefeed.cli import common
from safefeed.content import catalog_import, generate, pipeline

app = typer.Typer(help="Import, generate and describe the video catalog.", no_args_is_help=True)


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="CSV, JSONL or Parquet file (docs/catalog-format.md), or a data set.")],
    format: Annotated[
        str,
        typer.Option("--format", "-f", help="auto, csv, jsonl, parquet, kinit (TikTok feed logs) or movielens."),
    ] = "auto",
    classify: Annotated[
        bool, typer.Option("--classify/--no-classify", help="Label videos that carry no label with the classifier.")
    ] = True,
) -> None:
    """Import a catalog file: all of it or, if any row is invalid, none of it. Re-importing updates by id.

    Videos without a label get one from the classifier; every video is embedded once for the feed.
    """
    formats = ("auto", "csv", "jsonl", "parquet", "kinit", "movielens")
    if format not in formats:
        raise common.UsageError(f"unknown --format {format!r}; use one of: {', '.join(formats)}")
    started = time.perf_counter()
    with common.console.status(f"reading {file}"):
        catalog = catalog_import.read_catalog(file, format=format)  # type: ignore[arg-type]
    with rich.progress.Progress(console=common.console) as progress:
        task = progress.add_task("embedding and labelling", total=len(catalog.videos))
        count = pipeline.import_catalog(
            common.open_store(),
            catalog,
            classify=classify,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    print(f"imported {count.videos:,} videos from {count.creators:,} creators in {time.perf_counter() - started:.1f} s")


@app.command("generate")
def generate_(
    videos: Annotated[int, typer.Option(min=1, help="How many videos to make.")] = 50_000,
    seed: Annotated[int, typer.Option(help="Same seed, same catalog.")] = 0,
) -> None:
    """Generate the synthetic demo catalog (with ground-truth labels) into the database."""
    started = time.perf_counter()
    with common.console.status(f"generating {videos:,} videos"):
        catalog = generate.generate(videos, seed=seed)
    with common.console.status(f"writing {videos:,} videos"):
        count = common.open_store().import_catalog(catalog.creators, catalog.videos)
    mh = sum(1 for video in catalog.videos if video.label is not None and video.label.mh_related)
    topics = len({video.topic for video in catalog.videos})
    print(
        f"generated {count.videos:,} videos in {topics} topics from {count.creators:,} creators "
        f"({mh:,} mental-health, {mh / count.videos:.1%}) in {time.perf_counter() - started:.1f} s"
    )


@app.command("stats")
def stats(json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Counts of videos by topic, language, label and enforcement level."""
    result = common.open_store().catalog_stats()
    if json:
        common.print_json(dataclasses.asdict(result))
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
