"""The Following tab: followed creators only, newest first, no ranking signals, stable cursors, the band's rules."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections import Counter

import pytest

from safefeed import model
from safefeed.policy import rules
from safefeed.recommend import context as policy_context
from safefeed.recommend import feed, following
from safefeed.store import repository
from tests.recommend.conftest import T0

NOW = T0 + dt.timedelta(hours=1)


def follow(engine: feed.Engine, account_id: str, *creators: str) -> None:
    engine.record([model.Event(account_id, model.EventKind.FOLLOW, T0, creator_id=c) for c in creators])


def created(engine: feed.Engine, video_id: str) -> float:
    return float(engine.items.created_at[engine.items.position[video_id]])


def scroll(engine: feed.Engine, account_id: str, n: int) -> list[model.Page]:
    """Every page of the tab, to the first empty one (left out)."""
    pages = [engine.feed(account_id, n=n, tab="following", now=NOW)]
    while pages[-1].items:
        pages.append(engine.feed(account_id, n=n, cursor=pages[-1].next_cursor, tab="following", now=NOW))
    return pages[:-1]


def test_only_followed_creators_newest_first_across_pages(engine: feed.Engine) -> None:
    follow(engine, "other", "food-c1", "pets-c2")
    pages = scroll(engine, "other", 2)
    videos = [item.video for page in pages for item in page.items]
    assert {v.creator_id for v in videos} == {"food-c1", "pets-c2"}
    # Every video of theirs, once: the tab is not "unseen only", it is the list.
    assert sorted(v.id for v in videos) == sorted(
        f"{topic}-{n:02d}" for topic, c in (("food", 1), ("pets", 2)) for n in range(20) if n % 4 == c
    )
    times = [created(engine, v.id) for v in videos]
    assert times == sorted(times, reverse=True)
    assert all(page.tab == "following" and not page.personalised for page in pages)
    assert all(item.source == "following" and item.score == 0.0 for page in pages for item in page.items)


def test_the_same_cursor_gives_the_same_page_even_after_scrolling_on(engine: feed.Engine) -> None:
    follow(engine, "other", "football-c0", "gaming-c3")
    first = engine.feed("other", n=3, tab="following", now=NOW)
    second = engine.feed("other", n=3, cursor=first.next_cursor, tab="following", now=NOW)
    engine.feed("other", n=3, cursor=second.next_cursor, tab="following", now=NOW)
    again = engine.feed("other", n=3, cursor=first.next_cursor, tab="following", now=NOW)
    assert [i.video.id for i in again.items] == [i.video.id for i in second.items]


def test_ranking_signals_do_not_move_anything(engine: feed.Engine) -> None:
    follow(engine, "other", "food-c0", "science-c0")
    before = [i.video.id for p in scroll(engine, "other", 4) for i in p.items]
    likes = [model.Event("other", model.EventKind.LIKE, T0, video_id=v) for v in before if v.startswith("science")] + [
        model.Event("other", model.EventKind.SKIP, T0, video_id=v) for v in before if v.startswith("food")
    ]
    engine.record(likes)
    after = [i.video.id for p in scroll(engine, "other", 4) for i in p.items]
    assert after == before


def test_an_empty_tab_says_how_to_fill_it(engine: feed.Engine) -> None:
    page = engine.feed("other", n=5, tab="following", now=NOW)
    assert page.items == ()
    assert "follow creators to fill this tab" in page.notice
    # Its cursor stays valid: once the account follows someone, it brings their videos.
    follow(engine, "other", "food-c2")
    later = engine.feed("other", n=5, cursor=page.next_cursor, tab="following", now=NOW)
    assert later.items and {i.video.creator_id for i in later.items} == {"food-c2"}


def test_the_band_still_decides_what_is_in_it(engine: feed.Engine) -> None:
    """The teen follows the creators of the sad videos and the doctor: the romanticising (potentially
    harmful), violative and fyf-ineligible ones never show; supportive ones may."""
    follow(engine, "teen", *(f"sadness_depression-c{c}" for c in range(4)), "doctor")
    ids = {i.video.id for p in scroll(engine, "teen", 5) for i in p.items}
    assert not ids & {f"sadness_depression-{n:02d}" for n in range(10, 17)}
    follow(engine, "other", *(f"sadness_depression-c{c}" for c in range(4)))
    adult = {i.video.id for p in scroll(engine, "other", 5) for i in p.items}
    assert "sadness_depression-15" not in adult  # violative: nobody's feed
    assert {f"sadness_depression-{n:02d}" for n in range(10, 15)} <= adult  # potentially harmful: adults' band


def test_a_minors_caps_hold_sensitive_videos_back_without_reordering(engine: feed.Engine) -> None:
    """Every food video counted as sensitive for the teen's band: the cap keeps them a window apart across
    pages, by leaving some out, never by moving anything."""
    follow(engine, "teen", "food-c0", "food-c1", *(f"{t}-c{c}" for t in ("pets", "gaming") for c in range(4)))
    items = engine.items
    band = model.AgeBand.U16
    marked = dataclasses.replace(engine.parts.flags[band], sensitive=items.topic == items.topic_code["food"])
    parts = dataclasses.replace(engine.parts, flags={**engine.parts.flags, band: marked})
    context = engine.context(engine.account("teen"), NOW)
    current = engine.account_state("teen")
    shown: list[int] = []
    after: following.Key | None = None
    held = 0
    while True:
        chosen = following.page(parts, context, current, after=after, n=3)
        if not chosen.positions:
            break
        shown += chosen.positions
        held += chosen.counts["following_held_by_caps"]
        after = chosen.last
    cap = rules.built_in("default").bands[band].dispersion.all_mental_health
    assert cap is not None
    food = [n for n, p in enumerate(shown) if marked.sensitive[p]]
    assert len(food) >= 2 and held > 0
    assert all(b - a >= cap.window for a, b in itertools.pairwise(food))
    times = [float(items.created_at[p]) for p in shown]
    assert times == sorted(times, reverse=True)
    # The same world without the cap's flags shows everything: what was held is only what the cap took.
    everything = following.page(engine.parts, context, current, after=None, n=100).positions
    assert len(everything) == len(shown) + held


def test_sensitive_videos_carry_notes_for_adults_and_are_held_from_minors(engine: feed.Engine) -> None:
    """Following is no way around the minors' hold: an adult sees the creators' sad videos with their notes,
    a 13-year-old following the same creators gets none of them."""
    creators = (*(f"sadness_depression-c{c}" for c in range(4)), "doctor")
    follow(engine, "other", *creators)
    follow(engine, "teen", *creators)
    adult = [i for p in scroll(engine, "other", 4) for i in p.items]
    assert any(i.video.topic == "sadness_depression" for i in adult)
    assert all(i.notes for i in adult if i.video.topic == "sadness_depression")
    minor = [i for p in scroll(engine, "teen", 4) for i in p.items]
    assert not [i.video.id for i in minor if i.video.topic == "sadness_depression"]


def test_a_cursor_of_another_kind_or_account_is_refused(engine: feed.Engine) -> None:
    follow(engine, "other", "food-c0")
    for_you = engine.feed("other", n=3, now=NOW)
    with pytest.raises(feed.InvalidCursor):
        engine.feed("other", n=3, cursor=for_you.next_cursor, tab="following", now=NOW)
    mine = engine.feed("other", n=3, tab="following", now=NOW)
    with pytest.raises(feed.InvalidCursor):
        engine.feed("teen", n=3, cursor=mine.next_cursor, tab="following", now=NOW)
    with pytest.raises(feed.InvalidCursor):
        engine.feed("other", n=3, cursor=mine.next_cursor, now=NOW)  # For You does not take it either
    assert following.is_cursor(mine.next_cursor) and not following.is_cursor(for_you.next_cursor)


def test_pages_are_logged_as_impressions(engine: feed.Engine, world: repository.Store) -> None:
    follow(engine, "other", "food-c0")
    page = engine.feed("other", n=3, tab="following", now=NOW)
    logged = world.impressions_after("other", 0, 10)
    assert [event.video_id for _, event in logged] == [i.video.id for i in page.items]


def without_consent_policy() -> rules.Policy:
    return rules.built_in("ny-ca")


def test_a_minor_without_consent_asking_for_you_gets_following_and_is_told_why(world: repository.Store) -> None:
    engine = feed.build(world, policy=without_consent_policy())
    follow(engine, "teen", "science-c2")
    page = engine.feed("teen", n=5, now=NOW)
    assert page.tab == "following" and page.tab_reason == policy_context.WITHOUT_CONSENT
    assert {i.video.creator_id for i in page.items} == {"science-c2"}
    # The STEM tab, opened by choice, stays, but unprofiled though the teen opted in; an adult is unaffected.
    assert world.account("teen").settings.personalised is True
    stem = engine.feed("teen", n=5, tab="stem", now=NOW)
    assert stem.tab == "stem" and stem.items and not stem.personalised
    assert engine.feed("other", n=5, now=NOW).tab == "for_you"


def test_with_a_guardians_consent_for_you_is_served(world: repository.Store) -> None:
    consented = dataclasses.replace(world.account("teen"), feed_consent=True)
    engine = feed.build(world, policy=without_consent_policy(), resolve=lambda a: consented if a.id == "teen" else a)
    page = engine.feed("teen", n=5, now=NOW)
    assert page.tab == "for_you" and page.tab_reason == "" and page.items


def test_the_default_policy_leaves_for_you_alone(engine: feed.Engine) -> None:
    assert engine.feed("teen", n=5, now=NOW).tab == "for_you"


def test_a_for_you_cursor_held_when_consent_is_withdrawn_starts_following_from_the_newest(
    world: repository.Store,
) -> None:
    consent = {"given": True}

    def resolve(account: model.Account) -> model.Account:
        return dataclasses.replace(account, feed_consent=consent["given"]) if account.id == "teen" else account

    engine = feed.build(world, policy=without_consent_policy(), resolve=resolve)
    follow(engine, "teen", "pets-c1")
    for_you = engine.feed("teen", n=3, now=NOW)
    assert for_you.tab == "for_you"
    consent["given"] = False
    page = engine.feed("teen", n=3, cursor=for_you.next_cursor, now=NOW)
    assert page.tab == "following" and [i.video.id for i in page.items] == ["pets-01", "pets-05", "pets-09"]


def test_what_the_protections_took_is_counted_once_up_to_the_page_end(engine: feed.Engine) -> None:
    """The romanticising sad videos are held from the teen: each counts once, however the tab is paged."""
    follow(engine, "teen", *(f"sadness_depression-c{c}" for c in range(4)))
    context = engine.context(engine.account("teen"), NOW)
    current = engine.account_state("teen")
    whole = following.page(engine.parts, context, current, after=None, n=100)
    paged: Counter[str] = Counter()
    after: following.Key | None = None
    for _ in range(40):
        chosen = following.page(engine.parts, context, current, after=after, n=1)
        paged.update(chosen.counts)
        if not chosen.positions:
            break
        after = chosen.last
    assert whole.counts and paged == whole.counts
