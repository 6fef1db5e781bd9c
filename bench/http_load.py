"""HTTP throughput of `GET /v1/feed` at catalog scale, against its floor: the engine called in process.

    python bench/http_load.py --items 1000000 --json

Builds a generated catalog (as bench/feed_latency.py does), creates accounts
with bearer tokens, measures the in-process `feed(n=20)` rate (the floor: what
the engine gives with no HTTP at all), then starts `safefeed serve` (one
uvicorn worker, or `--workers`) on 127.0.0.1 and drives it with concurrent
keep-alive clients for `--seconds`, each scrolling its own accounts page after
page. The client is wrk (bench/feed_scroll.lua) when it is installed
(`apt-get install wrk`), else Python's httpx, which costs the server more of
the same 2 cores; either way the figure is what one box does with its own
client, a lower bound for the server alone.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import feed_latency
import httpx
import numpy as np

from safefeed import access, compose
from safefeed.store import repository


def make_tokens(store: repository.Store, accounts: list[str]) -> list[str]:
    logins = access.Access(store.engine)
    now = dt.datetime.now(dt.UTC)
    tokens = []
    for account_id in accounts:
        logins.register(account_id, access.Role.ACCOUNT, None, now)
        tokens.append(logins.issue(account_id, now))
    return tokens


def floor_rate(store: repository.Store, accounts: list[str], seconds: float) -> dict[str, float]:
    """Pages per second from the engine itself, one thread, the same accounts scrolling."""
    engine = compose.build_engine(store)
    timings = feed_latency.time_feed(engine, accounts, 200)  # warm-up
    timings, started = [], time.perf_counter()
    while time.perf_counter() - started < seconds:
        timings.extend(feed_latency.time_feed(engine, accounts, len(accounts)))
    elapsed = time.perf_counter() - started
    return {
        "floor_requests_per_s": round(len(timings) / elapsed, 1),
        "floor_p50_ms": round(statistics.median(timings), 3),
    }


async def drive(base: str, tokens: list[str], concurrency: int, seconds: float) -> tuple[list[float], int, float]:
    """The httpx client: `concurrency` keep-alive connections; each latency, the errors, the time taken."""
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def client_loop(worker: int, client: httpx.AsyncClient) -> None:
        nonlocal errors
        mine = tokens[worker::concurrency]
        cursors: dict[str, str | None] = dict.fromkeys(mine)
        number = 0
        while time.perf_counter() < stop:
            token = mine[number % len(mine)]
            number += 1
            params = {"n": "20"} | ({"cursor": cursors[token]} if cursors[token] else {})
            started = time.perf_counter()
            answer = await client.get("/v1/feed", params=params, headers={"Authorization": f"Bearer {token}"})
            latencies.append((time.perf_counter() - started) * 1000)
            if answer.status_code != 200:
                errors += 1
                continue
            cursors[token] = answer.json()["next_cursor"]

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        started = time.perf_counter()
        await asyncio.gather(*(client_loop(worker, client) for worker in range(concurrency)))
        elapsed = time.perf_counter() - started
    return latencies, errors, elapsed


def drive_httpx(base: str, tokens: list[str], concurrency: int, seconds: float) -> dict[str, float]:
    asyncio.run(drive(base, tokens, concurrency, 3.0))  # warm-up
    latencies, errors, elapsed = asyncio.run(drive(base, tokens, concurrency, seconds))
    return {
        "requests": len(latencies),
        "errors": errors,
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies), 2),
        "p99_ms": round(float(np.percentile(latencies, 99)), 2),
    }


def drive_wrk(base: str, tokens: list[str], concurrency: int, seconds: float, folder: Path) -> dict[str, float]:
    """wrk with one connection per thread (bench/feed_scroll.lua follows each account's cursor)."""
    listed = folder / "tokens.txt"
    listed.write_text("\n".join(tokens) + "\n")
    script = Path(__file__).with_name("feed_scroll.lua")
    environment = {**os.environ, "TOKENS": str(listed), "THREADS": str(concurrency)}

    def run(duration: float) -> dict[str, float]:
        command = ["wrk", f"-t{concurrency}", f"-c{concurrency}", f"-d{round(duration)}s", "-s", str(script), base]
        output = subprocess.run(command, env=environment, capture_output=True, text=True, check=True).stdout
        summary: dict[str, float] = json.loads(output.strip().splitlines()[-1])
        return summary

    run(3)  # warm-up
    summary = run(seconds)
    return {
        "requests": summary["requests"],
        "errors": summary["errors"] + summary["socket_errors"],
        "requests_per_s": round(summary["requests"] / summary["seconds"], 1),
        "p50_ms": round(summary["p50_ms"], 2),
        "p99_ms": round(summary["p99_ms"], 2),
    }


def serve(database: Path, port: int, workers: int = 1) -> subprocess.Popen[bytes]:
    environment = {
        **os.environ,
        "SAFEFEED_DATABASE_URL": f"sqlite:///{database}",
        "SAFEFEED_RATE_LIMIT": "100000/second",
        "OPENBLAS_NUM_THREADS": "1",
    }
    command = [sys.executable, "-m", "safefeed.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    return subprocess.Popen([*command, "--workers", str(workers)], env=environment)


def listening(port: int) -> int:
    """Sockets listening on `port` (one per server process: each has its own, SO_REUSEPORT)."""
    rows = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return sum(1 for row in rows if row.split()[1].endswith(f":{port:04X}") and row.split()[3] == "0A")


def wait_until_up(base: str, server: subprocess.Popen[bytes], limit_s: float = 1800, processes: int = 1) -> None:
    """Until every process listens: before that the kernel gives all connections to those that do."""
    port = int(base.rsplit(":", 1)[1])
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with status {server.returncode}")
        try:
            if httpx.get(f"{base}/v1/health", timeout=2).status_code == 200 and listening(port) >= processes:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise SystemExit("the server did not come up")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=1, help="server processes (safefeed serve --workers)")
    parser.add_argument(
        "--client", choices=("wrk", "httpx"), default="wrk" if shutil.which("wrk") else "httpx", help="load generator"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--store",
        type=Path,
        help="reuse (or keep) the generated catalog in this SQLite file, as bench/feed_latency.py --store does",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        database = args.store or Path(workdir) / "bench.db"
        if args.store is not None and args.store.exists():
            store = feed_latency.reuse_store(args.store, args.items)
            with store.engine.begin() as connection:  # the logins and screen time of an earlier run
                for table in ("tokens", "principals", "screen_time", "wellbeing_state"):
                    connection.exec_driver_sql(f"DELETE FROM {table}")
        else:
            print(f"building a store of {args.items:,} videos", file=sys.stderr)
            store = feed_latency.build_store(database, args.items, args.seed)
        engine = compose.build_engine(store)
        accounts = feed_latency.warm_accounts(engine, args.accounts, args.seed)
        del engine
        tokens = make_tokens(store, accounts)
        floor = floor_rate(store, accounts, min(args.seconds, 10.0))
        store.close()
        base = f"http://127.0.0.1:{args.port}"
        server = serve(database, args.port, args.workers)
        try:
            wait_until_up(base, server, processes=args.workers)
            if args.client == "wrk":
                measured = drive_wrk(base, tokens, args.concurrency, args.seconds, Path(workdir))
            else:
                measured = drive_httpx(base, tokens, args.concurrency, args.seconds)
        finally:
            server.terminate()
            server.wait(timeout=60)
    result = {
        "items": args.items,
        "workers": args.workers,
        "client": args.client,
        "concurrency": args.concurrency,
        **measured,
        **floor,
    }
    result["ratio_to_floor"] = round(result["requests_per_s"] / result["floor_requests_per_s"], 3)
    if args.json:
        print(json.dumps(result, indent=1))
        return
    for key, value in result.items():
        print(f"{key:>22}: {value}")


if __name__ == "__main__":
    main()
