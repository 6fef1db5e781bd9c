"""Two API servers over one database: a person's requests alternate between them and nothing goes astray.

Each server is a whole application (its own engine, well-being service, logins
and connections) as two processes behind a load balancer would be; they share
only the database: a SQLite file, or a real PostgreSQL server (`.ci/run`).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import testclient

from safefeed import model, services
from safefeed.api import app as api_app
from safefeed.store import repository
from tests import serving

Servers = tuple[testclient.TestClient, testclient.TestClient]
Pair = tuple[services.SafeFeed, services.SafeFeed]


@pytest.fixture
def pair(store: repository.Store, tmp_path: Path, clock: serving.ManualClock) -> Iterator[Pair]:
    """Two services (as two server processes have) over one database."""
    url = store.engine.url.render_as_string(hide_password=False)
    serving.world_store(tmp_path, url).close()
    opened = [repository.Store.open(url), repository.Store.open(url)]
    yield serving.make_service(opened[0], clock, tmp_path), serving.make_service(opened[1], clock, tmp_path)
    for each in opened:
        each.close()


@pytest.fixture
def servers(pair: Pair, tmp_path: Path) -> Servers:
    """The two services, each as a whole application."""
    first, second = (
        testclient.TestClient(api_app.create_app(serving.settings_for(tmp_path), safefeed=each)) for each in pair
    )
    return first, second


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


def _as_served(safefeed: services.SafeFeed, video_id: str) -> model.Video:
    """The video as this server's engine has it in memory (what its feed decides on)."""
    items = safefeed.parts.engine.items
    return items.video(items.position[video_id])


def test_moderation_and_reviews_on_one_server_reach_the_other(pair: Pair) -> None:
    first, second = pair
    removed = [video_id for video_id in first.parts.engine.items.ids if video_id.startswith("pets")][:3]
    reviewed = first.parts.engine.items.ids[0]
    label = model.Label(True, model.Theme.SELF_HARM, model.Harm.VIOLATIVE, 1.0, model.LabelSource.REVIEW)
    for video_id in removed:
        first.admin.set_enforcement(video_id, model.Enforcement.NOT_ALLOWED)
    first.admin.review({reviewed: label})
    # Until it follows the log, the other server still has the old decisions in memory.
    assert {_as_served(second, video_id).enforcement for video_id in removed} == {model.Enforcement.ALLOWED}
    assert second.follow_catalog() == len(removed) + 1
    assert {_as_served(second, video_id).enforcement for video_id in removed} == {model.Enforcement.NOT_ALLOWED}
    assert _as_served(second, reviewed).label == label
    assert second.follow_catalog() == 0, "each change is applied once"
    # Its feed no longer recommends them, however far one scrolls.
    second.parts.store.put_account(
        model.Account("kito", birth_year=2012, region="KE", settings=model.AccountSettings(True))
    )
    served: set[str] = set()
    cursor = None
    for _ in range(6):
        page = second.feed.page("kito", n=20, cursor=cursor).page
        assert page is not None
        served |= {item.video.id for item in page.items}
        cursor = page.next_cursor
    assert served, "the feed served videos"
    assert not served & {*removed, reviewed}


def test_an_import_on_one_server_is_served_by_the_other(pair: Pair) -> None:
    first, second = pair
    body = "id,creator_id,caption,hashtags,duration_s\nnew-upload,newcomer,a brand new upload about cats,cats,20\n"
    first.admin.import_catalog(body.encode(), filename="upload.csv", format="csv", wait=True)
    assert "new-upload" in first.parts.engine.items.position
    assert "new-upload" not in second.parts.engine.items.position
    assert second.follow_catalog() == 1
    assert _as_served(second, "new-upload").caption == "a brand new upload about cats"
    assert first.follow_catalog() == 0, "the importing server already serves what it imported"


def test_a_running_server_follows_changes_made_elsewhere(
    pair: Pair, tmp_path: Path, clock: serving.ManualClock
) -> None:
    first, second = pair
    settings = serving.settings_for(tmp_path, catalog_poll_seconds=0.05)
    video_id = second.parts.engine.items.ids[5]
    with testclient.TestClient(api_app.create_app(settings, safefeed=second)):  # runs the app's lifespan
        first.admin.set_enforcement(video_id, model.Enforcement.FYF_INELIGIBLE)
        deadline = time.monotonic() + 20
        while _as_served(second, video_id).enforcement is model.Enforcement.ALLOWED and time.monotonic() < deadline:
            time.sleep(0.05)
    assert _as_served(second, video_id).enforcement is model.Enforcement.FYF_INELIGIBLE
