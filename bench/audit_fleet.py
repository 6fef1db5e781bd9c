"""Audit fleet throughput: impressions/s on 1, 2, ... Dask workers, against local processes doing the same.

    python bench/audit_fleet.py --workers 1 2 --repeat 3 --json     # this 2-core machine, ~3 minutes
    python bench/audit_fleet.py --workers 1 2 4 8 --local 8 --scale 0.25  # a bigger one

A slice of the amnesty-2023 scenario (`--scale` shrinks its sessions and
catalog; `--targets` picks targets) runs through `runner.run` -- what
`safefeed audit run --dask ADDRESS` does -- on a `LocalCluster` of N workers
with one thread each, bound to 127.0.0.1 with no dashboard, and through N
local processes (`safefeed audit run --workers N`), the peer, for the largest
N unless `--local` says otherwise. The figure is end-to-end:
simulated impressions / wall seconds of the whole run, per-unit setup
included (copying the world, building the engine); cluster start-up is not
timed (workers are started and warmed first: a fleet outlives one audit),
the local processes' start-up is (that is what a local run pays). Scaling
efficiency at N workers is rate(N) / (N x rate(1)).

`cores_used` is the run's CPU seconds (workers, scheduler, client) over its
wall seconds: on a shared machine it says how much of the N cores the run
actually got, which bounds the efficiency one can see there.

Every run's logs are compared with the first one's, value for value but for
the run-dependent fields (`runner.RUN_FIELDS`): `identical` says whether a
fleet of any size gave the audit a local run gives.

Configurations are interleaved within each repetition and medians reported,
because the machine may be shared; the load average is printed beside them.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import importlib
import json
import logging
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from safefeed import compose
from safefeed.audit import runner, scenario, world

DEFAULT_CACHE = Path.home() / ".cache" / "safefeed" / "audit"


def slice_of(name: str, *, scale: float, targets: Sequence[str], repetitions: int) -> scenario.Scenario:
    """The scenario shrunk by `scale`, with only the named targets."""
    whole = scenario.load(name, scale=scale, repetitions=repetitions)
    chosen = tuple(t for t in whole.targets if t.name in targets)
    unknown = set(targets) - {t.name for t in chosen}
    if unknown:
        raise SystemExit(f"--targets {sorted(unknown)} not in {name}: choose from {[t.name for t in whole.targets]}")
    baseline = whole.baseline if whole.baseline in targets else chosen[0].name
    return dataclasses.replace(whole, targets=chosen, baseline=baseline)


def cpu_seconds(client: Any | None) -> float:
    """CPU time so far of this process (client, scheduler), its reaped children (a finished local pool)
    and the cluster's workers: on a shared machine, cores used = CPU / wall says what a run really got."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    if client is not None:
        total += sum(client.run(time.process_time).values())
    return total


def timed(
    audit: scenario.Scenario, cache: Path, *, workers: int, dask: str | None, client: Any | None
) -> tuple[float, float, list[runner.Log]]:
    """Wall and CPU seconds of one whole run into a fresh folder, and its logs."""
    with tempfile.TemporaryDirectory(prefix="audit-fleet-") as out:
        cpu, began = cpu_seconds(client), time.perf_counter()
        logs = runner.run(
            audit,
            Path(out),
            workers=None if dask else workers,
            dask=dask,
            cache=cache,
            build_engine=compose.build_engine,
        )
        return time.perf_counter() - began, cpu_seconds(client) - cpu, logs


