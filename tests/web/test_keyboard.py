"""The feed without a mouse: a sensible focus order, a focus ring you can see, buttons that are buttons."""

from __future__ import annotations

from playwright import sync_api
from playwright.sync_api import expect

from tests.web import conftest, people


def focused(page: sync_api.Page) -> str:
    text: str = page.evaluate("document.activeElement.innerText || document.activeElement.getAttribute('aria-label')")
    return text.strip().splitlines()[0]


def test_a_card_can_be_used_by_keyboard_alone(page: sync_api.Page) -> None:
    people.sign_up_teen(page, "keys")
    expect(page.get_by_role("heading", name="For You", level=1)).to_be_focused()

    # Top to bottom: the page's own controls, then the first card's (its help line's links, if it has one).
    first = page.locator("article.video").first
    links = first.locator(".help-line a").all_inner_texts()
    expected = [
        "Search",
        "For You",
        "Following",
        "STEM",
        "Pause",
        *links,
        "Like",
        "Follow",
        "Share",
        "Why this video?",
        "Not interested",
    ]
    order = []
    for _ in expected:
        page.keyboard.press("Tab")
        order.append(focused(page))
    assert order == expected
    ring = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert ring == "solid", f"the focused button shows no focus ring (outline-style {ring})"

    page.keyboard.press("Enter")
    card = page.locator("article.video").first
    menu = card.get_by_role("group", name="Not interested in…")
    expect(menu).to_be_visible()
    expect(menu.get_by_role("button", name="This video")).to_be_focused()
    conftest.shot(page, "keyboard", "not-interested-menu")
    video = card.get_attribute("data-video-id")
    page.keyboard.press("Enter")
    note = page.locator(".hidden-note")
    expect(note).to_have_text("You won't see this video again.")
    expect(note).to_be_focused()
    assert video not in people.video_ids(page)
