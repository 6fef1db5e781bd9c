from __future__ import annotations

import datetime as dt
import pickle
from collections import Counter

import pytest

from safefeed import model
from safefeed.recommend import feed, state, vectors
from safefeed.store import repository
from tests.recommend.conftest import T0


def topics(page: model.Page) -> Counter[str]:
    return Counter(item.video.topic or "" for item in page.items)


def watch_all(engine: feed.Engine, page: model.Page, topic: str, at: dt.datetime) -> None:
    """A persona that watches `topic` to the end twice and skips everything else."""
    events = []
    for item in page.items:
        liked = item.video.topic == topic
        events.append(
            model.Event("teen", model.EventKind.WATCH, at, video_id=item.video.id, fraction=2.0 if liked else 0.05)
        )
    engine.record(events)


def test_pages_never_repeat_and_have_the_size_asked(engine: feed.Engine) -> None:
    seen: list[str] = []
    cursor = None
    for _ in range(5):
        page = engine.feed("teen", n=10, cursor=cursor, now=T0)
        assert len(page.items) == 10
        seen += [item.video.id for item in page.items]
        cursor = page.next_cursor
    assert len(seen) == len(set(seen)) == 50


def test_the_same_cursor_twice_gives_the_same_page(engine: feed.Engine) -> None:
    first = engine.feed("teen", n=5, now=T0)
    second = engine.feed("teen", n=5, cursor=first.next_cursor, now=T0)
    retried = engine.feed("teen", n=5, cursor=first.next_cursor, now=T0)
    assert [i.video.id for i in retried.items] == [i.video.id for i in second.items]
    assert retried.next_cursor == second.next_cursor


def test_cursor_of_another_account_is_refused(engine: feed.Engine) -> None:
    page = engine.feed("other", n=5, now=T0)
    with pytest.raises(feed.InvalidCursor, match="another account"):
        engine.feed("teen", cursor=page.next_cursor, now=T0)
    with pytest.raises(feed.InvalidCursor, match="omit it"):
        engine.feed("teen", cursor="%%%garbage", now=T0)


def test_feed_learns_from_watching_on_the_very_next_page(engine: feed.Engine) -> None:
    first = engine.feed("teen", n=12, now=T0)
    watch_all(engine, first, "pets", T0)
    # Pets was one topic of six on the first page: after the watches it should lead the next page.
    second = engine.feed("teen", n=12, cursor=first.next_cursor, now=T0)
    assert [item.video.topic for item in second.items[:3]] == ["pets"] * 3
    assert topics(second)["pets"] > topics(first)["pets"]


def test_every_page_keeps_its_explore_slots(engine: feed.Engine) -> None:
    cursor = None
    for _ in range(4):
        page = engine.feed("teen", n=12, cursor=cursor, now=T0)
        explored = [item for item in page.items if item.source == "explore"]
        assert explored, "the policy's explore_every slots were left without explore videos"
        cursor = page.next_cursor


def test_not_interested_in_a_creator_removes_them_from_the_next_page(engine: feed.Engine) -> None:
    engine.record([model.Event("teen", model.EventKind.NOT_INTERESTED, T0, creator_id="food-c0")])
    for _ in range(6):
        page = engine.feed("teen", n=10, now=T0)
        assert all(item.video.creator_id != "food-c0" for item in page.items)


def test_following_brings_the_creator_in(engine: feed.Engine) -> None:
    engine.record([model.Event("teen", model.EventKind.FOLLOW, T0, creator_id="science-c1")])
    page = engine.feed("teen", n=10, now=T0)
    followed = [item for item in page.items if item.video.creator_id == "science-c1"]
    assert followed and followed[0].source == "following"
    assert "It is from a creator you follow" in followed[0].reasons


def test_state_is_rebuilt_exactly_from_the_event_log(world: repository.Store) -> None:
    live = feed.build(world)
    page = live.feed("teen", n=10, now=T0)
    watch_all(live, page, "football", T0)
    restarted = feed.build(world)
    assert restarted.account_state("teen").topic_affinity == pytest.approx(live.account_state("teen").topic_affinity)
    assert restarted.account_state("teen").seen.keys() == live.account_state("teen").seen.keys()


def test_an_unreadable_snapshot_is_rebuilt_from_the_log_without_undoing_a_refresh(world: repository.Store) -> None:
    """A snapshot of an older encoding (a pickle) is not read: the state is rebuilt from the events logged after
    it, on an empty state, so what a refresh forgot before it stays forgotten."""
    engine = feed.build(world)
    watch_all(engine, engine.feed("teen", n=10, now=T0), "football", T0)
    engine.refresh("teen")
    later = engine.feed("teen", n=10, now=T0)
    watch_all(engine, later, "pets", T0)
    stored = world.snapshot("teen")
    assert stored is not None
    world.put_snapshot("teen", stored[0], pickle.dumps(state.AccountState.empty(vectors.DIMENSIONS)))
    rebuilt, running = feed.build(world).account_state("teen"), engine.account_state("teen")
    assert rebuilt.events == running.events == 20  # the page after the refresh and its watches, nothing before
    assert rebuilt.seen.keys() == running.seen.keys()
    assert rebuilt.topic_affinity == pytest.approx(running.topic_affinity)
    assert rebuilt.topic_affinity.get("football", 0.0) <= 0  # watched to the end twice before the refresh


