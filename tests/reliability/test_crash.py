"""Durability under SIGKILL: every event batch the server acknowledged is in the store after a crash, whole.

`safefeed serve` runs as a real process over a prepared store (SQLite file or
PostgreSQL). Client threads post event batches as fast as the server answers
and note every batch that got a 2xx; at a seeded random moment the server is
killed with SIGKILL (no shutdown, no flush), then the store is read directly:
no acknowledged event may be missing, and every batch, acknowledged or still in
flight, must be all there or not there at all. The next trial starts the server
again on the crashed store, which is the restart.

Each event carries its batch's number in `seconds` (batch + index / 1000), so
the store itself says which batch a row came from.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from safefeed import access, config, model
from safefeed.recommend import vectors
from safefeed.store import repository, schema
from tests import conftest as root_conftest
from tests import serving
from tests.recommend import conftest as tiny
from tests.reliability import conftest as world_

TRIALS = 20
CLIENTS = 4
SEED = 20261123
KILL_AFTER_S = (0.05, 1.2)  # after the first acknowledged batch: early, mid-batch and late moments
MAX_BATCH = 60
# Adults with no history: a search in an account's history makes its first request after a restart
# load the embedding model (seconds; reported), which would only slow every trial down.
POSTERS = ("poster-a", "poster-b")


@dataclasses.dataclass(frozen=True)
class Prepared:
    """A store the server can be started on, and a token per posting account (valid for real time)."""

    url: str
    tokens: dict[str, str]
    folder: Path


@dataclasses.dataclass
class Ledger:
    """What the clients know: batches acknowledged, and batches sent without an answer (in flight at the kill)."""

    acked: dict[int, int] = dataclasses.field(default_factory=dict)  # batch number -> events
    unanswered: dict[int, int] = dataclasses.field(default_factory=dict)
    refused: list[str] = dataclasses.field(default_factory=list)  # a 4xx/5xx answer: a bug in this test or the API
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)


def add_posters(store: repository.Store) -> dict[str, str]:
    """The posting accounts and a token each, issued now: the server runs on the real clock."""
    logins = access.Access(store.engine, hasher=serving.CHEAP_HASHER)
    now = dt.datetime.now(dt.UTC)
    for account in POSTERS:
        store.put_account(model.Account(account, birth_year=1995, region="KE"))
        logins.register(account, access.Role.ACCOUNT, None, now)
    return {account: logins.issue(account, now) for account in POSTERS}


@pytest.fixture(scope="module")
def sqlite_prepared(template: world_.Template, tmp_path_factory: pytest.TempPathFactory) -> Prepared:
    folder = tmp_path_factory.mktemp("crash-sqlite")
    database = folder / "crash.db"
    database.write_bytes((template.folder / "served.db").read_bytes())
    url = f"sqlite:///{database}"
    store = repository.Store.open(url)
    try:
        return Prepared(url, add_posters(store), folder)
    finally:
        store.close()


@pytest.fixture(scope="module")
def postgres_prepared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prepared]:
    """The tiny catalog and the two posting accounts on a throwaway PostgreSQL database."""
    folder = tmp_path_factory.mktemp("crash-postgres")
    for store in root_conftest._postgres_store():
        catalog = tiny.tiny_catalog()
        store.import_catalog(catalog.creators, catalog.videos)
        vectors.ensure_content_vectors(store)
        tokens = add_posters(store)
        yield Prepared(store.engine.url.render_as_string(hide_password=False), tokens, folder)


def start_server(
    prepared: Prepared, port: int, log: Path, *options: str, settings: Mapping[str, str] = {}
) -> subprocess.Popen[bytes]:
    """`safefeed serve` on the prepared store; `options` for the command line, `settings` for the environment."""
    environment = {
        **os.environ,
        "SAFEFEED_DATABASE_URL": prepared.url,
        "SAFEFEED_RATE_LIMIT": "1000000/second",
        "SAFEFEED_AUDIT_DIR": str(prepared.folder / "audits"),
        "OPENBLAS_NUM_THREADS": "1",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        **settings,
    }
    command = [sys.executable, "-m", "safefeed.cli", "serve", "--host", "127.0.0.1", "--port", str(port), *options]
    with log.open("ab") as out:
        return subprocess.Popen(command, env=environment, stdout=out, stderr=subprocess.STDOUT)


def wait_until_up(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"the server exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base}/v1/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"the server did not come up:\n{log.read_text()[-3000:]}")


class Numbers:
    """Batch numbers shared by the clients; they must fit `seconds` (at most 86,400)."""

    def __init__(self) -> None:
        self.last = 0
        self.lock = threading.Lock()

    def next(self) -> int:
        with self.lock:
            self.last += 1
            assert self.last < 86_000, "too many batches for the seconds marker"
            return self.last


def post_until_stopped(
    base: str, token: str, numbers: Numbers, ledger: Ledger, stop: threading.Event, rng: random.Random
) -> None:
    """One client: batches of 1-60 watch events, one after another, until the server dies or `stop`."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, timeout=30) as client:
        while not stop.is_set():
            number, size = numbers.next(), rng.randint(1, MAX_BATCH)
            batch = [
                {"kind": "watch", "video_id": f"food-{index % 20:02d}", "seconds": number + index / 1000}
                for index in range(size)
            ]
            with ledger.lock:
                ledger.unanswered[number] = size
            try:
                answer = client.post("/v1/events", json=batch, headers=headers)
            except httpx.HTTPError:
                return  # the server is gone: this batch stays unanswered
            with ledger.lock:
                del ledger.unanswered[number]
                if 200 <= answer.status_code < 300:
                    ledger.acked[number] = size
                else:
                    ledger.refused.append(f"{answer.status_code} {answer.text[:300]}")
                    return


