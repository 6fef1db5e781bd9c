"""Search: videos for everyday words; for a child's search about suicide, help lines instead of videos."""

from __future__ import annotations

from playwright import sync_api
from playwright.sync_api import expect

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
