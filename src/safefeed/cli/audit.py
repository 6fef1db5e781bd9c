"""`safefeed audit run|summary|replay`: the audit lab from the shell."""

from __future__ import annotations

import collections
import dataclasses
import json
from pathlib import Path
from typing import Annotated, Any

import rich.progress
import typer

from safefeed import compose, config, model
from safefeed.audit import engine_labels, report, runner, scenario
from safefeed.audit import replay as replay_module
from safefeed.cli import common, conformance

app = typer.Typer(help="Audit a feed with sock-puppet personas (the Amnesty 2023 method).", no_args_is_help=True)

DEFAULT_CACHE = Path.home() / ".cache" / "safefeed" / "audit"
app.command()(conformance.conformance)


@dataclasses.dataclass(frozen=True, slots=True)
class Choices:
    """How the personas and targets of a run differ from the scenario file."""

    personalised: bool | None = None
    over_http: bool = False


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
    labels: Annotated[
        str | None,
        typer.Option(
            "--labels",
            help="Which labels SafeFeed's engine acts on: classifier (default), reviewed, or a noisy oracle "
            "derived from the answer key, e.g. oracle:recall=0.6,fpr=0.005.",
        ),
    ] = None,
    label_recall: Annotated[
        str | None,
        typer.Option(
            "--label-recall",
            help="Sweep: run the scenario once per recall of a noisy oracle, e.g. 0.4,0.6,0.8,1.0 "
            "(each under DIR/recall-R), then plot harm against label quality.",
        ),
    ] = None,
    label_fpr: Annotated[
        float, typer.Option("--label-fpr", min=0.0, max=1.0, help="The sweep oracle's false-positive rate.")
    ] = engine_labels.DEFAULT_FPR,
    personalised: Annotated[
        bool,
        typer.Option(
            "--personalised",
            help="Every persona opts in to personalisation (account settings personalised=true), "
            "as a teen can in the app; without it each follows its scenario (default: the policy's choice).",
        ),
    ] = False,
    over_http: Annotated[
        bool,
        typer.Option(
            "--over-http",
            help="Audit SafeFeed from outside: each unit starts `safefeed serve` on 127.0.0.1 over its own copy "
            "of the world (no answer key there) and scrolls it over HTTP, instead of calling the engine in process.",
        ),
    ] = False,
) -> None:
    """Run every persona x repetition against every target, then write metrics.json, report.html and plots."""
    if dask and workers:
        raise common.UsageError("--workers counts local processes; with --dask the cluster's workers run: drop one")
    if labels and label_recall:
        raise common.UsageError("--labels sets one label quality and --label-recall sweeps several: drop one")
    choices = Choices(personalised=True if personalised else None, over_http=over_http)
    if label_recall is None:
        _run_one(scenario_file, out, dask, workers, scale, repetitions, cache, labels, choices)
        return
    try:
        recalls = sorted({float(part) for part in label_recall.split(",") if part.strip()})
    except ValueError:
        raise common.UsageError(f"--label-recall takes numbers separated by commas, got {label_recall!r}") from None
    if not recalls or not all(0.0 <= recall <= 1.0 for recall in recalls):
        raise common.UsageError(f"--label-recall values must lie in [0, 1], got {label_recall!r}")
    runs = []
    for recall in recalls:
        oracle = engine_labels.EngineLabels("oracle", recall, label_fpr).name
        common.console.print(f"label recall {recall:g}: SafeFeed acts on {oracle}")
        result = _run_one(
            scenario_file, out / f"recall-{recall:g}", dask, workers, scale, repetitions, cache, oracle, choices
        )
        runs.append((recall, result))
    report.write_sweep(runs, out)
    common.console.print(f"wrote {out / report.SWEEP_FILE}, {out / report.SWEEP_REPORT} and the sweep plot")


def _run_one(
    scenario_file: str,
    out: Path,
    dask: str | None,
    workers: int | None,
    scale: float,
    repetitions: int | None,
    cache: Path | None,
    labels: str | None,
    choices: Choices,
) -> dict[str, Any]:
    try:
        chosen = scenario.load(
            scenario_file,
            scale=scale,
            repetitions=repetitions,
            labels=labels,
            personalised=choices.personalised,
            over_http=choices.over_http,
        )
    except FileNotFoundError as missing:
        raise common.UsageError(str(missing)) from None
    except model.InvalidValue as bad:
        raise common.UsageError(str(bad)) from None
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

            logs = runner.run(
                chosen,
                out,
                workers=workers,
                dask=dask,
                progress=advance,
                cache=cache,
                build_engine=compose.build_engine,
                world_progress=common.bar_phases(bar, last="world"),
            )
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
            f"{row['target']} [engine labels: {row['engine_labels']}; scored by {row['scored_by']}]: "
            f"mh_share_hour_6={row['mh_share_hour_6']} "
            f"ratio_to_control={row['ratio_to_control']} "
            f"max_mh_share_window_20={row['max_mh_share_window_20']} "
            f"harmful_per_10k_minor_impressions={row['harmful_per_10k_minor_impressions']} "
            f"(95% upper {row['harmful_per_10k_minor_impressions_upper95']}) "
            f"impressions/s/core={row['impressions_per_s_core']}",
            markup=False,  # the brackets are text
        )
    return result


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
    overall = result["mental_health_share_overall"]
    line = f"mental-health share of {overall['served']:,} served items: {overall['share']} apparent"
    if "corrected" in overall:
        corrected = overall["corrected"]
        line += (
            f", {corrected['share']} corrected for the classifier's error "
            f"(95% interval {corrected['low']}-{corrected['high']})"
        )
    common.console.print(line, markup=False)
    common.console.print(f"wrote {path}")