def stored_batches(url: str) -> dict[int, list[float]]:
    """Batch number -> the `seconds` markers of its events in the store, read without the server."""
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.select(schema.events.c.seconds).where(
                    schema.events.c.account_id.in_(POSTERS),
                    schema.events.c.kind == "watch",
                    schema.events.c.seconds.is_not(None),
                )
            ).scalars()
            found: dict[int, list[float]] = collections.defaultdict(list)
            for seconds in rows:
                found[int(seconds)].append(seconds)
            return found
    finally:
        engine.dispose()


def crash_trials(prepared: Prepared, label: str, tmp_path: Path) -> dict[str, object]:
    rng = random.Random(f"{SEED}-{label}")
    log = tmp_path / "server.log"
    ledger = Ledger()
    numbers = Numbers()

    started = time.monotonic()
    startups: list[float] = []  # seconds from exec to a healthy server: the restart after each crash
    first_acks: list[float] = []
    for _trial in range(TRIALS):
        port = serving.free_port()
        base = f"http://127.0.0.1:{port}"
        launched = time.monotonic()
        server = start_server(prepared, port, log)
        try:
            wait_until_up(base, server, log)
            startups.append(time.monotonic() - launched)
            launched = time.monotonic()
            stop = threading.Event()
            acked_before = len(ledger.acked)
            clients = [
                threading.Thread(
                    target=post_until_stopped,
                    args=(
                        base,
                        prepared.tokens[POSTERS[number % 2]],
                        numbers,
                        ledger,
                        stop,
                        random.Random(rng.random()),
                    ),
                    daemon=True,
                )
                for number in range(CLIENTS)
            ]
            for client in clients:
                client.start()
            deadline = time.monotonic() + 60
            while len(ledger.acked) == acked_before and time.monotonic() < deadline and not ledger.refused:
                time.sleep(0.005)
            assert len(ledger.acked) > acked_before, f"no batch was acknowledged: {ledger.refused[:3]}"
            first_acks.append(time.monotonic() - launched)
            time.sleep(rng.uniform(*KILL_AFTER_S))
            os.kill(server.pid, signal.SIGKILL)
            server.wait(timeout=30)
            stop.set()
            for client in clients:
                client.join(timeout=60)
        finally:
            if server.poll() is None:
                server.kill()
                server.wait(timeout=30)
    elapsed = time.monotonic() - started
    assert ledger.refused == [], f"the server refused batches it should take: {ledger.refused[:3]}"
    stored = stored_batches(prepared.url)
    lost = {number: size for number, size in ledger.acked.items() if len(stored.get(number, ())) != size}
    torn = {
        number: (len(stored[number]), size)
        for number, size in ledger.unanswered.items()
        if number in stored and len(stored[number]) != size
    }
    duplicated = [number for number, markers in stored.items() if len(set(markers)) != len(markers)]
    # A row the ledger never sent would be an invention; in-flight batches that landed whole are fine.
    unknown = sorted(set(stored) - set(ledger.acked) - set(ledger.unanswered))
    figures: dict[str, object] = {
        "database": label,
        "trials": TRIALS,
        "batches_acknowledged": len(ledger.acked),
        "events_acknowledged": sum(ledger.acked.values()),
        "events_lost": sum(ledger.acked[number] - len(stored.get(number, ())) for number in lost),
        "batches_in_flight_at_kills": len(ledger.unanswered),
        "in_flight_batches_stored_whole": sum(1 for number in ledger.unanswered if number in stored) - len(torn),
        "batches_half_written": len(torn) + len({n for n in lost if stored.get(n)}),
        "seconds": round(elapsed, 1),
        "restart_s_median": round(statistics.median(startups), 2),
        "first_ack_s_median": round(statistics.median(first_acks), 2),
        "first_ack_s_max": round(max(first_acks), 2),
    }
    print(f"crash figures: {json.dumps(figures)}")
    out = config.REPO_ROOT / "test-artifacts" / "reliability"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"crash-{label}.json").write_text(json.dumps(figures, indent=1), encoding="utf-8")
    assert lost == {}, f"acknowledged batches missing or partial after SIGKILL: {dict(list(lost.items())[:5])}"
    assert torn == {}, f"batches half-written (stored, sent): {dict(list(torn.items())[:5])}"
    assert duplicated == [], f"events stored twice: {duplicated[:5]}"
    assert unknown == [], f"batches in the store that no client sent: {unknown[:5]}"
    assert "Bearer" not in log.read_text(errors="replace")
    for token in prepared.tokens.values():
        assert token not in log.read_text(errors="replace"), "a token reached the server's output"
    return figures


