"""The Following tab and a guardian's consent to For You, through the HTTP API (the real app, in process)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import testclient

from safefeed import access, services
from safefeed.api import app as api_app
from safefeed.recommend import context as policy_context
from tests import serving
from tests.api.conftest import login_as, sign_up


@pytest.fixture
def consent_first(
    tmp_path: Path, clock: serving.ManualClock, world_template: Path
) -> Iterator[tuple[testclient.TestClient, services.SafeFeed]]:
    """A server under the ny-ca policy: minors without a guardian's consent get the Following feed."""
    store = serving.world_store(tmp_path, template=world_template)
    safefeed = serving.make_service(store, clock, tmp_path, policy="ny-ca")
    yield (
        testclient.TestClient(api_app.create_app(serving.settings_for(tmp_path, policy="ny-ca"), safefeed=safefeed)),
        safefeed,
    )
    store.close()


def follow(client: testclient.TestClient, headers: dict[str, str], *creators: str) -> None:
    body = [{"kind": "follow", "creator_id": creator} for creator in creators]
    assert client.post("/v1/events", json=body, headers=headers).status_code == 200


def scroll(client: testclient.TestClient, headers: dict[str, str], tab: str) -> list[dict[str, Any]]:
    pages: list[dict[str, Any]] = [client.get("/v1/feed", params={"n": 4, "tab": tab}, headers=headers).json()]
    while pages[-1]["items"]:
        more = {"n": 4, "cursor": pages[-1]["next_cursor"], "tab": tab}
        pages.append(client.get("/v1/feed", params=more, headers=headers).json())
    return pages[:-1]


def test_the_following_tab_is_newest_first_from_followed_creators_only(client: testclient.TestClient) -> None:
    headers = sign_up(client, "amani", birth_year=1990)
    empty = client.get("/v1/feed", params={"tab": "following"}, headers=headers).json()
    assert empty["items"] == [] and empty["next_cursor"]
    assert "follow creators to fill this tab" in empty["notice"]
    follow(client, headers, "food-c1", "pets-c3")
    pages = scroll(client, headers, tab="following")
    items = [item for page in pages for item in page["items"]]
    assert len(items) == 10 and {i["video"]["creator_id"] for i in items} == {"food-c1", "pets-c3"}
    times = [i["video"]["created_at"] for i in items]
    assert times == sorted(times, reverse=True)
    assert all(page["tab"] == "following" and page["tab_reason"] is None for page in pages)
    assert all(i["source"] == "following" for i in items)


def test_a_bad_following_cursor_is_refused_before_it_counts(client: testclient.TestClient) -> None:
    headers = sign_up(client, "amani")
    other = sign_up(client, "baraka")
    follow(client, other, "food-c1")
    theirs = client.get("/v1/feed", params={"tab": "following", "n": 1}, headers=other).json()["next_cursor"]
    answer = client.get("/v1/feed", params={"tab": "following", "cursor": theirs}, headers=headers)
    assert answer.status_code == 400 and "another account" in answer.json()["detail"]


def test_a_teen_without_consent_gets_following_until_the_guardian_consents(
    consent_first: tuple[testclient.TestClient, services.SafeFeed],
) -> None:
    client, safefeed = consent_first
    teen = sign_up(client, "amani")
    follow(client, teen, "science-c2")
    page = client.get("/v1/feed", headers=teen).json()
    assert page["tab"] == "following" and page["tab_reason"] == policy_context.WITHOUT_CONSENT
    assert {i["video"]["creator_id"] for i in page["items"]} == {"science-c2"}
    assert client.get("/v1/feed", params={"tab": "stem"}, headers=teen).json()["tab"] == "stem"

    guardian = login_as(safefeed, "mum", access.Role.GUARDIAN)
    code = client.post("/v1/family/codes", headers=guardian).json()["code"]
    client.post("/v1/family/pair", json={"code": code}, headers=teen)
    assert client.get("/v1/feed", headers=teen).json()["tab"] == "following"  # pairing alone is not consent
    given = client.put("/v1/family/teens/amani/feed-consent", json={"granted": True}, headers=guardian)
    assert given.status_code == 200 and given.json()["feed_consent"] is True
    mine = given.json()["by_guardian"][0]
    assert mine["guardian_id"] == "mum" and mine["feed_consent_at"] is not None  # who and when, on record
    assert client.get("/v1/family/controls", headers=teen).json()["feed_consent"] is True
    page = client.get("/v1/feed", headers=teen).json()
    assert page["tab"] == "for_you" and page["tab_reason"] is None and page["items"]

    withdrawn = client.put("/v1/family/teens/amani/feed-consent", json={"granted": False}, headers=guardian)
    assert withdrawn.json()["feed_consent"] is False
    assert client.get("/v1/feed", headers=teen).json()["tab"] == "following"
    client.put("/v1/family/teens/amani/feed-consent", json={"granted": True}, headers=guardian)
    assert client.delete("/v1/family/teens/amani", headers=guardian).status_code == 204
    assert client.get("/v1/feed", headers=teen).json()["tab"] == "following"  # unpaired: the consent went too


def test_only_a_linked_guardian_may_consent(consent_first: tuple[testclient.TestClient, services.SafeFeed]) -> None:
    client, safefeed = consent_first
    teen = sign_up(client, "amani")
    stranger = login_as(safefeed, "stranger", access.Role.GUARDIAN)
    answer = client.put("/v1/family/teens/amani/feed-consent", json={"granted": True}, headers=stranger)
    assert answer.status_code == 403
    # A teen cannot give it to themselves either: the route is a guardian's.
    assert client.put("/v1/family/teens/amani/feed-consent", json={"granted": True}, headers=teen).status_code == 403
    assert client.get("/v1/feed", headers=teen).json()["tab"] == "following"


def test_an_adult_is_never_asked_for_consent(consent_first: tuple[testclient.TestClient, services.SafeFeed]) -> None:
    client, _ = consent_first
    adult = sign_up(client, "wanjiru", birth_year=1990)
    assert client.get("/v1/feed", headers=adult).json()["tab"] == "for_you"


def test_the_openapi_document_offers_the_tab_and_the_consent(client: testclient.TestClient) -> None:
    document = client.get("/openapi.json").json()
    tab = next(p for p in document["paths"]["/v1/feed"]["get"]["parameters"] if p["name"] == "tab")
    assert "following" in tab["schema"]["enum"]
    assert "put" in document["paths"]["/v1/family/teens/{teen_id}/feed-consent"]
    page = document["components"]["schemas"]["PageOut"]["properties"]
    assert {"tab", "tab_reason", "notice"} <= set(page)
