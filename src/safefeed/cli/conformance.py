"""`safefeed audit conformance TARGET --out DIR`: the regulators' tests as a release gate (exit 1 on a fail)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import rich.progress
import typer

from safefeed import compose, config, model, services
from safefeed.audit import targets
from safefeed.audit.conformance import requirements, results
from safefeed.audit.conformance import run as conformance_run
from safefeed.cli import common
from safefeed.services import conformance_target
from safefeed.services import parts as service_parts
from safefeed.store import repository

DEFAULT_CACHE = Path.home() / ".cache" / "safefeed" / "audit"


def _assemble(store: repository.Store, settings: config.Settings, clock: service_parts.Clock) -> services.SafeFeed:
    return compose.assemble(store, settings, clock=clock)


def in_process(store: repository.Store, policy: str) -> conformance_target.Service:
    """SafeFeed's whole service under `policy`, assembled as the app assembles it, over the run's store."""
    return conformance_target.service_target(store, policy, _assemble)


def conformance(
    target: Annotated[
        str,
        typer.Argument(
            metavar="TARGET",
            help=(
                "default | engagement | a policy .toml (SafeFeed in process) | served:POLICY (SafeFeed served over "
                "HTTP by the run) | als | null | an http(s):// URL."
            ),
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="Where conformance.json, the JUnit XML and the HTML go.")],
    scale: Annotated[
        float, typer.Option("--scale", min=0.01, max=1.0, help="1 is the standard scale; smaller for a quick look.")
    ] = 1.0,
    baseline: Annotated[
        Path | None, typer.Option("--baseline", help="An earlier run's --out folder: fail on a regression beyond it.")
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Override the scenario's seed.")] = None,
    scenario_file: Annotated[
        str, typer.Option("--scenario", help="A conformance scenario TOML (default: the shipped one).")
    ] = requirements.BUILTIN,
    world: Annotated[
        Path | None, typer.Option("--world", help="A prepared audit world (SQLite) instead of a generated one.")
    ] = None,
    cache: Annotated[Path | None, typer.Option("--cache", help="Where built catalogs are kept.")] = DEFAULT_CACHE,
) -> None:
    """Run every requirement against TARGET; exit 1 when one fails or regresses against --baseline."""
    try:
        suite = requirements.load(scenario_file)
    except (FileNotFoundError, model.InvalidValue) as bad:
        raise common.UsageError(str(bad)) from None
    if world is not None and not world.is_file():
        raise common.UsageError(f"--world {world} is not a file: give a prepared audit world")
    try:
        with rich.progress.Progress(
            *rich.progress.Progress.get_default_columns(),
            rich.progress.TextColumn("{task.fields[last]}"),
            console=common.console,
        ) as bar:
            task = bar.add_task("conformance", total=len(suite.requirements), last="preparing the world")

            def advance(result: results.Result, done: int, total: int) -> None:
                bar.update(task, completed=done, last=f"{result.number}. {result.id}: {result.verdict}")

            doc = conformance_run.run(
                suite,
                target,
                out,
                scale=scale,
                seed=seed,
                world=world,
                cache=cache,
                baseline_dir=baseline,
                progress=advance,
                in_process=in_process,
                world_progress=common.bar_phases(bar, last="world"),
            )
    except (targets.AuditError, FileNotFoundError) as refused:
        raise common.UsageError(str(refused)) from None
    for entry in doc["results"]:
        result = results.Result.from_json(entry)
        line = f"{result.number:>2}. {result.verdict.upper():<12} {result.id}"
        common.console.print(line + (f"  ({result.reason})" if result.reason else ""), highlight=False, markup=False)
    for regression in doc["regressions"]:
        common.console.print(f"REGRESSION {regression}", highlight=False, markup=False)
    counts = doc["counts"]
    common.console.print(
        f"{counts['pass']} pass, {counts['fail']} fail, {counts['not_testable']} not testable, "
        f"{counts['error']} error; "
        f"wrote {out}/conformance.json, conformance-junit.xml, conformance.html",
        highlight=False,
        markup=False,
    )
    if not doc["passed"]:
        raise typer.Exit(1)
