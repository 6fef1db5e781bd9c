"""Two API instances over one database: requests for one account alternate between them.

Each instance is an `Engine` with a `Store` of its own (its own connections,
its own cache of account state), as two processes would have; on SQLite they
share the file, on PostgreSQL the database.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import pytest

from safefeed import model
from safefeed.recommend import feed, vectors
from safefeed.store import repository
from tests.recommend.conftest import T0, tiny_catalog

Pair = tuple[feed.Engine, feed.Engine]


@pytest.fixture
def instances(store: repository.Store) -> Iterator[Pair]:
    """The tiny world on `store` (SQLite or PostgreSQL), served by two engines with stores of their own."""
    catalog = tiny_catalog()
    store.import_catalog(catalog.creators, catalog.videos)
    vectors.ensure_content_vectors(store)
    store.put_account(model.Account("teen", birth_year=2012, region="KE", settings=model.AccountSettings(True)))
    url = store.engine.url.render_as_string(hide_password=False)
    first, second = repository.Store.open(url), repository.Store.open(url)
    yield feed.build(first), feed.build(second)
    first.close()
    second.close()


def ids(page: model.Page) -> list[str]:
    return [item.video.id for item in page.items]


def test_alternating_instances_never_repeat_and_learn_from_each_other(instances: Pair) -> None:
    served: list[str] = []
    cursor = None
    at = T0
    for number in range(8):
        engine = instances[number % 2]
        page = engine.feed("teen", n=8, cursor=cursor, now=at)
        served += ids(page)
        cursor = page.next_cursor
        watched = [
            model.Event("teen", model.EventKind.WATCH, at, video_id=item.video.id, fraction=2.0)
            for item in page.items
            if item.video.topic == "pets"
        ]
        engine.record(watched)
        at += dt.timedelta(minutes=2)
    assert len(served) == len(set(served)) == 64
    first, second = (engine.account_state("teen") for engine in instances)
    assert first.seen.keys() == second.seen.keys()
    assert len(first.seen) == len(served) and all(video_id in first.seen for video_id in served)
    assert first.topic_affinity == pytest.approx(second.topic_affinity, rel=1e-4)
    assert first.events == second.events


def test_not_interested_on_one_instance_holds_on_the_other(instances: Pair) -> None:
    one, other = instances
    one.feed("teen", n=5, now=T0)
    other.feed("teen", n=5, now=T0)  # both have the account's state cached
    one.record([model.Event("teen", model.EventKind.NOT_INTERESTED, T0, creator_id="food-c0")])
    other.record([model.Event("teen", model.EventKind.NOT_INTERESTED, T0, topic="gaming")])
    for engine in (one, other, one, other):
        page = engine.feed("teen", n=10, now=T0)
        assert not any(item.video.creator_id == "food-c0" for item in page.items)
        assert not any(item.video.topic == "gaming" for item in page.items)


def test_a_cursor_retried_on_the_other_instance_gives_the_same_page(instances: Pair) -> None:
    one, other = instances
    first = one.feed("teen", n=5, now=T0)
    second = one.feed("teen", n=5, cursor=first.next_cursor, now=T0)
    retried = other.feed("teen", n=5, cursor=first.next_cursor, now=T0)
    assert ids(retried) == ids(second)
    assert retried.next_cursor == second.next_cursor
    onwards = other.feed("teen", n=5, cursor=retried.next_cursor, now=T0)
    assert not set(ids(onwards)) & set(ids(first) + ids(second))


def test_refresh_on_one_instance_resets_the_other(instances: Pair) -> None:
    one, other = instances
    other.record([model.Event("teen", model.EventKind.LIKE, T0, video_id="pets-01")])
    assert other.account_state("teen").interest.any()
    one.refresh("teen")
    state = other.account_state("teen")
    assert not state.interest.any() and not state.seen and not state.interactions


def test_concurrent_pages_on_two_instances_do_not_overlap(instances: Pair) -> None:
    """Both serve the same account at once: the account lock makes them take turns, each seeing the other's."""
    pages: list[list[str]] = [[], []]

    def scroll(number: int) -> None:
        for _ in range(5):
            pages[number] += ids(instances[number].feed("teen", n=6, now=T0))

    threads = [threading.Thread(target=scroll, args=(number,)) for number in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    served = pages[0] + pages[1]
    assert len(served) == len(set(served)) == 60
