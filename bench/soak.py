"""A soak test: sustained `GET /v1/feed` and `POST /v1/events` against `safefeed serve` on loopback.

    python bench/soak.py --minutes 10 --json

Builds a generated catalog (as bench/feed_latency.py does), warms accounts and
gives them bearer tokens (as bench/http_load.py does), starts `safefeed serve`
(one uvicorn worker, 127.0.0.1 only) and drives it with concurrent keep-alive
clients for `--minutes`: each scrolls its accounts page after page and posts
what it "watched" as an event batch. It stops by itself after `--minutes`
(plus the build), whatever happens.

Accounts start with a month of history, as many videos seen and interacted
with as an account's state holds (`Signals.seen_limit`, `interaction_limit`),
so the soak measures the steady state of a service whose users have used it
for a while, not the filling of new accounts' state.

Every 10 s window records p50/p99 latency, requests, errors (anything but a
2xx, or a transport failure) and the server's resident memory. The figures a
soak must show: 0 errors, p99 stable (last window's p99 over the first's) and
memory flat (RSS growth from the first window to the last). The curve goes to
a PNG (p99 and RSS against minutes).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import feed_latency
import http_load
import httpx
import numpy as np
from rich.console import Console
from rich.progress import track

from safefeed import compose, model
from safefeed.recommend import feed

WINDOW_S = 10.0


@dataclasses.dataclass
class Window:
    """What one 10 s window saw."""

    minute: float
    requests: int
    errors: int
    prompts: int
    feed_p50_ms: float
    feed_p99_ms: float
    events_p50_ms: float
    events_p99_ms: float
    rss_mb: float


@dataclasses.dataclass
class Tally:
    """The current window's samples, emptied when the window closes."""

    feed: list[float] = dataclasses.field(default_factory=list)
    events: list[float] = dataclasses.field(default_factory=list)
    errors: int = 0
    prompts: int = 0
    error_examples: list[str] = dataclasses.field(default_factory=list)


