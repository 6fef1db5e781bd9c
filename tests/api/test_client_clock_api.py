"""`?now=` on the routes an audit drives: honoured on a server started for audits (client_clock), ignored elsewhere.

The service's own clock stands still at `serving.START` (Monday 2026-11-23 12:00 UTC, 15:00 in Nairobi); the
times passed as `now` are days away from it, so each answer shows which clock the route read.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import hypothesis
import pytest
from fastapi import testclient
from hypothesis import strategies

from safefeed import services
from safefeed.api import app as api_app
from tests import serving
from tests.api.conftest import sign_up

START = serving.START


def at(moment: dt.datetime) -> dict[str, str]:
    return {"now": moment.isoformat()}


@pytest.fixture
def audit_client(tmp_path: Path, safefeed: services.SafeFeed) -> testclient.TestClient:
    """The API as `safefeed audit conformance` serves it: the client's clock is honoured."""
    return testclient.TestClient(
        api_app.create_app(serving.settings_for(tmp_path, client_clock=True), safefeed=safefeed)
    )


def scroll_minutes(
    client: testclient.TestClient, teen: dict[str, str], first: dt.datetime, minutes: int
) -> dict[str, Any]:
    """A page a minute on the simulated clock from `first`, answering "keep going"; the last answer."""
    page: dict[str, Any] = {}
    for minute in range(1, minutes + 1):
        now = first + dt.timedelta(minutes=minute)
        page = client.get("/v1/feed", params={"n": "3", **at(now)}, headers=teen).json()
        prompt = page["prompt"]
        if prompt and prompt["kind"] == "session":
            assert (
                client.post("/v1/wellbeing/prompts/session/acknowledge", params=at(now), headers=teen).status_code
                == 204
            )
        elif prompt and prompt["blocking"]:
            return page
    return page


def test_the_limit_and_the_passcode_run_on_the_simulated_clock(audit_client: testclient.TestClient) -> None:
    # Two days after the server's own time: had /v1/wellbeing read the server's clock, the extension would
    # have run out two days before the page that asks for it.
    day = START + dt.timedelta(days=2)
    teen = sign_up(audit_client, "amani")
    assert (
        audit_client.put("/v1/wellbeing/passcode", json={"passcode": "2468"}, params=at(day), headers=teen).status_code
        == 204
    )
    assert (
        audit_client.put("/v1/wellbeing/limit", json={"minutes": 20}, params=at(day), headers=teen).status_code == 204
    )
    stopped = scroll_minutes(audit_client, teen, day, 40)
    assert stopped["prompt"]["kind"] == "daily_limit", stopped["prompt"]
    when = dt.datetime.fromisoformat(stopped["now"])
    assert day + dt.timedelta(minutes=20) <= when <= day + dt.timedelta(minutes=25)
    granted = audit_client.post("/v1/wellbeing/unlock", json={"passcode": "2468"}, params=at(when), headers=teen)
    assert granted.status_code == 200, granted.text
    after = audit_client.get("/v1/feed", params={"n": "3", **at(when + dt.timedelta(minutes=1))}, headers=teen).json()
    assert after["prompt"] is None or after["prompt"]["kind"] != "daily_limit", after["prompt"]
    dashboard = audit_client.get("/v1/wellbeing/screen-time", params=at(when), headers=teen).json()
    assert 19 <= dashboard["today_minutes"] <= 26


@pytest.mark.parametrize("honoured", [True, False], ids=["audit-server", "ordinary-server"])
def test_screen_time_is_read_at_now_only_on_an_audit_server(
    honoured: bool, client: testclient.TestClient, audit_client: testclient.TestClient, clock: serving.ManualClock
) -> None:
    api = audit_client if honoured else client
    teen = sign_up(api, "amani")
    for _ in range(10):  # ten minutes of scrolling on the server's own clock
        clock.advance(dt.timedelta(minutes=1))
        api.get("/v1/feed", params={"n": "3"}, headers=teen)
    today = api.get("/v1/wellbeing/screen-time", headers=teen).json()["today_minutes"]
    assert today >= 8
    three_days_on = api.get("/v1/wellbeing/screen-time", params=at(clock.now + dt.timedelta(days=3)), headers=teen)
    assert three_days_on.json()["today_minutes"] == (0 if honoured else today)


