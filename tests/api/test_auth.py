"""Logins and tokens: sign-up, password login, lock-out, expiry, revocation, and no token in the logs."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from fastapi import testclient

from safefeed import access, services
from tests import serving
from tests.api.conftest import sign_up


def test_sign_up_answers_a_token_that_opens_the_feed(client: testclient.TestClient) -> None:
    headers = sign_up(client, "amani")
    assert client.get("/v1/feed", headers=headers).status_code == 200
    assert client.get("/v1/feed").status_code == 401


def test_password_login_follows_the_oauth2_form(client: testclient.TestClient) -> None:
    sign_up(client, "amani", password="correct horse battery")
    wrong = client.post("/v1/auth/token", data={"username": "amani", "password": "wrong password!"})
    assert wrong.status_code == 401
    right = client.post("/v1/auth/token", data={"username": "amani", "password": "correct horse battery"})
    assert right.status_code == 200
    assert right.json()["token_type"] == "bearer"
    headers = {"Authorization": f"Bearer {right.json()['access_token']}"}
    assert client.get("/v1/me/settings", headers=headers).status_code == 200


def test_repeated_wrong_passwords_lock_the_login_even_for_the_right_one(
    client: testclient.TestClient, clock: serving.ManualClock
) -> None:
    sign_up(client, "amani", password="correct horse battery")
    for _ in range(5):
        assert client.post("/v1/auth/token", data={"username": "amani", "password": "guess1234"}).status_code == 401
    locked = client.post("/v1/auth/token", data={"username": "amani", "password": "correct horse battery"})
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0
    clock.advance(dt.timedelta(minutes=16))
    again = client.post("/v1/auth/token", data={"username": "amani", "password": "correct horse battery"})
    assert again.status_code == 200


def test_a_token_expires_and_can_be_revoked(client: testclient.TestClient, clock: serving.ManualClock) -> None:
    headers = sign_up(client, "amani")
    assert client.post("/v1/auth/logout", headers=headers).status_code == 204
    assert client.get("/v1/feed", headers=headers).status_code == 401
    fresh = sign_up(client, "baraka")
    clock.advance(dt.timedelta(days=31))
    expired = client.get("/v1/feed", headers=fresh)
    assert expired.status_code == 401
    assert "expired" in expired.json()["detail"]


def test_tokens_are_stored_only_as_digests(client: testclient.TestClient, safefeed: services.SafeFeed) -> None:
    token = sign_up(client, "amani")["Authorization"].removeprefix("Bearer ")
    with safefeed.parts.store.engine.connect() as connection:
        dumped = "\n".join(str(row) for row in connection.exec_driver_sql("SELECT * FROM tokens"))
    assert token not in dumped
    assert access.digest(token) in dumped


def test_no_token_or_password_reaches_the_logs(client: testclient.TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    headers = sign_up(client, "amani", password="correct horse battery")
    client.get("/v1/feed", headers=headers)
    client.post("/v1/auth/token", data={"username": "amani", "password": "correct horse battery"})
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert headers["Authorization"].removeprefix("Bearer ") not in logged
    assert "correct horse battery" not in logged


def test_an_id_can_be_registered_once(client: testclient.TestClient) -> None:
    sign_up(client, "amani")
    again = client.post("/v1/accounts", json={"id": "amani", "birth_year": 2012})
    assert again.status_code == 409
    assert "already registered" in again.json()["detail"]
