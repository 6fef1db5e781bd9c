"""The API over the tiny world, driven through FastAPI's test client (the real app, in process)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import testclient

from safefeed import access, services
from safefeed.api import app as api_app
from tests import serving


@pytest.fixture
def clock() -> serving.ManualClock:
    return serving.ManualClock()


@pytest.fixture
def safefeed(tmp_path: Path, clock: serving.ManualClock, world_template: Path) -> Iterator[services.SafeFeed]:
    store = serving.world_store(tmp_path, template=world_template)
    yield serving.make_service(store, clock, tmp_path)
    store.close()


@pytest.fixture
def client(tmp_path: Path, safefeed: services.SafeFeed) -> testclient.TestClient:
    return testclient.TestClient(api_app.create_app(serving.settings_for(tmp_path), safefeed=safefeed))


def sign_up(client: testclient.TestClient, account_id: str, **fields: object) -> dict[str, str]:
    """A new account's auth header; a 13-year-old in Kenya unless told otherwise."""
    body = {"id": account_id, "birth_year": 2012, "region": "KE", "timezone": "Africa/Nairobi", **fields}
    answer = client.post("/v1/accounts", json=body)
    assert answer.status_code == 201, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def login_as(safefeed: services.SafeFeed, principal_id: str, role: access.Role) -> dict[str, str]:
    """A guardian, admin or auditor login's auth header."""
    token = safefeed.accounts.register(principal_id, role, "correct horse battery")
    return {"Authorization": f"Bearer {token}"}


def wait_for_import(client: testclient.TestClient, location: str, headers: dict[str, str]) -> dict[str, Any]:
    """Poll the job as a client would, until it is no longer running."""
    deadline = time.monotonic() + 120
    while True:
        job: dict[str, Any] = client.get(location, headers=headers).json()
        if job["state"] != "running" or time.monotonic() > deadline:
            return job
        time.sleep(0.05)
