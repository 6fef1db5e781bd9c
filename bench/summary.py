"""`make bench`: every benchmark at a modest size, one table of figure, floor or peer, and ratio.

    python bench/summary.py [--full] [--only feed ingest ...] [--json]

Each figure is only meaningful beside a floor or peer measured in the same
run on the same machine, so every script here measures both and prints them
with `--json`; this runs each one as a subprocess (so one crash or missing
data set cannot take the others with it), reads its JSON and prints one rich
table, ratio = figure / floor-or-peer. A bench that fails, times out or lacks
its data becomes a row that says "not measured" and why.

The default sizes keep the whole run within about ten minutes on 2 cores;
`--full` uses the sizes the figures are quoted at (1M-item catalogs).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import rich.console
import rich.table

from safefeed import config

ROOT = Path(__file__).resolve().parent.parent


@dataclasses.dataclass(frozen=True, slots=True)
class Row:
    """One figure beside the floor or peer it is judged against; `ratio` is always figure / peer."""

    bench: str
    figure: str
    value: float | None
    peer: str = ""
    peer_value: float | None = None
    unit: str = ""
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.peer_value:
            return None
        return self.value / self.peer_value

    def to_json(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "ratio": None if self.ratio is None else round(self.ratio, 3)}


Reader = Callable[[Mapping[str, Any]], list["Row"]]


@dataclasses.dataclass(frozen=True, slots=True)
class Bench:
    """A script to run with `--json` at two sizes, and how its JSON becomes rows."""

    name: str
    command: tuple[str, ...]  # after the interpreter; "--json" is added
    modest: tuple[str, ...]
    full: tuple[str, ...]
    read: Reader
    needs: Path | None = None  # a data folder; without it the bench is skipped with a note
    why_needed: str = ""


# -- readers: one per script, each naming its figures and their floors ------------------------


def _number(data: Mapping[str, Any], *path: str) -> float | None:
    value: Any = data
    for key in path:
        if not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def feed_rows(data: Mapping[str, Any]) -> list[Row]:
    items = f"{int(data.get('items', 0)):,} items"
    return [
        Row("feed", f"feed p50, default policy, {items}", _number(data, "feed_default_policy", "p50_ms"),
            "raw index top-k p50", _number(data, "floor_index_topk", "p50_ms"), "ms"),
        Row("feed", f"feed p99, default policy, {items}", _number(data, "feed_default_policy", "p99_ms"),
            "raw index top-k p99", _number(data, "floor_index_topk", "p99_ms"), "ms"),
        Row("feed", "feed p99, default policy (safety's cost)", _number(data, "feed_default_policy", "p99_ms"),
            "same engine, engagement policy p99", _number(data, "feed_engagement_policy", "p99_ms"), "ms"),
    ]  # fmt: skip


def index_rows(data: Mapping[str, Any]) -> list[Row]:
    """bench/index_scale.py prints a list, one entry per (items, codec); `parse` hands it over as "results"."""
    rows = []
    for entry in data.get("results", []):
        where = f"{int(entry.get('items', 0)):,} items, {entry.get('codec', '?')}"
        if "skipped" in entry:
            rows.append(Row("index", f"index at {where}", None, note=f"not built: {entry['skipped']}"))
            continue
        rows += [
            Row("index", f"ANN recall@100, {where}", _number(entry, "recall@100"), "exact search", 1.0,
                note=f"worst query {_number(entry, 'recall@100_min')}"),
            Row("index", f"ANN top-{entry.get('k', '?')} p99, {where}", _number(entry, "p99_ms"), unit="ms",
                note=f"p50 {_number(entry, 'p50_ms')} ms, one thread"),
            Row("index", f"index memory, {where}", _number(entry, "index_mb"), "memory budget",
                _number(entry, "budget_mb"), "MB", "within budget" if entry.get("within_budget") else "OVER BUDGET"),
        ]  # fmt: skip
    return rows


def ingest_rows(data: Mapping[str, Any]) -> list[Row]:
    note = "" if data.get("all_events_on_disk", True) else "NOT every event reached the log"
    return [
        Row("ingest", f"events logged + learned, batches of {data.get('batch', '?')}",
            _number(data, "engine_events_per_s"), "raw SQLite inserts, same durability",
            _number(data, "floor_raw_sqlite_inserts_per_s"), "events/s", note),
    ]  # fmt: skip


def relevance_rows(data: Mapping[str, Any]) -> list[Row]:
    return [
        Row("relevance", f"MovieLens {label}, SafeFeed engine", _number(data, "safefeed", key),
            f"implicit ALS {label}", _number(data, "implicit_als", key),
            note=f"popularity {_show(_number(data, 'popularity', key))}")
        for key, label in (("recall_at_20", "Recall@20"), ("ndcg_at_10", "NDCG@10"))
    ]  # fmt: skip


def http_rows(data: Mapping[str, Any]) -> list[Row]:
    latency = f"p50 {_number(data, 'p50_ms')} ms, p99 {_number(data, 'p99_ms')} ms ({data.get('client')} client)"
    return [
        Row("http", f"GET /v1/feed over HTTP, {data.get('workers')} processes", _number(data, "requests_per_s"),
            "engine in process, no HTTP", _number(data, "floor_requests_per_s"), "req/s", latency),
    ]  # fmt: skip


def fleet_rows(data: Mapping[str, Any]) -> list[Row]:
    n = int(data.get("workers_max", 0))
    one = _number(data, "dask", "1", "impressions_per_s")
    identity = "logs identical to local" if data.get("identical") else "LOGS DIFFER FROM LOCAL"
    rows = [
        Row("audit", f"audit impressions/s, {n} Dask workers", _number(data, "fleet_impressions_per_s"),
            f"{n} local processes", _number(data, "peer_local_impressions_per_s"), "imp/s",
            f"{identity}; median of {data.get('repeat')}"),
    ]  # fmt: skip
    if one is not None and n > 1:
        cores = _number(data, "dask", str(n), "cores_used")
        rows.append(
            Row("audit", f"scaling: {n} workers vs {n} x 1 worker", _number(data, "fleet_impressions_per_s"),
                f"{n} x 1 worker ({one:g})", n * one, "imp/s",
                f"ratio = scaling efficiency; the run got {_show(cores)} of {n} cores")
        )  # fmt: skip
        rows.append(
            Row("audit", f"impressions per CPU second, {n} workers",
                _number(data, "dask", str(n), "impressions_per_cpu_s"), "the same, 1 worker",
                _number(data, "dask", "1", "impressions_per_cpu_s"), "imp/cpu-s",
                "ratio ~1: the fleet adds no work per impression")
        )  # fmt: skip
    return rows


def audit_loop_rows(data: Mapping[str, Any]) -> list[Row]:
    return [
        Row("audit", "audit step loop, one core, in-process engine", _number(data, "audit_impressions_per_s"),
            "engine feed + record alone", _number(data, "floor_impressions_per_s"), "imp/s",
            f"null target {_show(_number(data, 'null_impressions_per_s'))} imp/s"),
    ]  # fmt: skip


def not_interested_rows(data: Mapping[str, Any]) -> list[Row]:
    after = [t["share_after"] for t in data.get("topics", []) if isinstance(t.get("share_after"), (int, float))]
    return [
        Row("not-interested", f"topic share in the next {data.get('items_after_press', '?')} items after one press",
            statistics.median(after) if after else None, "the same before the press",
            _number(data, "median_share_before"), note=f"smallest fall {_number(data, 'min_fall')} (goal >= 0.95)"),
    ]  # fmt: skip


def classifier_rows(data: Mapping[str, Any]) -> list[Row]:
    return [
        Row("classifier", "captions classified per second", _number(data, "captions_per_s"),
            "embedding alone", _number(data, "floor_captions_per_s"), "captions/s"),
    ]  # fmt: skip


def embedding_rows(data: Mapping[str, Any]) -> list[Row]:
    parity = f"smallest cosine to PyTorch {_number(data, 'parity_min_cosine')}"
    rows = [
        Row("embedding", f"captions embedded per second (ONNX), {data.get('idle', {}).get('threads', '?')} threads",
            _number(data, "idle", "captions_per_s"), "PyTorch (sentence-transformers), same threads",
            _number(data, "idle", "floor_pytorch_captions_per_s"), "captions/s", f"goal >= 600; {parity}"),
    ]  # fmt: skip
    if "busy" in data:
        rows.append(
            Row("embedding", f"the same beside a busy SafeFeed process, {data['busy'].get('threads', '?')} thread(s)",
                _number(data, "busy", "captions_per_s"), "PyTorch beside the same process",
                _number(data, "busy", "floor_pytorch_captions_per_s"), "captions/s", "goal >= 400")
        )  # fmt: skip
    return rows


def kinit_import_rows(data: Mapping[str, Any]) -> list[Row]:
    rest = f"{_number(data, 'rest', 'cpu_s')} of {_number(data, 'figure_import', 'cpu_s')} CPU s besides embedding"
    return [
        Row("kinit-import", f"KInIT import, {data.get('videos', '?')} videos, read to stored",
            _number(data, "figure_import", "wall_s"), "the embedding alone, same run",
            _number(data, "floor_embedding", "wall_s"), "s", f"goal <= 60 s end to end; {rest}"),
        Row("kinit-import", "KInIT re-import, nothing changed", _number(data, "reimport", "wall_s"), unit="s"),
    ]  # fmt: skip


def benches() -> list[Bench]:
    script = str(Path(sys.executable).parent / "safefeed")
    return [
        Bench("feed", ("bench/feed_latency.py",), ("--items", "20000", "--requests", "500", "--accounts", "50"),
              ("--items", "1000000", "--requests", "2000"), feed_rows),
        Bench("index", ("bench/index_scale.py",), ("--items", "100000", "--codecs", "sq8", "--queries", "100",
              "--rounds", "2"), ("--items", "1000000"), index_rows),
        Bench("ingest", ("bench/ingest.py",), ("--events", "20000", "--videos", "1000", "--accounts", "200"),
              ("--events", "200000"), ingest_rows),
        Bench("relevance", (script, "eval", "relevance"), (), (), relevance_rows,
              needs=config.load().data_dir / "movielens-latest-small", why_needed="MovieLens (../shared/data/README)"),
        Bench("http", ("bench/http_load.py",), ("--items", "20000", "--seconds", "10"),
              ("--items", "1000000", "--seconds", "30"), http_rows),
        Bench("audit-fleet", ("bench/audit_fleet.py",), ("--workers", "1", "2", "--repeat", "3"),
              ("--workers", "1", "2", "--repeat", "5", "--scale", "0.25"), fleet_rows),
        Bench("audit-loop", ("bench/audit_throughput.py",), ("--videos", "3000", "--minutes", "120"),
              (), audit_loop_rows),
        Bench("not-interested", ("bench/not_interested.py",), ("--videos", "2000", "--topics", "5"),
              (), not_interested_rows),
        Bench("classifier", ("bench/classifier_throughput.py",), ("--captions", "500"), (), classifier_rows),
        Bench("embedding", ("bench/embedding.py",), ("--captions", "1000", "--repeats", "3"),
              ("--captions", "2000", "--repeats", "5"), embedding_rows),
        Bench("kinit-import", ("bench/kinit_import.py",), (), (), kinit_import_rows,
              needs=config.load().data_dir / "tiktok-fyp-audit-kinit", why_needed="KInIT (../shared/data/README)"),
    ]  # fmt: skip


# -- running -----------------------------------------------------------------------------------


def not_measured(bench: Bench, reason: str) -> list[Row]:
    return [Row(bench.name, f"{bench.name}: not measured", None, note=reason)]


def run(bench: Bench, *, full: bool, timeout_s: float) -> list[Row]:
    """Run one bench and read its rows; any failure is a row that says why, never an exception."""
    first = bench.command[0]
    if first.endswith(".py") and not (ROOT / first).is_file():
        return not_measured(bench, f"{first} does not exist yet")
    if bench.needs is not None and not bench.needs.exists():
        return not_measured(bench, f"skipped: no {bench.why_needed} at {bench.needs}")
    argv = [*([sys.executable] if first.endswith(".py") else []), *bench.command]
    argv += [*(bench.full if full else bench.modest), "--json"]
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    try:
        done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired:
        return not_measured(bench, f"timed out after {timeout_s:g} s: {' '.join(argv[1:])}")
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        last = lines[-1][:160] if lines else "no error output"
        return not_measured(bench, f"exit {done.returncode}: {last}")
    return parse(bench, done.stdout)


def parse(bench: Bench, stdout: str) -> list[Row]:
    """Rows from a bench's printed JSON; output that is not the JSON object expected says so."""
    try:
        data = json.loads(stdout)
    except json.JSONDecodeError:
        return not_measured(bench, f"printed no JSON for --json: {stdout.strip()[:120]!r}")
    if isinstance(data, list):
        data = {"results": data}  # a bench that measures several configurations prints one entry each
    if not isinstance(data, dict):
        return not_measured(bench, f"--json printed a {type(data).__name__}, not an object or a list")
    rows = bench.read(data)
    if rows and all(row.value is None for row in rows):
        return not_measured(bench, f"its JSON has none of the figures read here (keys: {sorted(data)[:8]})")
    return rows


