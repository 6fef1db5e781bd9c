"""`make bench`'s table: ratios come from the two measured columns, and a failing bench becomes a row saying why."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import rich.console

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import summary  # bench/ holds scripts, not a package

FLEET = {
    "workers_max": 2,
    "fleet_impressions_per_s": 300.0,
    "peer_local_impressions_per_s": 200.0,
    "dask": {
        "1": {"impressions_per_s": 160.0, "impressions_per_cpu_s": 400.0, "cores_used": 0.9},
        "2": {"impressions_per_s": 300.0, "impressions_per_cpu_s": 380.0, "cores_used": 1.8},
    },
    "identical": True,
    "repeat": 3,
}


def test_ratio_is_figure_over_peer_from_the_bench_json() -> None:
    fleet, scaling, per_cpu = summary.fleet_rows(FLEET)
    assert (fleet.value, fleet.peer_value, fleet.ratio) == (300.0, 200.0, 1.5)
    # Scaling efficiency: 300 imp/s on 2 workers against 2 x 160 on one = 300 / 320.
    assert scaling.peer_value == 320.0
    assert scaling.ratio == 300.0 / 320.0
    assert "got 1.8 of 2 cores" in scaling.note
    assert per_cpu.ratio == 380.0 / 400.0
    assert "identical" in fleet.note
    assert "DIFFER" in summary.fleet_rows({**FLEET, "identical": False})[0].note
    http = summary.http_rows({"requests_per_s": 450.0, "floor_requests_per_s": 900.0, "p50_ms": 3.0, "p99_ms": 9.5})
    assert [row.ratio for row in http] == [0.5]
    feed = summary.feed_rows(
        {
            "items": 1000,
            "feed_default_policy": {"p50_ms": 4.0, "p99_ms": 12.0},
            "feed_engagement_policy": {"p50_ms": 3.0, "p99_ms": 10.0},
            "floor_index_topk": {"p50_ms": 0.5, "p99_ms": 0.75},
        }
    )
    assert [row.ratio for row in feed] == [8.0, 16.0, 1.2]
    assert json.loads(json.dumps([row.to_json() for row in feed]))[1]["ratio"] == 16.0


def test_no_ratio_without_both_numbers() -> None:
    assert summary.Row("x", "y", 5.0, "floor", None).ratio is None
    assert summary.Row("x", "y", 5.0, "floor", 0.0).ratio is None  # not a division by zero
    assert summary.Row("x", "y", None, "floor", 2.0).ratio is None


def _bench(command: str) -> summary.Bench:
    return summary.Bench("fake", (command,), ("--small",), ("--big",), summary.http_rows)


def test_a_bench_that_fails_or_is_missing_is_a_row_that_says_why(tmp_path: Path) -> None:
    missing = summary.run(_bench(str(tmp_path / "nowhere.py")), full=False, timeout_s=30)
    assert [(row.value, row.figure) for row in missing] == [(None, "fake: not measured")]
    assert "does not exist" in missing[0].note
    crashing = tmp_path / "crash.py"
    crashing.write_text("import sys\nprint('partial', file=sys.stderr)\nraise SystemExit('index too big')\n")
    (failed,) = summary.run(_bench(str(crashing)), full=False, timeout_s=30)
    assert failed.value is None and "exit 1: index too big" in failed.note
    assert "printed no JSON" in summary.parse(_bench("x.py"), "requests: 12/s")[0].note
    assert "none of the figures" in summary.parse(_bench("x.py"), '{"qps": 12}')[0].note


def test_a_bench_runs_with_its_size_and_json_flags(tmp_path: Path) -> None:
    script = tmp_path / "echo.py"
    script.write_text(
        "import json, sys\n"
        "big = '--big' in sys.argv and '--json' in sys.argv\n"
        "print(json.dumps({'requests_per_s': 10.0 if big else 1.0, 'floor_requests_per_s': 4.0}))\n"
    )
    (modest,) = summary.run(_bench(str(script)), full=False, timeout_s=30)
    (full,) = summary.run(_bench(str(script)), full=True, timeout_s=30)
    assert (modest.ratio, full.ratio) == (0.25, 2.5)


def test_the_table_shows_measured_and_missing_rows() -> None:
    rows = [*summary.fleet_rows(FLEET)[:2], *summary.not_measured(_bench("x.py"), "skipped: no MovieLens")]
    console = rich.console.Console(record=True, width=200)
    console.print(summary.table(rows, title="t"))
    text = console.export_text()
    assert "1.5" in text and "0.938" in text  # the two ratios, 3 significant digits
    assert "not measured" in text and "skipped: no MovieLens" in text
