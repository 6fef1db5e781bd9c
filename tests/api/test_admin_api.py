"""The catalog and moderation over HTTP: only admins, all-or-nothing imports, enforcement on the next page."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi import testclient

from safefeed import access, services
from safefeed.api import app as api_app
from safefeed.content import backfill
from safefeed.store import schema
from tests import serving
from tests.api.conftest import login_as, sign_up, wait_for_import

HEADER = "id,creator_id,caption,hashtags,duration_s,created_at\n"


def test_an_admin_imports_a_catalog_as_a_job_and_it_is_served(
    client: testclient.TestClient, safefeed: services.SafeFeed
) -> None:
    admin = login_as(safefeed, "root", access.Role.ADMIN)
    body = HEADER + "new-1,newcomer,learning to juggle three balls,juggling circus,20,2026-11-01T00:00:00Z\n"
    answer = client.post("/v1/admin/catalog", params={"filename": "more.csv"}, content=body.encode(), headers=admin)
    assert answer.status_code == 202, answer.text
    started = answer.json()
    assert started["kind"] == "import" and started["videos"] == 1 and started["filename"] == "more.csv"
    location = answer.headers["Location"]
    assert location.endswith(f"/v1/admin/catalog/imports/{started['id']}")
    job = wait_for_import(client, location, admin)
    assert job["state"] == "done", job
    assert (job["done"], job["total"], job["videos"], job["creators"], job["error"]) == (1, 1, 1, 1, None)
    assert "new-1" in safefeed.parts.engine.items.position  # served by the time the job says done
    assert [run["id"] for run in client.get("/v1/admin/catalog/imports", headers=admin).json()] == [started["id"]]


def test_an_import_job_that_fails_says_why_and_the_catalog_is_unchanged(
    client: testclient.TestClient, safefeed: services.SafeFeed, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = login_as(safefeed, "root", access.Role.ADMIN)
    before = safefeed.parts.store.count_videos()

    def broken_store(*_: object, **__: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(safefeed.parts.store, "import_catalog", broken_store)
    body = HEADER + "new-2,newcomer,a kite festival on the beach,kites,20,2026-11-01T00:00:00Z\n"
    answer = client.post("/v1/admin/catalog", params={"filename": "more.csv"}, content=body.encode(), headers=admin)
    assert answer.status_code == 202
    job = wait_for_import(client, answer.headers["Location"], admin)
    assert job["state"] == "failed" and "disk full" in job["error"] and job["phase"] == "storing"
    assert safefeed.parts.store.count_videos() == before


def test_an_unknown_import_job_is_a_404(client: testclient.TestClient, safefeed: services.SafeFeed) -> None:
    admin = login_as(safefeed, "root", access.Role.ADMIN)
    answer = client.get("/v1/admin/catalog/imports/0123456789abcdef", headers=admin)
    assert answer.status_code == 404 and "no import job" in answer.json()["detail"]


def test_a_bad_catalog_file_names_the_row_and_writes_nothing(
    client: testclient.TestClient, safefeed: services.SafeFeed
) -> None:
    admin = login_as(safefeed, "root", access.Role.ADMIN)
    before = safefeed.parts.store.count_videos()
    body = HEADER + "ok-1,c,fine,tag,20,2026-11-01T00:00:00Z\nbad-1,c,broken,tag,not-a-number,2026-11-01T00:00:00Z\n"
    answer = client.post("/v1/admin/catalog", params={"filename": "bad.csv"}, content=body.encode(), headers=admin)
    assert answer.status_code == 422
    assert answer.json()["detail"].startswith("bad.csv: 1 error, nothing was imported:\nbad.csv:3: column 'duration_s'")
    assert safefeed.parts.store.count_videos() == before
    assert client.get("/v1/admin/catalog/imports", headers=admin).json() == []  # refused before any job began


def test_a_removed_video_leaves_every_feed_at_once(client: testclient.TestClient, safefeed: services.SafeFeed) -> None:
    admin = login_as(safefeed, "root", access.Role.ADMIN)
    teen = sign_up(client, "amani", interests=["pets"])
    first = client.get("/v1/feed", params={"n": "5"}, headers=teen).json()
    client.post("/v1/me/refresh", headers=teen)  # the next pages may show anything again
    removed = first["items"][0]["video"]["id"]
    answer = client.put(f"/v1/admin/videos/{removed}/enforcement", json={"enforcement": "not_allowed"}, headers=admin)
    assert answer.status_code == 200
    shown: list[str] = []
    cursor = None
    for _ in range(6):
        params = {"n": "20"} | ({"cursor": cursor} if cursor else {})
        page = client.get("/v1/feed", params=params, headers=teen).json()
        shown += [item["video"]["id"] for item in page["items"]]
        cursor = page["next_cursor"]
    assert removed not in shown


def test_only_admins_reach_admin_routes(client: testclient.TestClient, safefeed: services.SafeFeed) -> None:
    teen = sign_up(client, "amani")
    auditor = login_as(safefeed, "eve", access.Role.AUDITOR)
    for headers in (teen, auditor):
        assert client.get("/v1/admin/review", headers=headers).status_code == 403
    assert client.get("/v1/admin/review").status_code == 401


def test_an_admin_follows_the_catalog_as_it_is_embedded(tmp_path: Path, world_template: Path) -> None:
    # The tiny world with vectors for its first 20 videos only: the server starts on those 20.
    store = serving.world_store(tmp_path, template=world_template)
    with store.engine.begin() as connection:
        later = sa.select(schema.video_vectors.c.video_id).order_by(schema.video_vectors.c.video_id).offset(20)
        connection.execute(sa.delete(schema.video_vectors).where(schema.video_vectors.c.video_id.in_(later)))
    safefeed = serving.make_service(store, serving.ManualClock(), tmp_path)
    client = testclient.TestClient(api_app.create_app(serving.settings_for(tmp_path), safefeed=safefeed))
    admin = login_as(safefeed, "root", access.Role.ADMIN)
    teen = sign_up(client, "amani")

    progress = client.get("/v1/admin/catalog/progress", headers=admin)
    assert progress.status_code == 200, progress.text
    assert progress.json() == {"videos": 120, "embedded": 20, "recommendable": 20, "complete": False}
    page = client.get("/v1/feed", params={"n": "5"}, headers=teen).json()
    assert len(page["items"]) == 5  # the first page is served from what is embedded so far

    backfill.run(store)
    assert client.get("/v1/admin/catalog/progress", headers=admin).json()["recommendable"] == 20
    safefeed.follow_catalog()  # what the server's follower thread does every few seconds
    assert client.get("/v1/admin/catalog/progress", headers=admin).json() == {
        "videos": 120,
        "embedded": 120,
        "recommendable": 120,
        "complete": True,
    }
    assert client.get("/v1/admin/catalog/progress", headers=teen).status_code == 403
    store.close()
