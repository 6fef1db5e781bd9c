"""The feed over HTTP: pages, cursors, events, search, and clear errors for bad input."""

from __future__ import annotations

import datetime as dt

from fastapi import testclient

from safefeed import model, services
from safefeed.api import errors
from safefeed.services import feed as feed_service
from tests import serving
from tests.api.conftest import sign_up


def test_scrolling_never_repeats_a_video(client: testclient.TestClient) -> None:
    headers = sign_up(client, "amani", interests=["food", "pets"])
    seen: list[str] = []
    cursor = None
    for _ in range(4):
        params = {"n": "10"} | ({"cursor": cursor} if cursor else {})
        page = client.get("/v1/feed", params=params, headers=headers).json()
        seen += [item["video"]["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        assert all(item["why"] for item in page["items"]), "every video says why it is there"
    assert len(seen) == 40
    assert len(set(seen)) == 40


def test_the_same_cursor_twice_gives_the_same_page(client: testclient.TestClient) -> None:
    headers = sign_up(client, "amani")
    first = client.get("/v1/feed", params={"n": "5"}, headers=headers).json()
    second = client.get("/v1/feed", params={"n": "5", "cursor": first["next_cursor"]}, headers=headers).json()
    retried = client.get("/v1/feed", params={"n": "5", "cursor": first["next_cursor"]}, headers=headers).json()
    assert [i["video"]["id"] for i in second["items"]] == [i["video"]["id"] for i in retried["items"]]


def test_events_are_recorded_and_the_next_page_follows_a_not_interested(client: testclient.TestClient) -> None:
    headers = sign_up(client, "amani", interests=["food"])
    page = client.get("/v1/feed", params={"n": "10"}, headers=headers).json()
    video = page["items"][0]["video"]
    watched = client.post(
        "/v1/events", json=[{"kind": "watch", "video_id": video["id"], "fraction": 1.0}], headers=headers
    )
    assert watched.json() == {"recorded": 1}
    answer = client.post("/v1/me/not-interested", json={"topic": "food"}, headers=headers)
    assert answer.status_code == 200
    after = client.get("/v1/feed", params={"n": "10", "cursor": page["next_cursor"]}, headers=headers).json()
    assert after["items"]
    assert all(item["video"]["topic"] != "food" for item in after["items"])


def test_bad_input_gets_a_4xx_that_says_what_to_fix(client: testclient.TestClient) -> None:
    headers = sign_up(client, "amani")
    cases = [
        (client.get("/v1/feed", params={"n": "0"}, headers=headers), 422, "n"),
        (client.get("/v1/feed", params={"cursor": "garbage"}, headers=headers), 400, "cursor"),
        (client.post("/v1/events", json=[{"kind": "watch"}], headers=headers), 422, "video_id"),
        (client.post("/v1/events", json=[{"kind": "dance", "video_id": "x"}], headers=headers), 422, "kind"),
        (
            client.post("/v1/events", json=[{"kind": "like", "video_id": "no-such-video"}], headers=headers),
            404,
            "no-such-video",
        ),
        (client.post("/v1/events", json={"kind": "like"}, headers=headers), 422, "list"),
        (client.post("/v1/accounts", json={"id": "x y"}), 422, "id"),
        (client.post("/v1/accounts", json={"id": "zed", "timezone": "Mars/Olympus"}), 422, "time zone"),
    ]
    for answer, status, mentioned in cases:
        assert answer.status_code == status, answer.text
        assert mentioned in answer.json()["detail"], answer.text


def test_a_bad_batch_writes_nothing(
    client: testclient.TestClient, safefeed: services.SafeFeed, clock: serving.ManualClock
) -> None:
    headers = sign_up(client, "amani")
    page = client.get("/v1/feed", params={"n": "3"}, headers=headers).json()
    counted = safefeed.parts.wellbeing.store.clock("amani")
    clock.advance(dt.timedelta(minutes=2))  # a batch now would count two more minutes of screen time
    good = {"kind": "like", "video_id": page["items"][0]["video"]["id"]}
    answer = client.post("/v1/events", json=[good, {"kind": "like", "video_id": "missing"}], headers=headers)
    assert answer.status_code == 404
    exported = client.get("/v1/me/export", headers=headers).json()
    assert not [event for event in exported["events"] if event["kind"] == "like"]
    # The refused batch did not advance the activity clock either (it used to count before validating).
    assert safefeed.parts.wellbeing.store.clock("amani") == counted


def test_a_refused_cursor_counts_no_screen_time(
    client: testclient.TestClient, safefeed: services.SafeFeed, clock: serving.ManualClock
) -> None:
    headers = sign_up(client, "amani")
    client.get("/v1/feed", params={"n": "3"}, headers=headers)
    counted = safefeed.parts.wellbeing.store.clock("amani")
    clock.advance(dt.timedelta(minutes=2))  # a page now would count two more minutes
    answer = client.get("/v1/feed", params={"n": "3", "cursor": "not-a-cursor"}, headers=headers)
    assert answer.status_code == 400, answer.text
    # The whole request is checked before the well-being gate writes anything.
    assert safefeed.parts.wellbeing.store.clock("amani") == counted


def test_an_internal_value_error_is_a_server_error_not_the_clients() -> None:
    # Only named domain errors become 4xx: a ValueError from a bug must not tell the client it sent bad input.
    assert errors.status_for(ValueError("a bug deep in ranking")) is None
    assert errors.status_for(feed_service.TooManyEvents("too many")) == 422
    assert errors.status_for(model.InvalidValue("bad field")) == 422


def test_someone_elses_events_are_refused(client: testclient.TestClient) -> None:
    headers = sign_up(client, "amani")
    sign_up(client, "baraka")
    page = client.get("/v1/feed", params={"n": "3"}, headers=headers).json()
    event = {"kind": "like", "video_id": page["items"][0]["video"]["id"], "account_id": "baraka"}
    assert client.post("/v1/events", json=[event], headers=headers).status_code == 403


def test_oversized_bodies_are_refused_before_they_are_read(client: testclient.TestClient) -> None:
    headers = sign_up(client, "amani")
    answer = client.post(
        "/v1/events", content=b"[" + b" " * 6_000_000 + b"]", headers=headers | {"content-type": "application/json"}
    )
    assert answer.status_code == 413
    assert "larger than" in answer.json()["detail"]


def test_openapi_names_every_resource(client: testclient.TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/v1/feed", "/v1/events", "/v1/search", "/v1/me/settings", "/v1/me/export", "/v1/admin/catalog"):
        assert path in paths


def test_search_finds_captions_and_a_minor_gets_help_for_an_unsafe_search(client: testclient.TestClient) -> None:
    headers = sign_up(client, "amani")
    found = client.get("/v1/search", params={"q": "puppy trick"}, headers=headers).json()
    assert found["videos"]
    assert found["videos"][0]["topic"] == "pets"
    unsafe = client.get("/v1/search", params={"q": "how to kms"}, headers=headers).json()
    assert unsafe["withheld"] is True
    assert unsafe["videos"] == []
    assert unsafe["help"]