def test_accounts_dropped_from_memory_come_back_exactly(world: repository.Store) -> None:
    """Memory holds `cached_accounts` states; one dropped reloads from the log with nothing lost or repeated."""
    engine = feed.build(world, config=feed.EngineConfig(cached_accounts=1))
    unbounded = feed.build(world)
    served: list[str] = []
    cursors: dict[str, str | None] = {"teen": None, "other": None}
    for turn in range(8):  # the two accounts take turns, so each page follows the other account's eviction
        account = ("teen", "other")[turn % 2]
        page = engine.feed(account, n=5, cursor=cursors[account], now=T0)
        cursors[account] = page.next_cursor
        if account == "teen":
            served += [item.video.id for item in page.items]
            watch_all(engine, page, "pets", T0)
        assert list(engine._states) == [account]
    assert len(served) == len(set(served)) == 20
    reloaded = engine.account_state("teen")
    assert reloaded.seen.keys() == unbounded.account_state("teen").seen.keys()
    assert all(video_id in reloaded.seen for video_id in served)
    assert reloaded.topic_affinity == pytest.approx(unbounded.account_state("teen").topic_affinity)


def test_a_snapshot_restores_the_state_with_only_later_events_to_replay(world: repository.Store) -> None:
    engine = feed.build(world)
    page = engine.feed("teen", n=10, now=T0)
    watch_all(engine, page, "gaming", T0)
    engine.snapshot("teen")
    later = model.Event("teen", model.EventKind.LIKE, T0, video_id=page.items[0].video.id)
    engine.record([later])
    stored = world.snapshot("teen")
    assert stored is not None and [e for _, e in world.events(account_id="teen", after_seq=stored[0])] == [later]
    restarted, running = feed.build(world).account_state("teen"), engine.account_state("teen")
    assert restarted.seen.keys() == running.seen.keys() and len(running.seen) >= 10
    assert restarted.interactions == pytest.approx(running.interactions)
    assert restarted.topic_affinity == pytest.approx(running.topic_affinity)


def test_refresh_forgets_everything_and_for_good(world: repository.Store) -> None:
    engine = feed.build(world)
    page = engine.feed("teen", n=10, now=T0)
    watch_all(engine, page, "gaming", T0)
    engine.record([model.Event("teen", model.EventKind.FOLLOW, T0, creator_id="gaming-c1")])
    engine.refresh("teen")
    for fresh in (engine, feed.build(world)):  # also after a restart
        account = fresh.account_state("teen")
        assert not account.interest.any()
        assert account.topic_affinity == {} and account.following == set() and not account.seen


def test_bad_event_writes_nothing(engine: feed.Engine, world: repository.Store) -> None:
    before = world.count_events()
    good = model.Event("teen", model.EventKind.LIKE, T0, video_id="food-01")
    with pytest.raises(repository.UnknownVideo, match="no-such-video"):
        engine.record([good, model.Event("teen", model.EventKind.LIKE, T0, video_id="no-such-video")])
    with pytest.raises(repository.UnknownAccount):
        engine.record([model.Event("ghost", model.EventKind.LIKE, T0, video_id="food-01")])
    assert world.count_events() == before
    assert engine.account_state("teen").events == 0


def test_search_matches_hashtags_and_feeds_interests(engine: feed.Engine) -> None:
    results = engine.search("teen", "#puppy tricks", n=5, now=T0).videos
    assert len(results) == 5
    assert all(video.topic == "pets" for video in results)
    assert engine.account_state("teen").interest.any()


def test_every_item_says_why_it_is_there(engine: feed.Engine) -> None:
    page = engine.feed("teen", n=10, now=T0)
    assert all(item.reasons and item.source for item in page.items)


def test_n_out_of_range_is_refused(engine: feed.Engine) -> None:
    with pytest.raises(ValueError, match="between 1 and 100"):
        engine.feed("teen", n=0)


def test_pages_stay_whole_when_the_video_cache_turns_over(engine: feed.Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(feed, "VIDEO_CACHE_SIZE", 7)  # far smaller than a page: every page evicts
    for _ in range(4):
        page = engine.feed("teen", n=10, now=T0)
        assert len({item.video.id for item in page.items}) == 10


def test_page_videos_from_memory_are_the_stored_videos(engine: feed.Engine, world: repository.Store) -> None:
    stored = world.videos(engine.items.ids)
    assert [engine.items.video(position) for position in range(len(engine.items))] == stored
