"""What a person does in the web app, step by step, as the tests' shared vocabulary."""

from __future__ import annotations

import datetime as dt

from playwright import sync_api
from playwright.sync_api import expect

from tests.web import conftest

PASSWORD = "correct horse battery"


def sign_up_teen(page: sync_api.Page, name: str, *, interests: tuple[str, ...] = (), birth_year: int = 2012) -> None:
    """Sign up through the form as a 13-year-old in Nairobi; lands on the feed."""
    page.goto("/")
    page.get_by_role("button", name="New here? Sign up").click()
    page.get_by_label("Pick a username").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Year you were born").fill(str(birth_year))
    page.get_by_label("Where you live").select_option("KE")
    page.get_by_label("Time zone").fill("Africa/Nairobi")
    for topic in interests:
        page.get_by_label(topic, exact=True).check()
    page.get_by_role("button", name="Sign up", exact=True).click()
    expect(page.get_by_role("heading", name="For You", level=1)).to_be_visible()
    expect(page.locator("article.video").first).to_be_visible()


def sign_up_guardian(page: sync_api.Page, name: str) -> None:
    page.goto("/")
    page.get_by_role("button", name="I'm a parent or carer").click()
    page.get_by_label("Pick a username").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create parent login").click()
    expect(page.get_by_role("heading", name="Family Pairing", level=1)).to_be_visible()


def video_ids(page: sync_api.Page) -> list[str]:
    ids: list[str] = page.locator("article.video").evaluate_all("cards => cards.map(card => card.dataset.videoId)")
    return ids


def shown_topics(page: sync_api.Page) -> list[str]:
    """The topic line on each card, as the person reads it ("Topic: pets")."""
    return [text.removeprefix("Topic: ") for text in page.locator("article.video .topic").all_inner_texts()]


def scroll_for_more(page: sync_api.Page, *, more_than: int) -> None:
    """Scroll to the bottom until more than `more_than` videos are on the page."""
    cards = page.locator("article.video")
    for _ in range(20):
        if cards.count() > more_than:
            return
        page.mouse.wheel(0, 4000)
        page.wait_for_timeout(150)
    expect(cards).to_have_count(more_than + 1, timeout=1)  # fails with what was counted


def show_more(page: sync_api.Page) -> None:
    """Ask for the next page with the button at the end of the feed (as a keyboard user would)."""
    before = page.locator("article.video").count()
    page.get_by_role("button", name="Show more videos").click()
    page.wait_for_function(
        "n => document.querySelectorAll('article.video').length > n || document.getElementById('load-more').hidden",
        arg=before,
    )
    expect(page.locator("#load-more")).to_be_enabled()


def like_for(page: sync_api.Page, world: conftest.World, *, minutes: int) -> None:
    """Like a video every 5 simulated minutes for `minutes`, then ask for the feed again.

    Screen time counts from activity moments (a page request, an event such as a like),
    at most 5 minutes (the idle cut-off) from one moment to the next: so each like adds
    5 minutes. Prompts come with the next page the feed asks for.
    """
    likes = page.locator("article.video").get_by_role("button", name="Like", exact=True)
    for _ in range(minutes // 5):
        world.clock.advance(dt.timedelta(minutes=5))
        with page.expect_response(lambda answer: answer.url.endswith("/v1/events") and answer.ok):
            likes.first.click()
    page.reload()
