"""What an account controls over HTTP: settings, filters, refresh, what we know, export and delete."""

from __future__ import annotations

from fastapi import testclient

from safefeed import services
from tests.api.conftest import sign_up


def _ids_and_tags(page: dict[str, object]) -> list[tuple[str, list[str]]]:
    items = page["items"]
    assert isinstance(items, list)
    return [(item["video"]["id"], item["video"]["hashtags"]) for item in items]


def test_a_keyword_filter_holds_on_the_next_page(client: testclient.TestClient) -> None:
    headers = sign_up(client, "amani", interests=["pets", "gaming"])
    changed = client.patch("/v1/me/settings", json={"keyword_filters": ["#puppy"]}, headers=headers)
    assert changed.json()["keyword_filters"] == ["#puppy"]
    for _ in range(3):
        page = client.get("/v1/feed", params={"n": "10"}, headers=headers).json()
        assert all("puppy" not in tags for _, tags in _ids_and_tags(page))


def test_unknown_settings_are_refused_by_name(client: testclient.TestClient) -> None:
    headers = sign_up(client, "amani")
    answer = client.patch("/v1/me/settings", json={"daily_limit_minutes": 5000}, headers=headers)
    assert answer.status_code == 422
    assert "daily_limit_minutes" in answer.json()["detail"]


def test_what_we_know_and_forgetting_an_interest(client: testclient.TestClient) -> None:
    headers = sign_up(client, "amani")
    client.patch("/v1/me/settings", json={"personalised": True}, headers=headers)
    page = client.get("/v1/feed", params={"n": "10"}, headers=headers).json()
    food = [item["video"]["id"] for item in page["items"] if item["video"]["topic"] == "food"]
    liked = food or [page["items"][0]["video"]["id"]]
    client.post("/v1/events", json=[{"kind": "like", "video_id": video} for video in liked], headers=headers)
    known = client.get("/v1/me", headers=headers).json()
    topics = [interest["topic"] for interest in known["inferred_interests"]]
    assert topics
    assert client.delete(f"/v1/me/interests/{topics[0]}", headers=headers).status_code == 204
    after = [interest["topic"] for interest in client.get("/v1/me", headers=headers).json()["inferred_interests"]]
    assert topics[0] not in after


def test_why_this_video_names_real_reasons(client: testclient.TestClient) -> None:
    headers = sign_up(client, "amani", interests=["science"])
    page = client.get("/v1/feed", params={"n": "10"}, headers=headers).json()
    science = next(item for item in page["items"] if item["video"]["topic"] == "science")
    why = client.get(f"/v1/me/why/{science['video']['id']}", headers=headers).json()["why"]
    assert any("science" in sentence for sentence in why)


def test_delete_removes_the_account_its_events_and_its_logins(
    client: testclient.TestClient, safefeed: services.SafeFeed
) -> None:
    headers = sign_up(client, "amani")
    page = client.get("/v1/feed", params={"n": "5"}, headers=headers).json()
    client.post("/v1/events", json=[{"kind": "like", "video_id": page["items"][0]["video"]["id"]}], headers=headers)
    exported = client.get("/v1/me/export", headers=headers).json()
    assert exported["account"]["id"] == "amani"
    assert {event["kind"] for event in exported["events"]} >= {"impression", "like"}
    assert client.delete("/v1/me", headers=headers).status_code == 204
    assert client.get("/v1/feed", headers=headers).status_code == 401
    assert safefeed.parts.store.events(account_id="amani") == []
    assert safefeed.parts.logins.principal("amani") is None
