"""`safefeed serve --workers 2`: two server processes on one port over one database.

Each process loads the catalog into memory; a moderation decision made through
whichever process takes the request must reach the other one's feed within
its catalog poll, or a removed video would go on being recommended there.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from safefeed import access, model
from safefeed.store import repository
from tests import serving
from tests.reliability import conftest as world_
from tests.reliability import test_crash

POLL_S = 0.2


def tokens_now(store: repository.Store) -> dict[str, str]:
    """An admin and an adult (no wind-down at any hour), with tokens for the real clock (the server runs on it)."""
    logins = access.Access(store.engine, hasher=serving.CHEAP_HASHER)
    now = dt.datetime.now(dt.UTC)
    store.put_account(model.Account("kito-w", birth_year=1995, region="KE"))
    logins.register("kito-w", access.Role.ACCOUNT, None, now)
    logins.register("admin-w", access.Role.ADMIN, world_.PASSWORD, now)
    return {principal: logins.issue(principal, now) for principal in ("kito-w", "admin-w")}


def server_processes(pid: int) -> list[int]:
    """The server processes the supervisor spawned under `pid` (not multiprocessing's resource tracker)."""
    found = []
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        with contextlib.suppress(FileNotFoundError):  # reaped since the list was read
            if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                found.append(int(child))
    return found


def wait_until_listening(server: subprocess.Popen[bytes], log: Path, count: int) -> None:
    """Until the supervisor says all `count` processes listen: before that the kernel hands every connection
    to the ones that do, and the test would not cross processes."""
    deadline = time.monotonic() + 180
    while f"{count} processes" not in log.read_text():
        assert server.poll() is None, f"the server exited with {server.returncode}:\n{log.read_text()[-3000:]}"
        assert time.monotonic() < deadline, f"not all processes listen:\n{log.read_text()[-3000:]}"
        time.sleep(0.1)


@dataclasses.dataclass(frozen=True)
class Running:
    base: str
    supervisor: subprocess.Popen[bytes]
    tokens: dict[str, str]
    removed: list[str]  # the "pets" videos, for a test to remove
    log: Path
    store_url: str


@pytest.fixture
def running(template: world_.Template, tmp_path: Path) -> Iterator[Running]:
    """`safefeed serve --workers 2` on a copy of the served world, every process listening."""
    database = tmp_path / "workers.db"
    database.write_bytes((template.folder / "served.db").read_bytes())
    store = repository.Store.open(f"sqlite:///{database}")
    try:
        tokens = tokens_now(store)
        removed = [video.id for video in store.iter_videos() if video.topic == "pets"]
    finally:
        store.close()
    port = serving.free_port()
    log = tmp_path / "server.log"
    prepared = test_crash.Prepared(f"sqlite:///{database}", tokens, tmp_path)
    poll = {"SAFEFEED_CATALOG_POLL_SECONDS": str(POLL_S)}
    server = test_crash.start_server(prepared, port, log, "--workers", "2", settings=poll)
    try:
        wait_until_listening(server, log, 2)
        yield Running(f"http://127.0.0.1:{port}", server, tokens, removed, log, prepared.url)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)


def scroll(client: httpx.Client, headers: dict[str, str], pages: int) -> list[str]:
    served: list[str] = []
    cursor = None
    for _ in range(pages):
        page = client.get("/v1/feed", params={"n": 20} | ({"cursor": cursor} if cursor else {}), headers=headers)
        assert page.status_code == 200, page.text
        served += [item["video"]["id"] for item in page.json()["items"]]
        cursor = page.json()["next_cursor"]
    return served


def new_connections(base: str) -> httpx.Client:
    """A new connection per request: the kernel hands them to either process."""
    return httpx.Client(base_url=base, timeout=30, limits=httpx.Limits(max_keepalive_connections=0))


def wait_until_every_process_serves(client: httpx.Client, url: str) -> None:
    """Until 20 health answers in a row (new connections, so either process answers: 2**-19 that one answered
    them all) serve the newest catalog change, instead of sleeping for a few catalog polls."""
    store = repository.Store.open(url)
    newest = store.last_catalog_change()
    store.close()
    deadline, in_a_row = time.monotonic() + 60, 0
    while in_a_row < 20:
        assert time.monotonic() < deadline, "a process did not follow the catalog changes within 60 s"
        in_a_row = in_a_row + 1 if client.get("/v1/health").json()["catalog"] >= newest else 0


def test_two_workers_serve_one_feed_and_follow_each_others_moderation(running: Running) -> None:
    assert len(server_processes(running.supervisor.pid)) == 2, "one supervisor, two server processes"
    admin = {"Authorization": f"Bearer {running.tokens['admin-w']}"}
    viewer = {"Authorization": f"Bearer {running.tokens['kito-w']}"}
    with new_connections(running.base) as client:
        for video_id in running.removed:
            answer = client.put(
                f"/v1/admin/videos/{video_id}/enforcement", json={"enforcement": "not_allowed"}, headers=admin
            )
            assert answer.status_code == 200, answer.text
        wait_until_every_process_serves(client, running.store_url)
        served = scroll(client, viewer, 6)
    assert len(served) == len(set(served)) >= 60, "one seen set across both processes"
    assert not set(served) & set(running.removed), "a process that did not remove a video recommended it"


def test_a_server_process_that_dies_is_replaced(running: Running) -> None:
    first = server_processes(running.supervisor.pid)
    os.kill(first[0], signal.SIGKILL)
    deadline = time.monotonic() + 180
    while len(now := server_processes(running.supervisor.pid)) < 2 or first[0] in now:
        assert running.supervisor.poll() is None, running.log.read_text()[-3000:]
        assert time.monotonic() < deadline, f"no replacement started:\n{running.log.read_text()[-3000:]}"
        time.sleep(0.1)
    assert first[1] in now, "the other process went on serving"
    viewer = {"Authorization": f"Bearer {running.tokens['kito-w']}"}
    with new_connections(running.base) as client:
        assert len(scroll(client, viewer, 3)) >= 30, "the feed is served while, and after, the replacement loads"


def test_a_taken_port_ends_the_supervisor_with_a_clear_error(template: world_.Template, tmp_path: Path) -> None:
    database = tmp_path / "taken.db"
    database.write_bytes((template.folder / "served.db").read_bytes())
    log = tmp_path / "server.log"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        prepared = test_crash.Prepared(f"sqlite:///{database}", {}, tmp_path)
        server = test_crash.start_server(prepared, port, log, "--workers", "2")
        assert server.wait(timeout=180) == 1, log.read_text()[-3000:]
    said = log.read_text()
    assert "cannot listen on 127.0.0.1" in said and "Address already in use" in said, said[-3000:]
    assert "Traceback" not in said, said[-3000:]
