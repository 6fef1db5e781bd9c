"""The logged-out feed over HTTP: the youngest band's feed without profiling, and nothing kept about the visitor."""

from __future__ import annotations

import datetime as dt

import numpy as np
import sqlalchemy as sa
from fastapi import testclient

from safefeed import model, services
from safefeed.recommend import rank, state, visitors
from safefeed.store import schema
from tests.api.conftest import sign_up


def scroll(client: testclient.TestClient, pages: int, n: int = 10, **params: str) -> list[dict[str, object]]:
    served: list[dict[str, object]] = []
    cursor = None
    for _ in range(pages):
        answer = client.get("/v1/visitor/feed", params={"n": str(n), **params} | ({"cursor": cursor} if cursor else {}))
        assert answer.status_code == 200, answer.text
        page = answer.json()
        assert page["personalised"] is False
        served.extend(page["items"])
        cursor = page["next_cursor"]
    return served


def row_counts(safefeed: services.SafeFeed) -> dict[str, int]:
    with safefeed.parts.store.engine.connect() as connection:
        return {
            table.name: int(connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
            for table in schema.metadata.sorted_tables
        }


def test_a_visitor_scrolls_without_a_token_and_never_sees_a_video_twice(client: testclient.TestClient) -> None:
    served = scroll(client, 6)
    ids = [item["video"]["id"] for item in served]  # type: ignore[index]
    assert len(ids) == 60
    assert len(set(ids)) == len(ids)
    assert all(item["why"] for item in served), "every video says why it is there"


def test_a_visitor_gets_only_what_the_youngest_band_may_be_shown(
    client: testclient.TestClient, safefeed: services.SafeFeed
) -> None:
    # Scroll the whole tiny catalog (120 videos): whatever the visitor reaches, a 13-15-year-old may see.
    ids = [item["video"]["id"] for item in scroll(client, 14)]  # type: ignore[index]
    engine = safefeed.parts.engine
    everything = np.arange(len(engine.items), dtype=np.int64)
    allowed: dict[model.AgeBand, set[str]] = {}
    for band, birth_year in ((model.AgeBand.U16, 2012), (model.AgeBand.ADULT, 1990)):
        context = engine.context(model.Account("probe", birth_year=birth_year), safefeed.now())
        assert context.band is band
        keep = rank.eligible(engine.parts, everything, state.AccountState.empty(1), context).keep
        allowed[band] = {engine.items.ids[p] for p in everything[keep].tolist()}
    assert allowed[model.AgeBand.ADULT] - allowed[model.AgeBand.U16], "the tiny world holds adults-only videos"
    assert ids, "the visitor was served something"
    assert set(ids) <= allowed[model.AgeBand.U16]


def test_a_visitor_reaches_what_a_new_13_year_old_reaches(client: testclient.TestClient) -> None:
    """Scrolled to the end of the tiny catalog, the visitor and a new child (not personalised) get the same
    videos: the youngest band's feed, no more and no less."""
    visitor = {item["video"]["id"] for item in scroll(client, 14, region="KE")}  # type: ignore[index]
    headers = sign_up(client, "kid", birth_year=2012, region="KE")
    child: set[str] = set()
    cursor = None
    for _ in range(14):
        params = {"n": "10"} | ({"cursor": cursor} if cursor else {})
        page = client.get("/v1/feed", params=params, headers=headers).json()
        assert page["personalised"] is False
        child |= {item["video"]["id"] for item in page["items"]}
        cursor = page["next_cursor"]
    assert visitor == child


def test_nothing_is_stored_about_a_visitor(client: testclient.TestClient, safefeed: services.SafeFeed) -> None:
    sign_up(client, "amani")  # an account exists; the visitor's pages must not add to any table
    before = row_counts(safefeed)
    scroll(client, 5)
    assert row_counts(safefeed) == before


def test_the_cursor_is_the_visit_the_same_one_twice_gives_the_same_page(
    client: testclient.TestClient, safefeed: services.SafeFeed
) -> None:
    first = client.get("/v1/visitor/feed", params={"n": "5"}).json()
    again = client.get("/v1/visitor/feed", params={"n": "5", "cursor": first["next_cursor"]}).json()
    # Another instance (here: the walks forgotten) serves the same page for the same cursor.
    safefeed.feed._visitors = None
    elsewhere = client.get("/v1/visitor/feed", params={"n": "5", "cursor": first["next_cursor"]}).json()
    assert [i["video"]["id"] for i in again["items"]] == [i["video"]["id"] for i in elsewhere["items"]]
    assert not {i["video"]["id"] for i in first["items"]} & {i["video"]["id"] for i in again["items"]}


def test_a_takedown_reaches_visitors_at_once(client: testclient.TestClient, safefeed: services.SafeFeed) -> None:
    first = client.get("/v1/visitor/feed", params={"n": "5"}).json()
    second = client.get("/v1/visitor/feed", params={"n": "5", "cursor": first["next_cursor"]}).json()
    gone = second["items"][0]["video"]["id"]
    safefeed.parts.engine.moderate(gone, enforcement=model.Enforcement.NOT_ALLOWED)
    retried = client.get("/v1/visitor/feed", params={"n": "5", "cursor": first["next_cursor"]}).json()
    assert gone not in [i["video"]["id"] for i in retried["items"]]


def test_bad_visitor_input_gets_a_4xx_that_says_what_to_fix(client: testclient.TestClient) -> None:
    bad_cursor = client.get("/v1/visitor/feed", params={"cursor": "not-a-cursor"})
    assert bad_cursor.status_code == 400
    assert "omit it to start a new visit" in bad_cursor.json()["detail"]
    account_cursor = client.get("/v1/visitor/feed", params={"cursor": "YW1hbmkfQDQx"})  # an account's cursor
    assert account_cursor.status_code == 400
    assert client.get("/v1/visitor/feed", params={"region": "Kenya"}).status_code == 422
    assert client.get("/v1/visitor/feed", params={"n": "0"}).status_code == 422


def test_an_account_without_a_birth_date_is_served_as_the_youngest_band(
    client: testclient.TestClient, safefeed: services.SafeFeed
) -> None:
    headers = sign_up(client, "nobirthday", birth_year=None)
    client.get("/v1/feed", params={"n": "5"}, headers=headers)
    account = safefeed.parts.account("nobirthday")
    assert account.birth_year is None
    at = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    assert safefeed.parts.engine.context(account, at).band is model.AgeBand.U16


def test_a_visit_ends_with_empty_pages_and_a_cursor_past_its_end_is_refused(client: testclient.TestClient) -> None:
    served = scroll(client, 14)  # the tiny catalog runs out for the youngest band before 140 items
    last = client.get("/v1/visitor/feed", params={"n": "10"}).json()
    for _ in range(13):
        last = client.get("/v1/visitor/feed", params={"n": "10", "cursor": last["next_cursor"]}).json()
    assert len(served) < 140 and last["items"] == []
    seed, _offset = visitors.decode(last["next_cursor"])
    past_end = visitors.encode(seed, visitors.MAX_ITEMS + 1)
    assert client.get("/v1/visitor/feed", params={"cursor": past_end}).status_code == 400