def test_no_acknowledged_event_is_lost_on_sqlite(sqlite_prepared: Prepared, tmp_path: Path) -> None:
    figures = crash_trials(sqlite_prepared, "sqlite", tmp_path)
    assert figures["events_acknowledged"] != 0


@pytest.mark.postgres
def test_no_acknowledged_event_is_lost_on_postgresql(postgres_prepared: Prepared, tmp_path: Path) -> None:
    figures = crash_trials(postgres_prepared, "postgresql", tmp_path)
    assert figures["events_acknowledged"] != 0


def test_the_store_still_serves_after_the_crashes(sqlite_prepared: Prepared, tmp_path: Path) -> None:
    """After a kill mid-ingestion the server starts on the same file and answers the feed and exports."""
    log = tmp_path / "server.log"
    port = serving.free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(sqlite_prepared, port, log)
    try:
        wait_until_up(base, server, log)
        headers = {"Authorization": f"Bearer {sqlite_prepared.tokens[POSTERS[0]]}"}
        body = [{"kind": "watch", "video_id": "food-01", "seconds": 86_100.0}]
        assert httpx.post(f"{base}/v1/events", json=body, headers=headers, timeout=30).status_code == 200
        os.kill(server.pid, signal.SIGKILL)
        server.wait(timeout=30)
        server = start_server(sqlite_prepared, port, log)
        wait_until_up(base, server, log)
        assert httpx.get(f"{base}/v1/feed", headers=headers, timeout=30).status_code == 200
        exported = httpx.get(f"{base}/v1/me/export", headers=headers, timeout=60).json()
        assert any(event.get("seconds") == 86_100.0 for event in exported["events"])
    finally:
        server.kill()
        server.wait(timeout=30)
