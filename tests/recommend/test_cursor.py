"""A retried cursor is the page first served for it: same items, sources, scores, reasons and sponsored marks."""

from __future__ import annotations

import dataclasses

import pytest

from safefeed import model
from safefeed.recommend import feed, vectors
from safefeed.store import repository
from tests.recommend.conftest import EVERYDAY, T0

TOPICS = ("food", "gaming", "pets", "football", "science")


def served(page: model.Page) -> list[tuple[str, str, bool, float, tuple[str, ...]]]:
    """Everything a client sees of a page's items, minus the video itself (compared by id)."""
    return [(i.video.id, i.source, i.sponsored, i.score, i.reasons) for i in page.items]


@pytest.fixture
def with_ads(world: repository.Store) -> repository.Store:
    ads = [
        model.Video(f"ad-{t}", "brand", f"sponsored {t}", (t, "ad"), 15, T0, topic=t, is_ad=True, label=EVERYDAY)
        for t in TOPICS
    ]
    world.import_catalog([model.Creator("brand")], ads)
    vectors.ensure_content_vectors(world)
    return world


def ads_engine(store: repository.Store) -> feed.Engine:
    return feed.build(store, config=dataclasses.replace(feed.EngineConfig(), ad_every=5))


@pytest.mark.parametrize("account_id", ["teen", "other"])
def test_a_retried_page_keeps_its_sponsored_marks_and_sources(with_ads: repository.Store, account_id: str) -> None:
    engine = ads_engine(with_ads)
    first = engine.feed(account_id, n=10, now=T0)
    second = engine.feed(account_id, n=10, cursor=first.next_cursor, now=T0)
    assert any(item.sponsored for item in second.items)  # the page under test has something to lose
    assert len({item.source for item in second.items}) >= 2
    retried = engine.feed(account_id, n=10, cursor=first.next_cursor, now=T0)
    assert served(retried) == served(second)
    assert retried.next_cursor == second.next_cursor and retried.cursor == second.cursor


def test_a_page_retried_after_a_restart_is_the_page_served(with_ads: repository.Store) -> None:
    before = ads_engine(with_ads)
    first = before.feed("teen", n=10, now=T0)
    second = before.feed("teen", n=10, cursor=first.next_cursor, now=T0)
    restarted = ads_engine(with_ads)  # a new process on the same store: nothing in memory
    assert served(restarted.feed("teen", n=10, cursor=first.next_cursor, now=T0)) == served(second)
    assert served(restarted.feed("teen", n=10, cursor=first.cursor, now=T0)) == served(first)


def test_decisions_round_trip_and_leave_with_the_account(with_ads: repository.Store) -> None:
    from safefeed.recommend import cursor  # the bug tests above run on the code from before these modules
    from safefeed.store import pages

    engine = ads_engine(with_ads)
    page = engine.feed("teen", n=10, now=T0)
    kept = cursor.recall(with_ads, "teen", page.cursor)
    assert kept is not None and cursor.Served.loads(kept.dumps()) == kept
    assert list(kept.ids) == [item.video.id for item in page.items]
    with_ads.delete_account("teen")
    engine.forget("teen")
    assert pages.get(with_ads, "teen", cursor.decode("teen", page.cursor) or 0) is None
