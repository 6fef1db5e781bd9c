"""Two API servers over one database: a person's requests alternate between them and nothing goes astray.

Each server is a whole application (its own engine, well-being service, logins
and connections) as two processes behind a load balancer would be; they share
only the database: a SQLite file, or a real PostgreSQL server (`.ci/run`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import testclient

from safefeed.api import app as api_app
from safefeed.store import repository
from tests import serving

Servers = tuple[testclient.TestClient, testclient.TestClient]


@pytest.fixture
def servers(store: repository.Store, tmp_path: Path, clock: serving.ManualClock) -> Iterator[Servers]:
    url = store.engine.url.render_as_string(hide_password=False)
    serving.world_store(tmp_path, url).close()
    opened = [repository.Store.open(url), repository.Store.open(url)]
    clients = tuple(
        testclient.TestClient(
            api_app.create_app(serving.settings_for(tmp_path), safefeed=serving.make_service(each, clock, tmp_path))
        )
        for each in opened
    )
    yield clients[0], clients[1]
    for each in opened:
        each.close()


def test_alternating_servers_keep_one_feed_one_seen_set_and_one_clock(
    servers: Servers, clock: serving.ManualClock
) -> None:
    first, second = servers
    token = first.post("/v1/accounts", json={"id": "amani", "birth_year": 2012, "region": "KE"}).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    first.post("/v1/me/not-interested", json={"topic": "gaming"}, headers=headers)
    served: list[str] = []
    cursor = None
    for number in range(8):
        server = servers[number % 2]
        clock.advance(dt.timedelta(minutes=2))
        params = {"n": "8"} | ({"cursor": cursor} if cursor else {})
        page = server.get("/v1/feed", params=params, headers=headers).json()
        served += [item["video"]["id"] for item in page["items"]]
        assert all(item["video"]["topic"] != "gaming" for item in page["items"]), "the other server's press holds"
        cursor = page["next_cursor"]
    assert len(served) == len(set(served)) == 64, "no video comes back from the other server"
    # Screen time is one clock in the database: 8 pages two minutes apart, whichever server served them.
    minutes = [s.get("/v1/wellbeing/screen-time", headers=headers).json()["today_minutes"] for s in servers]
    assert minutes[0] == minutes[1]
    assert 14 <= minutes[0] <= 16
    # A token revoked on one server is refused by the other.
    assert second.post("/v1/auth/logout", headers=headers).status_code == 204
    assert first.get("/v1/feed", headers=headers).status_code == 401
