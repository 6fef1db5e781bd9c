"""Time well spent over HTTP: the daily limit, session prompts, passcodes and Family Pairing, on a driven clock."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import testclient

from tests import serving
from tests.api.conftest import sign_up

GUARDIAN_PASSWORD = "correct horse battery"


def scroll(
    client: testclient.TestClient, headers: dict[str, str], clock: serving.ManualClock, minutes: int
) -> dict[str, Any]:
    """Scroll a page every minute for `minutes`, answering "keep going"; returns the last answer.

    The tiny catalog runs out after 40 pages of three: from then on pages are empty but still count as time.
    """
    page: dict[str, Any] = {}
    for _ in range(minutes):
        clock.advance(dt.timedelta(minutes=1))
        page = client.get("/v1/feed", params={"n": "3"}, headers=headers).json()
        prompt = page["prompt"]
        if prompt and prompt["kind"] == "session":
            assert page["items"] == []
            client.post("/v1/wellbeing/prompts/session/acknowledge", headers=headers)
        elif prompt and prompt["blocking"]:
            return page
    return page


def test_a_teen_meets_the_default_limit_and_a_passcode_extends_it(
    client: testclient.TestClient, clock: serving.ManualClock
) -> None:
    teen = sign_up(client, "amani")
    features = client.get("/v1/wellbeing/features", headers=teen).json()
    assert features["daily_limit"]["minutes"] == 60
    page = scroll(client, teen, clock, 70)
    assert page["prompt"]["kind"] == "daily_limit"
    assert page["items"] == []
    assert "set_passcode" in page["prompt"]["actions"]
    searched = client.get("/v1/search", params={"q": "puppy"}, headers=teen).json()
    assert searched["videos"] == [], "search does not get round the limit"
    assert searched["prompt"]["kind"] == "daily_limit"
    assert client.put("/v1/wellbeing/passcode", json={"passcode": "2468"}, headers=teen).status_code == 204
    wrong = client.post("/v1/wellbeing/unlock", json={"passcode": "1111"}, headers=teen)
    assert wrong.status_code == 403
    granted = client.post("/v1/wellbeing/unlock", json={"passcode": "2468"}, headers=teen).json()
    assert granted["extension_minutes"] == 15
    after = client.get("/v1/feed", params={"n": "3"}, headers=teen).json()
    assert after["prompt"] is None or after["prompt"]["kind"] != "daily_limit", after["prompt"]
    dashboard = client.get("/v1/wellbeing/screen-time", headers=teen).json()
    assert 55 <= dashboard["today_minutes"] <= 75


def test_guessing_the_passcode_is_paused(client: testclient.TestClient, clock: serving.ManualClock) -> None:
    teen = sign_up(client, "amani")
    client.put("/v1/wellbeing/passcode", json={"passcode": "2468"}, headers=teen)
    scroll(client, teen, clock, 70)
    statuses = [
        client.post("/v1/wellbeing/unlock", json={"passcode": f"{guess:04d}"}, headers=teen).status_code
        for guess in range(10)
    ]
    assert statuses[-1] == 429
    paused = client.post("/v1/wellbeing/unlock", json={"passcode": "2468"}, headers=teen)
    assert paused.status_code == 429, "even the right passcode waits out the pause"
    assert int(paused.headers["Retry-After"]) > 0


def test_family_pairing_from_code_to_approved_time(client: testclient.TestClient, clock: serving.ManualClock) -> None:
    teen = sign_up(client, "amani")
    answer = client.post("/v1/guardians", json={"id": "mama-amani", "password": GUARDIAN_PASSWORD})
    guardian = {"Authorization": f"Bearer {answer.json()['access_token']}"}
    code = client.post("/v1/family/codes", headers=guardian).json()["code"]
    assert client.post("/v1/family/pair", json={"code": code}, headers=teen).status_code == 200
    assert client.get("/v1/family/teens", headers=guardian).json() == ["amani"]

    assert client.put("/v1/family/teens/amani/limit", json={"minutes": 20}, headers=guardian).status_code == 204
    seen_by_teen = client.get("/v1/family/controls", headers=teen).json()
    assert seen_by_teen["daily_limit_minutes"] == 20
    assert seen_by_teen["limit_set_by"] == "mama-amani"
    assert client.put("/v1/wellbeing/limit", json={"minutes": None}, headers=teen).status_code == 403

    page = scroll(client, teen, clock, 30)
    assert page["prompt"]["kind"] == "daily_limit"
    assert "family" in page["prompt"]["message"]
    asked = client.post("/v1/family/requests", json={"minutes": 10}, headers=teen).json()
    decided = client.post(f"/v1/family/requests/{asked['id']}/decision", json={"approve": True}, headers=guardian)
    assert decided.json()["status"] == "approved"
    after = client.get("/v1/feed", params={"n": "3"}, headers=teen).json()
    assert after["prompt"] is None or after["prompt"]["kind"] != "daily_limit", after["prompt"]

    summary = client.get("/v1/family/teens/amani/summary", headers=guardian).json()
    assert summary["today_minutes"] >= 20
    assert "video" not in str(summary), "a guardian sees time, never what was watched"
    assert client.get("/v1/feed", headers=guardian).status_code == 403
    assert client.get("/v1/me/export", headers=guardian).status_code == 403


def test_an_unlinked_guardian_learns_nothing(client: testclient.TestClient) -> None:
    sign_up(client, "amani")
    answer = client.post("/v1/guardians", json={"id": "stranger", "password": GUARDIAN_PASSWORD})
    stranger = {"Authorization": f"Bearer {answer.json()['access_token']}"}
    for path in ("/v1/family/teens/amani/summary", "/v1/family/teens/nobody/summary"):
        answer = client.get(path, headers=stranger)
        assert answer.status_code == 403
    assert client.put("/v1/family/teens/amani/limit", json={"minutes": 5}, headers=stranger).status_code == 403


def test_a_guardians_filter_reaches_the_teens_feed(client: testclient.TestClient) -> None:
    teen = sign_up(client, "amani", interests=["pets"])
    answer = client.post("/v1/guardians", json={"id": "mama-amani", "password": GUARDIAN_PASSWORD})
    guardian = {"Authorization": f"Bearer {answer.json()['access_token']}"}
    code = client.post("/v1/family/codes", headers=guardian).json()["code"]
    client.post("/v1/family/pair", json={"code": code}, headers=teen)
    before = client.get("/v1/feed", params={"n": "10"}, headers=teen).json()
    assert any("puppy" in item["video"]["hashtags"] for item in before["items"]), "the teen chose pets"
    tightened = client.patch("/v1/family/teens/amani/content", json={"keyword_filters": ["puppy"]}, headers=guardian)
    assert tightened.json()["keyword_filters"] == ["puppy"]
    for _ in range(3):
        page = client.get("/v1/feed", params={"n": "10"}, headers=teen).json()
        assert page["items"]
        assert all("puppy" not in item["video"]["hashtags"] for item in page["items"])
    assert client.get("/v1/me/settings", headers=teen).json()["keyword_filters"] == [], "the teen's own stay theirs"
