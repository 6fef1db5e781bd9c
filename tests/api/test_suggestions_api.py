"""Search suggestions over HTTP: completions for the box, none that a child's search would withhold."""

from __future__ import annotations

from fastapi import testclient

from safefeed import access, services
from tests.api.conftest import login_as, sign_up, wait_for_import
from tests.recommend.test_suggestions import blocked_reading

HEADER = "id,creator_id,caption,hashtags,duration_s,created_at\n"


def suggested(client: testclient.TestClient, headers: dict[str, str], typed: str) -> list[str]:
    answer = client.get("/v1/search/suggestions", params={"q": typed, "n": "20"}, headers=headers)
    assert answer.status_code == 200, answer.text
    found: list[str] = answer.json()["suggestions"]
    return found


def test_the_box_completes_from_the_catalog_but_never_a_blocked_search_for_a_child(
    client: testclient.TestClient, safefeed: services.SafeFeed
) -> None:
    admin = login_as(safefeed, "root", access.Role.ADMIN)
    body = (
        HEADER
        + "walk-1,walker,sunny walk in the park,sunnyday suicideprevention,20,2026-11-01T00:00:00Z\n"
        + "walk-2,walker,sunny walk by the sea,sunnyday sewerslide,20,2026-11-01T00:00:00Z\n"
    )
    answer = client.post("/v1/admin/catalog", params={"filename": "more.csv"}, content=body.encode(), headers=admin)
    assert answer.status_code == 202, answer.text
    assert wait_for_import(client, answer.headers["Location"], admin)["state"] == "done"
    teen = sign_up(client, "teen")
    adult = sign_up(client, "grown", birth_year=1990)
    assert "puppy" in suggested(client, teen, "pup")
    assert {"suicideprevention", "sewerslide"} <= set(suggested(client, adult, "s")), "an adult's box holds them"
    for typed in ("s", "su", "sui", "s u i", "ѕui", "SEW", "#sew"):
        offered = suggested(client, teen, typed)
        assert not [word for word in offered if blocked_reading(word)], (typed, offered)


def test_typing_is_not_logged(client: testclient.TestClient, safefeed: services.SafeFeed) -> None:
    teen = sign_up(client, "teen")
    before = safefeed.parts.store.count_events()
    suggested(client, teen, "pup")
    suggested(client, teen, "sui")
    assert safefeed.parts.store.count_events() == before


def test_bad_suggestion_requests_get_a_4xx(client: testclient.TestClient) -> None:
    teen = sign_up(client, "teen")
    assert client.get("/v1/search/suggestions", params={"q": "pup"}).status_code == 401
    assert client.get("/v1/search/suggestions", params={"q": ""}, headers=teen).status_code == 422
    assert client.get("/v1/search/suggestions", params={"q": "pup", "n": "50"}, headers=teen).status_code == 422