# -- the table ---------------------------------------------------------------------------------


def _show(value: float | None) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def table(rows: Sequence[Row], *, title: str) -> rich.table.Table:
    shown = rich.table.Table(title=title, caption="ratio = figure / floor or peer, both measured in this run")
    for name, justify in (("bench", "left"), ("figure", "left"), ("value", "right"), ("floor or peer", "left"),
                          ("peer value", "right"), ("ratio", "right"), ("unit", "left"), ("note", "left")):  # fmt: skip
        shown.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for row in rows:
        ratio = "-" if row.ratio is None else f"{row.ratio:.3g}"
        value = "not measured" if row.value is None else _show(row.value)
        shown.add_row(row.bench, row.figure, value, row.peer, _show(row.peer_value), ratio, row.unit, row.note)
    return shown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="the quoted sizes (1M items); far longer than 10 min")
    parser.add_argument("--only", nargs="+", metavar="BENCH", help="run only these (names as in the table)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per bench before it is given up")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON instead of the table")
    args = parser.parse_args()
    chosen = [b for b in benches() if not args.only or b.name in args.only]
    if args.only and len(chosen) != len(args.only):
        raise SystemExit(f"--only takes names from {[b.name for b in benches()]}, got {args.only}")
    err = rich.console.Console(stderr=True)
    rows: list[Row] = []
    load_before = os.getloadavg()[0]
    began = time.perf_counter()
    for number, bench in enumerate(chosen, 1):
        err.print(f"[{number}/{len(chosen)}] {bench.name} ...", end=" ")
        started = time.perf_counter()
        rows.extend(run(bench, full=args.full, timeout_s=args.timeout * (4 if args.full else 1)))
        err.print(f"{time.perf_counter() - started:.0f} s")
    machine = (
        f"{os.cpu_count()} CPUs, load average {load_before:.1f} before / {os.getloadavg()[0]:.1f} after, "
        f"{time.perf_counter() - began:.0f} s, {'full' if args.full else 'modest'} sizes"
    )
    if args.json:
        print(json.dumps({"machine": machine, "rows": [row.to_json() for row in rows]}, indent=2))
        return
    # Not a terminal (make bench > log): wide enough that rows stay on one line.
    console = rich.console.Console(width=None if sys.stdout.isatty() else 220)
    console.print(table(rows, title=f"SafeFeed benchmarks ({machine})"))


if __name__ == "__main__":
    main()
