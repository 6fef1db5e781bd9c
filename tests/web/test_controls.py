"""'My feed': personalisation with its explanation, what SafeFeed knows, and starting afresh."""

from __future__ import annotations

from playwright import sync_api
from playwright.sync_api import expect

from tests.web import conftest, people


def test_personalisation_is_off_for_a_new_teen_until_they_turn_it_on(page: sync_api.Page) -> None:
    people.sign_up_teen(page, "chooser", interests=("science",))
    expect(page.locator(".about-feed")).to_contain_text("isn't based on what you watch")

    page.get_by_role("link", name="My feed").click()
    switch = page.get_by_role("switch", name="Base my feed on what I watch and like")
    expect(switch).not_to_be_checked()
    expect(page.locator("#personalisation .explain")).to_contain_text("Off: you see popular videos")
    switch.check()
    expect(page.locator("#personalisation .explain")).to_contain_text("On: we use what you watch")
    expect(page.get_by_role("switch", name="Base my feed on what I watch and like")).to_be_focused()
    expect(page.locator("#known")).to_contain_text("Personalisedyes")
    conftest.shot(page, "controls", "personalised")

    page.get_by_role("link", name="For You").click()
    expect(page.locator(".about-feed")).to_contain_text("This feed is based on what you watch")

    page.get_by_role("link", name="My feed").click()
    page.get_by_role("button", name="Refresh my feed").click()
    page.get_by_role("button", name="Yes, start fresh").click()
    expect(page.locator("#refresh")).to_contain_text("Your feed starts fresh.")