@pytest.mark.parametrize("honoured", [True, False], ids=["audit-server", "ordinary-server"])
def test_the_inbox_is_read_at_now_and_quiet_hours_hold_it_only_on_an_audit_server(
    honoured: bool, client: testclient.TestClient, audit_client: testclient.TestClient
) -> None:
    # The account is made Monday 23 November; the weekly recap of that week is due from Monday 30 November.
    # Quiet hours for a 13-year-old run 22:00-07:00 in Nairobi (UTC+3).
    api = audit_client if honoured else client
    teen = sign_up(api, "amani")
    night = dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC) - dt.timedelta(hours=3)  # 23:30 local, Monday
    morning = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC) - dt.timedelta(hours=3)  # 08:00 local, Tuesday
    assert api.get("/v1/wellbeing/notifications", params=at(night), headers=teen).json() == []
    inbox = api.get("/v1/wellbeing/notifications", params=at(morning), headers=teen).json()
    if not honoured:
        assert inbox == []  # on the server's clock it is still the account's first week
        return
    assert [(n["kind"], dt.datetime.fromisoformat(n["delivered_at"])) for n in inbox] == [("weekly_recap", morning)]
    assert dt.datetime.fromisoformat(inbox[0]["created_at"]) == night  # queued at night, held until morning


@pytest.mark.parametrize("honoured", [True, False], ids=["audit-server", "ordinary-server"])
def test_refresh_checks_now_only_on_an_audit_server(
    honoured: bool, client: testclient.TestClient, audit_client: testclient.TestClient
) -> None:
    api = audit_client if honoured else client
    teen = sign_up(api, "amani")
    naive = api.post("/v1/me/refresh", params={"now": "2026-12-01T08:00:00"}, headers=teen)
    if honoured:
        assert naive.status_code == 422
        assert "now" in naive.json()["detail"] and "time zone" in naive.json()["detail"]
    else:
        assert naive.status_code == 204  # the parameter is not read at all
    assert api.post("/v1/me/refresh", params=at(START + dt.timedelta(days=1)), headers=teen).status_code == 204


def test_an_account_joins_at_now_but_its_token_keeps_the_servers_clock(audit_client: testclient.TestClient) -> None:
    # A persona that joined ten months before the server's time: its token (issued on the server's clock)
    # still works, and the account is dated when the persona joined.
    joined = START - dt.timedelta(days=300)
    body = {"id": "amani", "birth_year": 2012, "region": "KE", "timezone": "Africa/Nairobi"}
    answer = audit_client.post("/v1/accounts", json=body, params=at(joined))
    assert answer.status_code == 201, answer.text
    teen = {"Authorization": f"Bearer {answer.json()['access_token']}"}
    exported = audit_client.get("/v1/me/export", headers=teen)
    assert exported.status_code == 200, exported.text
    assert dt.datetime.fromtimestamp(exported.json()["account"]["created_at"], dt.UTC) == joined  # stored as epoch s


AUDITED = (
    ("GET", "/v1/feed", None),
    ("GET", "/v1/search?q=dog", None),
    ("GET", "/v1/wellbeing/notifications", None),
    ("GET", "/v1/wellbeing/screen-time", None),
    ("GET", "/v1/wellbeing/features", None),
    ("PUT", "/v1/wellbeing/limit", {"minutes": 20}),
    ("PUT", "/v1/wellbeing/passcode", {"passcode": "2468"}),
    ("POST", "/v1/wellbeing/unlock", {"passcode": "2468"}),
    ("POST", "/v1/wellbeing/prompts/session/acknowledge", None),
    ("POST", "/v1/me/refresh", None),
)


def test_any_now_gets_an_answer_or_a_reason_never_a_crash(audit_client: testclient.TestClient) -> None:
    """Year 1 or 9999 overflowed the calendar arithmetic (500); now they are refused with a reason."""
    client = testclient.TestClient(audit_client.app, raise_server_exceptions=False)
    teen = sign_up(client, "amani")
    zones = strategies.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=14)), dt.timezone(-dt.timedelta(hours=12))])

    @hypothesis.settings(max_examples=40, deadline=None, database=None, derandomize=True)
    @hypothesis.given(moment=strategies.datetimes(timezones=zones), call=strategies.sampled_from(AUDITED))
    @hypothesis.example(moment=dt.datetime.min.replace(tzinfo=dt.UTC), call=AUDITED[0])
    @hypothesis.example(moment=dt.datetime.max.replace(tzinfo=dt.UTC), call=AUDITED[2])
    def ask(moment: dt.datetime, call: tuple[str, str, Any]) -> None:
        method, path, body = call
        answer = client.request(method, path, params=at(moment), json=body, headers=teen)
        assert answer.status_code < 500, f"{method} {path} at {moment.isoformat()}: {answer.status_code}"
        if answer.status_code >= 400:
            assert answer.json()["detail"].strip()

    ask()
