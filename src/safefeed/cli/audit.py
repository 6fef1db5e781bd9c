"""`safefeed audit run|summary|replay`: the audit lab from the shell."""

from __future__ import annotations

import collections
import json
from pathlib import Path
from typing import Annotated

import rich.progress
import typer

from safefeed import config
from safefeed.audit import replay as replay_module
from safefeed.audit import report, runner, scenario
from safefeed.cli import common, conformance

app = typer.Typer(help="Audit a feed with sock-puppet personas (the Amnesty 2023 method).", no_args_is_help=True)

DEFAULT_CACHE = Path.home() / ".cache" / "safefeed" / "audit"
app.command()(conformance.conformance)


@app.command()
def run(
    scenario_file: Annotated[
        str, typer.Argument(metavar="SCENARIO", help="A scenario TOML, or a builtin name (amnesty-2023).")
    ],
    out: Annotated[Path, typer.Option("--out", help="Output folder; run again with the same folder to resume.")],
    dask: Annotated[
        str | None,
        typer.Option(
            "--dask",
            help="Dask scheduler address, e.g. tcp://127.0.0.1:8786: personas run on its workers, "
            "which must see --out at the same path.",
        ),
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="Local worker processes (default: CPUs).")
    ] = None,
    scale: Annotated[
        float,
        typer.Option("--scale", min=0.01, max=1.0, help="Shrink sessions and catalog, for a quick look."),
    ] = 1.0,
    repetitions: Annotated[
        int | None, typer.Option("--repetitions", min=1, help="Override the scenario's repetitions.")
    ] = None,
    cache: Annotated[
        Path | None, typer.Option("--cache", help="Where built catalogs are kept between runs.")
    ] = DEFAULT_CACHE,
) -> None:
    """Run every persona x repetition against every target, then write metrics.json, report.html and plots."""
    if dask and workers:
        raise common.UsageError("--workers counts local processes; with --dask the cluster's workers run: drop one")
    try:
        chosen = scenario.load(scenario_file, scale=scale, repetitions=repetitions)
    except FileNotFoundError as missing:
        raise common.UsageError(str(missing)) from None
    try:
        with rich.progress.Progress(
            *rich.progress.Progress.get_default_columns(),
            rich.progress.TextColumn("{task.fields[last]}"),
            console=common.console,
        ) as bar:
            task = bar.add_task("audit", total=len(runner.units(chosen)), last="")

            def advance(log: runner.Log, done: int, total: int) -> None:
                bar.update(
                    task, completed=done, last=f"{log.target}/{log.persona}: {log.impressions} items on {log.worker}"
                )

            logs = runner.run(chosen, out, workers=workers, dask=dask, progress=advance, cache=cache)
    except (runner.ScenarioChanged, runner.FleetError) as refused:
        raise common.UsageError(str(refused)) from None
    placed = collections.Counter(log.worker for log in logs)
    common.console.print(
        f"{len(logs)} units on {len(placed)} workers: "
        + ", ".join(f"{worker or 'unrecorded'} {count}" for worker, count in sorted(placed.items()))
    )
    result = report.write(chosen, logs, out)
    common.console.print(f"wrote {out / report.METRICS_FILE} and {out / report.REPORT_FILE}")
    for row in report.flat(result):
        common.console.print(
            f"{row['target']}: mh_share_hour_6={row['mh_share_hour_6']} "
            f"ratio_to_control={row['ratio_to_control']} "
            f"max_mh_share_window_20={row['max_mh_share_window_20']} "
            f"harmful_items_minors={row['harmful_items_minors']} "
            f"impressions/s/core={row['impressions_per_s_core']}"
        )


@app.command()
def summary(
    out: Annotated[Path, typer.Argument(metavar="DIR", help="The --out folder of a run.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one flat JSON object per target.")] = False,
) -> None:
    """Print the per-target summary of a finished run."""
    try:
        rows = report.flat(report.read(out))
    except FileNotFoundError as missing:
        raise common.UsageError(str(missing)) from None
    if as_json:
        print(json.dumps(rows, indent=1))
        return
    for row in rows:
        print(row["target"])
        for key, value in row.items():
            if key != "target":
                print(f"  {key}: {value}")


@app.command()
def replay(
    data_dir: Annotated[
        Path | None, typer.Argument(metavar="DATA_DIR", help="The KInIT folder (default: the shared data).")
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="Where replay.json goes.")] = Path("replay-out"),
    labels: Annotated[
        str, typer.Option(help="'classifier' (SafeFeed's) or 'lexicon' (fast keyword match).")
    ] = "classifier",
) -> None:
    """Replay recorded TikTok feeds: does the experiment arm drift toward its hashtags? And the MH share."""
    folder = data_dir or config.load().data_dir / "tiktok-fyp-audit-kinit"
    if not folder.is_dir():
        raise common.UsageError(f"no KInIT folder at {folder}; pass DATA_DIR or set SAFEFEED_DATA")
    if labels not in replay_module.LABELLERS:
        raise common.UsageError(f"--labels must be one of {sorted(replay_module.LABELLERS)}, got {labels!r}")
    result = replay_module.analyse(folder, label=replay_module.LABELLERS[labels])
    path = replay_module.write(result, out)
    common.console.print(f"wrote {path}")