def give_history(engine: feed.Engine, accounts: list[str], seed: int) -> None:
    """Fill each account's state to its limits with events from the last month (none today: no
    screen time is used up), then snapshot it so that the server loads it without a long replay."""
    signals = engine.config.signals
    rng = np.random.default_rng(seed)
    now = dt.datetime.now(dt.UTC)
    for account_id in track(accounts, description="a month of history per account", console=Console(stderr=True)):
        picks = rng.choice(len(engine.items.ids), size=signals.seen_limit, replace=False)
        ages = np.sort(rng.uniform(1, 30, size=len(picks)))[::-1]  # oldest first
        seen = [
            model.Event(account_id, model.EventKind.IMPRESSION, now - dt.timedelta(days=float(age)), video_id=video)
            for video, age in zip((engine.items.ids[pick] for pick in picks), ages, strict=True)
        ]
        liked = [dataclasses.replace(event, kind=model.EventKind.LIKE) for event in seen[-signals.interaction_limit :]]
        engine.record(sorted(seen + liked, key=lambda event: event.at))  # stable: each like after its impression
        engine.snapshot(account_id)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def rss_mb(pid: int) -> float:
    """The server's resident memory, from /proc (Linux)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def percentile(values: list[float], q: float) -> float:
    return round(float(np.percentile(np.asarray(values), q)), 2) if values else float("nan")


async def drive(
    base: str, tokens: list[str], *, concurrency: int, seconds: float, server_pid: int, warm_up_s: float
) -> tuple[list[Window], list[str]]:
    """Scroll and post events until `seconds` have passed; one `Window` per 10 s after the warm-up."""
    tally = Tally()
    windows: list[Window] = []
    started = time.perf_counter()
    measuring_from = started + warm_up_s
    stop = measuring_from + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    examples: list[str] = []

    def failed(what: str) -> None:
        tally.errors += 1
        if len(examples) < 10:
            examples.append(what)

    async def client_loop(worker: int, client: httpx.AsyncClient) -> None:
        mine = tokens[worker::concurrency]
        cursors: dict[str, str | None] = dict.fromkeys(mine)
        seen: dict[str, list[str]] = {token: [] for token in mine}
        number = 0
        while time.perf_counter() < stop:
            token = mine[number % len(mine)]
            number += 1
            headers = {"Authorization": f"Bearer {token}"}
            params = {"n": "20"} | ({"cursor": cursors[token]} if cursors[token] else {})
            began = time.perf_counter()
            try:
                answer = await client.get("/v1/feed", params=params, headers=headers)
            except httpx.HTTPError as error:
                failed(f"GET /v1/feed: {type(error).__name__}: {error}")
                continue
            tally.feed.append((time.perf_counter() - began) * 1000)
            if answer.status_code != 200:
                failed(f"GET /v1/feed: {answer.status_code} {answer.text[:200]}")
                continue
            page = answer.json()
            cursors[token] = page["next_cursor"]
            if page["prompt"] is not None and page["prompt"]["blocking"]:
                tally.prompts += 1
            videos = [item["video"]["id"] for item in page["items"]] or seen[token]
            seen[token] = videos
            if not videos:
                continue
            batch = [{"kind": "impression", "video_id": video_id} for video_id in videos[:10]]
            batch += [{"kind": "watch", "video_id": video_id, "fraction": 0.8} for video_id in videos[:3]]
            batch.append({"kind": "like", "video_id": videos[0]})
            began = time.perf_counter()
            try:
                answer = await client.post("/v1/events", json=batch, headers=headers)
            except httpx.HTTPError as error:
                failed(f"POST /v1/events: {type(error).__name__}: {error}")
                continue
            tally.events.append((time.perf_counter() - began) * 1000)
            if answer.status_code != 200:
                failed(f"POST /v1/events: {answer.status_code} {answer.text[:200]}")

    async def sampler() -> None:
        nonlocal tally
        await asyncio.sleep(max(0.0, measuring_from - time.perf_counter()))
        tally = Tally()  # the warm-up's samples are dropped
        closes = measuring_from
        while closes < stop:
            closes += WINDOW_S
            await asyncio.sleep(max(0.0, closes - time.perf_counter()))
            done, tally = tally, Tally()
            windows.append(
                Window(
                    minute=round((closes - measuring_from) / 60, 3),
                    requests=len(done.feed) + len(done.events),
                    errors=done.errors,
                    prompts=done.prompts,
                    feed_p50_ms=percentile(done.feed, 50),
                    feed_p99_ms=percentile(done.feed, 99),
                    events_p50_ms=percentile(done.events, 50),
                    events_p99_ms=percentile(done.events, 99),
                    rss_mb=round(rss_mb(server_pid), 1),
                )
            )

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        await asyncio.gather(sampler(), *(client_loop(worker, client) for worker in range(concurrency)))
    return windows, examples


def summarise(windows: list[Window], *, items: int, concurrency: int, minutes: float) -> dict[str, object]:
    assert windows, "no window was measured"
    first, last = windows[0], windows[-1]
    return {
        "items": items,
        "concurrency": concurrency,
        "minutes": minutes,
        "windows": len(windows),
        "requests": sum(window.requests for window in windows),
        "errors": sum(window.errors for window in windows),
        "blocking_prompts": sum(window.prompts for window in windows),
        "requests_per_s": round(sum(window.requests for window in windows) / (len(windows) * WINDOW_S), 1),
        "feed_p50_ms_median_window": round(statistics.median(window.feed_p50_ms for window in windows), 2),
        "feed_p99_ms_first": first.feed_p99_ms,
        "feed_p99_ms_last": last.feed_p99_ms,
        "feed_p99_ms_worst": max(window.feed_p99_ms for window in windows),
        "p99_stability_last_over_first": round(last.feed_p99_ms / first.feed_p99_ms, 3),
        "events_p99_ms_first": first.events_p99_ms,
        "events_p99_ms_last": last.events_p99_ms,
        "rss_mb_first": first.rss_mb,
        "rss_mb_last": last.rss_mb,
        "rss_mb_max": max(window.rss_mb for window in windows),
        "rss_growth_mb": round(last.rss_mb - first.rss_mb, 1),
        "rss_growth_fraction": round(last.rss_mb / first.rss_mb - 1, 4),
        "rss_growth_second_half_mb": round(last.rss_mb - windows[len(windows) // 2].rss_mb, 1),
    }


def plot(windows: list[Window], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    minutes = [window.minute for window in windows]
    figure, latency = pyplot.subplots(figsize=(9, 4.5))
    latency.plot(minutes, [window.feed_p99_ms for window in windows], label="GET /v1/feed p99", color="tab:blue")
    latency.plot(minutes, [window.events_p99_ms for window in windows], label="POST /v1/events p99", color="tab:green")
    latency.plot(
        minutes, [window.feed_p50_ms for window in windows], label="GET /v1/feed p50", color="tab:blue", ls=":"
    )
    latency.set_xlabel("minutes")
    latency.set_ylabel("latency per 10 s window (ms)")
    latency.set_ylim(bottom=0)
    memory = latency.twinx()
    memory.plot(minutes, [window.rss_mb for window in windows], label="server RSS", color="tab:red")
    memory.set_ylabel("server RSS (MiB)")
    memory.set_ylim(bottom=0, top=max(window.rss_mb for window in windows) * 1.3)
    lines = latency.get_legend_handles_labels()
    more = memory.get_legend_handles_labels()
    latency.legend(lines[0] + more[0], lines[1] + more[1], loc="lower right", fontsize="small")
    latency.set_title(title)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    pyplot.close(figure)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--warm-up", type=float, default=20.0, help="seconds driven before measuring")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plot", type=Path, default=Path("artifacts/soak.png"))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    assert 0 < args.minutes <= 24 * 60, "--minutes: between a few seconds and a day"
    with tempfile.TemporaryDirectory() as workdir:
        database = Path(workdir) / "soak.db"
        print(f"building a store of {args.items:,} videos", file=sys.stderr)
        store = feed_latency.build_store(database, args.items, args.seed)
        engine = compose.build_engine(store)
        accounts = feed_latency.warm_accounts(engine, args.accounts, args.seed)
        give_history(engine, accounts, args.seed)
        del engine
        tokens = http_load.make_tokens(store, accounts)
        store.close()
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = (Path(workdir) / "server.log").open("wb")
        environment = {
            **os.environ,
            "SAFEFEED_DATABASE_URL": f"sqlite:///{database}",
            "SAFEFEED_RATE_LIMIT": "100000/second",
            "SAFEFEED_AUDIT_DIR": str(Path(workdir) / "audits"),
            "OPENBLAS_NUM_THREADS": "1",
        }
        command = [sys.executable, "-m", "safefeed.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
        server = subprocess.Popen(command, env=environment, stdout=log, stderr=subprocess.STDOUT)
        try:
            http_load.wait_until_up(base, server, limit_s=600)
            print(f"soaking {base} for {args.minutes} min", file=sys.stderr)
            windows, examples = asyncio.run(
                drive(
                    base,
                    tokens,
                    concurrency=args.concurrency,
                    seconds=args.minutes * 60,
                    server_pid=server.pid,
                    warm_up_s=args.warm_up,
                )
            )
        finally:
            server.terminate()
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            log.close()
    result = summarise(windows, items=args.items, concurrency=args.concurrency, minutes=args.minutes)
    result["error_examples"] = examples
    result["plot"] = str(args.plot)
    result["per_window"] = [dataclasses.asdict(window) for window in windows]
    plot(
        windows,
        args.plot,
        f"SafeFeed soak: {args.items:,} videos, {args.concurrency} clients, {result['requests_per_s']} req/s",
    )
    if args.json:
        print(json.dumps(result, indent=1))
        return
    for key, value in result.items():
        if key != "per_window":
            print(f"{key:>30}: {value}")


if __name__ == "__main__":
    main()
