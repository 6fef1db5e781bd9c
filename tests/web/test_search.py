"""Search: videos for everyday words; for a child's search about suicide, help lines instead of videos."""

from __future__ import annotations

import datetime as dt

from playwright import sync_api
from playwright.sync_api import expect

from safefeed import model
from safefeed.recommend import suggestions, vectors
from tests.web import conftest, people


def test_search_finds_videos_and_answers_a_worrying_search_with_help(page: sync_api.Page) -> None:
    people.sign_up_teen(page, "seeker")
    page.get_by_role("link", name="Search").click()
    page.get_by_label("Search videos").fill("puppy")
    page.get_by_role("button", name="Search", exact=True).click()
    results = page.get_by_role("list", name="Results for puppy")
    expect(results.locator("article.video").first).to_be_visible()
    assert all("puppy" in text for text in results.locator("article.video .caption").all_inner_texts())

    page.get_by_label("Search videos").fill("suicide")
    page.get_by_role("button", name="Search", exact=True).click()
    help_box = page.get_by_role("region", name="You're not alone")
    expect(help_box).to_be_visible()
    expect(help_box.get_by_role("listitem").first).to_be_visible()
    expect(page.locator("article.video")).to_have_count(0)
    conftest.shot(page, "search", "help")


def add_reviewed_videos(world: conftest.World, rows: list[tuple[str, str, tuple[str, ...]]]) -> None:
    """Videos a reviewer called everyday ones (so a child may be shown them), served from the next request."""
    store = world.safefeed.parts.store
    reviewed = model.Label(mh_related=False, source=model.LabelSource.REVIEW)
    videos = [
        model.Video(
            id=video_id,
            creator_id="walker",
            caption=caption,
            hashtags=tags,
            duration_s=20,
            created_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
            label=reviewed,
        )
        for video_id, caption, tags in rows
    ]
    store.import_catalog([model.Creator("walker")], videos)
    vectors.ensure_content_vectors(store)
    with world.safefeed.parts.catalog_lock:
        world.safefeed.parts.reload()


def test_the_box_suggests_completions_but_never_a_blocked_search_to_a_child(
    page: sync_api.Page, world: conftest.World
) -> None:
    # A hashtag that names suicide on a video a child may see: only the suggestion rule keeps it out of the box.
    add_reviewed_videos(
        world,
        [
            ("walk-1", "sunny walk in the park", ("sunnyday", "suicideprevention")),
            ("walk-2", "sunny walk by the sea", ("sunnyday", "sewerslide")),
        ],
    )
    people.sign_up_teen(page, "typist")
    engine = world.safefeed.parts.engine
    words = suggestions.vocabulary(engine.parts, engine.context(engine.account("typist"), world.clock())).words
    assert "suicideprevention" in words, "the child may be shown the video: the box must still not offer the tag"
    page.get_by_role("link", name="Search").click()
    box = page.get_by_role("list", name="Suggestions")
    page.get_by_label("Search videos").press_sequentially("su")
    expect(box.get_by_role("button", name="sunnyday")).to_be_visible()
    assert not [word for word in box.get_by_role("button").all_inner_texts() if word != "sunnyday"], (
        "nothing but the everyday hashtag completes 'su' for a child"
    )
    page.get_by_label("Search videos").fill("")
    page.get_by_label("Search videos").press_sequentially("pup")
    expect(box.get_by_role("button", name="puppy")).to_be_visible()
    conftest.shot(page, "search", "suggestions")
    box.get_by_role("button", name="puppy").click()
    results = page.get_by_role("list", name="Results for puppy")
    expect(results.locator("article.video").first).to_be_visible()
    expect(box).to_be_hidden()