def start_cluster(stack: contextlib.ExitStack[Any], workers: int) -> tuple[str, list[str], Any]:
    """A loopback cluster of `workers` single-threaded workers, warmed, open until `stack` closes.

    Clusters outlive repetitions, as a fleet outlives one audit: start-up is not the figure.
    """
    import distributed

    cluster = stack.enter_context(
        distributed.LocalCluster(  # type: ignore[no-untyped-call]
            host="127.0.0.1",
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,  # a closing cluster's warnings are not results
        )
    )
    client = stack.enter_context(distributed.Client(cluster.scheduler_address))  # type: ignore[no-untyped-call]
    client.wait_for_workers(workers, timeout=60)
    client.run(importlib.import_module, "safefeed.audit.runner")  # imports are start-up too
    return str(cluster.scheduler_address), sorted(cluster.scheduler_info["workers"]), client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="fleet sizes (1 thread each)")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions of every configuration; medians reported")
    parser.add_argument("--scenario", default="amnesty-2023")
    parser.add_argument("--scale", type=float, default=0.1, help="of sessions and catalog (0.1: 36-minute sessions)")
    parser.add_argument("--targets", nargs="+", default=["engagement", "default"])
    parser.add_argument("--repetitions", type=int, default=1, help="the scenario's repetitions (units = x that)")
    parser.add_argument(
        "--local", type=int, nargs="*", help="local-process peer sizes (default: the largest fleet's; none: omit)"
    )
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="where built catalogs are kept")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if sorted(set(args.workers)) != sorted(args.workers) or min(args.workers) < 1:
        raise SystemExit(f"--workers takes distinct sizes >= 1, got {args.workers}")
    audit = slice_of(args.scenario, scale=args.scale, targets=args.targets, repetitions=args.repetitions)
    print(f"preparing the world ({audit.catalog.videos} videos)", file=sys.stderr)
    world.prepare_world(audit.catalog, args.cache / f"world-{audit.catalog.videos}-{audit.catalog.seed}-v2.db")

    local_sizes = [max(args.workers)] if args.local is None else sorted(set(args.local))
    rates: dict[str, list[float]] = {}
    loop_rates: dict[str, list[float]] = {}
    cores: dict[str, list[float]] = {}  # CPU seconds / wall seconds: what the shared machine gave the run
    per_cpu: dict[str, list[float]] = {}
    placed: dict[str, list[int]] = {}
    reference: list[dict[str, Any]] | None = None
    identical = True
    impressions = 0
    load_before = os.getloadavg()[0]
    with contextlib.ExitStack() as stack:
        clusters = {n: start_cluster(stack, n) for n in args.workers}
        configurations = [f"dask-{n}" for n in args.workers] + [f"local-{n}" for n in local_sizes]
        for repetition in range(args.repeat):
            for name in configurations:  # interleaved, so a burst of load hits every configuration alike
                print(f"repetition {repetition + 1}/{args.repeat}: {name}", file=sys.stderr)
                kind, size = name.split("-")
                if kind == "dask":
                    address, workers, client = clusters[int(size)]
                    seconds, cpu, logs = timed(audit, args.cache, workers=int(size), dask=address, client=client)
                    placed.setdefault(name, []).append(len({log.worker for log in logs} & set(workers)))
                else:
                    seconds, cpu, logs = timed(audit, args.cache, workers=int(size), dask=None, client=None)
                outcome = [log.outcome() for log in logs]
                reference = reference if reference is not None else outcome
                identical = identical and outcome == reference
                impressions = sum(log.impressions for log in logs)
                rates.setdefault(name, []).append(impressions / seconds)
                loop_rates.setdefault(name, []).append(impressions / sum(log.wall_s for log in logs))
                cores.setdefault(name, []).append(cpu / seconds)
                per_cpu.setdefault(name, []).append(impressions / cpu)

    def median(name: str, table: dict[str, list[float]], digits: int = 1) -> float | None:
        return round(statistics.median(table[name]), digits) if name in table else None

    fleets = {
        str(n): {
            "impressions_per_s": median(f"dask-{n}", rates),
            "runs": [round(r, 1) for r in rates[f"dask-{n}"]],
            "workers_used_min": min(placed[f"dask-{n}"]),
            "cores_used": median(f"dask-{n}", cores, 2),
            "impressions_per_cpu_s": median(f"dask-{n}", per_cpu),
            "step_loop_impressions_per_s_core": median(f"dask-{n}", loop_rates),
        }
        for n in args.workers
    }
    local = {
        str(n): {
            "impressions_per_s": median(f"local-{n}", rates),
            "runs": [round(r, 1) for r in rates[f"local-{n}"]],
            "cores_used": median(f"local-{n}", cores, 2),
            "impressions_per_cpu_s": median(f"local-{n}", per_cpu),
        }
        for n in local_sizes
    }
    one = fleets.get("1", {}).get("impressions_per_s")
    efficiency: dict[str, float | None] = {}
    for n in args.workers:
        rate = fleets[str(n)]["impressions_per_s"]
        if n > 1:
            efficiency[str(n)] = round(rate / (n * one), 3) if one and rate else None
    largest = str(max(args.workers))
    result: dict[str, Any] = {
        "scenario": audit.name,
        "scale": args.scale,
        "targets": list(args.targets),
        "units": len(runner.units(audit)),
        "impressions_per_run": impressions,
        "repeat": args.repeat,
        "cpus": os.cpu_count(),
        "load_average_before_after": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "dask": fleets,
        "local_processes": local,
        "scaling_efficiency": efficiency,
        "identical": identical,
        # The headline: the largest fleet against local processes of the same count.
        "workers_max": int(largest),
        "fleet_impressions_per_s": fleets[largest]["impressions_per_s"],
        "peer_local_impressions_per_s": local.get(largest, {}).get("impressions_per_s"),
        "scaling_efficiency_max": efficiency.get(largest),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(
        f"{audit.name} x{args.scale:g}, {result['units']} units, {impressions:,} impressions a run, {args.repeat} runs"
    )
    for n in args.workers:
        peer = local.get(str(n), {}).get("impressions_per_s")
        print(
            f"{n} Dask worker(s): {fleets[str(n)]['impressions_per_s']:>8} impressions/s"
            f"   {n} local process(es): {peer if peer is not None else '-':>8}"
            f"   efficiency {efficiency.get(str(n), 1.0 if n == 1 else None)}"
            f"   cores used {fleets[str(n)]['cores_used']}"
        )
    print(f"identical logs on every fleet and locally: {identical}")
    print(f"load average before / after: {result['load_average_before_after']} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
