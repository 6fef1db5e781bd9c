"""`safefeed serve --workers 2`: two server processes on one port over one database.

Each process loads the catalog into memory; a moderation decision made through
whichever process takes the request must reach the other one's feed within
its catalog poll, or a removed video would go on being recommended there.
"""

from __future__ import annotations

import datetime as dt
import signal
import time
from pathlib import Path

import httpx

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
    """The worker processes uvicorn spawned under `pid` (not multiprocessing's resource tracker)."""
    spawned = [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return [child for child in spawned if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes()]


def test_two_workers_serve_one_feed_and_follow_each_others_moderation(
    template: world_.Template, tmp_path: Path
) -> None:
    database = tmp_path / "workers.db"
    database.write_bytes((template.folder / "served.db").read_bytes())
    store = repository.Store.open(f"sqlite:///{database}")
    try:
        tokens = tokens_now(store)
        removed = [video.id for video in store.iter_videos() if video.topic == "pets"]
    finally:
        store.close()
    port = serving.free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    prepared = test_crash.Prepared(f"sqlite:///{database}", tokens, tmp_path)
    poll = {"SAFEFEED_CATALOG_POLL_SECONDS": str(POLL_S)}
    server = test_crash.start_server(prepared, port, log, "--workers", "2", settings=poll)
    try:
        test_crash.wait_until_up(base, server, log)
        assert len(server_processes(server.pid)) == 2, "one supervisor, two server processes"
        admin = {"Authorization": f"Bearer {tokens['admin-w']}"}
        viewer = {"Authorization": f"Bearer {tokens['kito-w']}"}
        # A new connection per request: the kernel hands them to either process.
        with httpx.Client(base_url=base, timeout=30, limits=httpx.Limits(max_keepalive_connections=0)) as client:
            for video_id in removed:
                answer = client.put(
                    f"/v1/admin/videos/{video_id}/enforcement", json={"enforcement": "not_allowed"}, headers=admin
                )
                assert answer.status_code == 200, answer.text
            time.sleep(10 * POLL_S)
            served: list[str] = []
            cursor = None
            for _ in range(6):
                page = client.get("/v1/feed", params={"n": 20} | ({"cursor": cursor} if cursor else {}), headers=viewer)
                assert page.status_code == 200, page.text
                served += [item["video"]["id"] for item in page.json()["items"]]
                cursor = page.json()["next_cursor"]
        assert len(served) == len(set(served)) >= 60, "one seen set across both processes"
        assert not set(served) & set(removed), "a removed video was recommended by the process that did not remove it"
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)
