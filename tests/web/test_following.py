"""The Following tab and a guardian's consent, in two browsers, on a server under the ny-ca policy:
a teen without consent lands on Following and is told why; once the guardian consents, For You appears."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright import sync_api
from playwright.sync_api import expect

from tests import serving
from tests.web import conftest, people


@pytest.fixture
def world(tmp_path: Path, world_template: Path) -> Iterator[conftest.World]:
    """The served world of `conftest.world`, under the policy that makes Following the default without consent."""
    store = serving.world_store(tmp_path, template=world_template)
    clock = serving.ManualClock()
    safefeed = serving.make_service(store, clock, tmp_path, policy="ny-ca")
    settings = serving.settings_for(tmp_path, policy="ny-ca", login_rate_limit="1000/minute", rate_limit="1000/second")
    with serving.live_server(safefeed, settings) as url:
        yield conftest.World(url, safefeed, clock, tmp_path)
    store.close()


def tabs(page: sync_api.Page) -> sync_api.Locator:
    return page.get_by_role("group", name="Which feed")


def sign_up(page: sync_api.Page, name: str) -> None:
    """A 13-year-old signs up (as `people.sign_up_teen`, but the feed they land on may be empty)."""
    page.goto("/")
    page.get_by_role("button", name="New here? Sign up").click()
    page.get_by_label("Pick a username").fill(name)
    page.get_by_label("Password").fill(people.PASSWORD)
    page.get_by_label("Year you were born").fill("2012")
    page.get_by_label("Where you live").select_option("KE")
    page.get_by_label("Time zone").fill("Africa/Nairobi")
    page.get_by_role("button", name="Sign up", exact=True).click()


def test_a_teen_without_consent_lands_on_following_and_for_you_comes_with_the_guardians_consent(
    page: sync_api.Page, second_page: sync_api.Page
) -> None:
    teen, guardian = page, second_page
    sign_up(teen, "kid")
    expect(teen.get_by_role("heading", name="Following", level=1)).to_be_visible()
    expect(tabs(teen).get_by_role("button", name="Following")).to_have_attribute("aria-pressed", "true")
    expect(teen.locator("#tab-reason")).to_contain_text("needs your parent or carer's consent")
    expect(teen.locator(".feed-status")).to_contain_text("follow creators to fill this tab")
    conftest.shot(teen, "following", "empty-without-consent")

    # Asking for For You again gives Following again, and says why.
    tabs(teen).get_by_role("button", name="For You").click()
    expect(tabs(teen).get_by_role("button", name="Following")).to_have_attribute("aria-pressed", "true")
    expect(teen.locator("#tab-reason")).to_be_visible()

    # The STEM tab, opened by choice, has videos: the teen follows the creator of the first one.
    tabs(teen).get_by_role("button", name="STEM").click()
    first = teen.locator("article.video").first
    expect(first).to_be_visible()
    creator = first.get_attribute("data-creator") or ""
    first.get_by_role("button", name="Follow").click()
    expect(first.get_by_role("button", name="Following")).to_be_visible()
    tabs(teen).get_by_role("button", name="Following").click()
    cards = teen.locator("article.video")
    expect(cards.first).to_be_visible()
    shown = cards.evaluate_all("cards => cards.map(card => card.dataset.creator)")
    assert creator and set(shown) == {creator}
    conftest.shot(teen, "following", "followed")

    # The guardian pairs and consents.
    people.sign_up_guardian(guardian, "mum")
    guardian.get_by_role("button", name="Get a pairing code").click()
    code = guardian.locator("#pairing-code")
    expect(code).to_have_text(re.compile(r"^[2-9A-Z]{4}-[2-9A-Z]{4}$"))
    teen.get_by_role("link", name="Family").click()
    expect(teen.locator("#consent-needed")).to_contain_text("Until a parent or carer agrees")
    teen.get_by_label("Code from your parent or carer").fill(code.inner_text())
    teen.get_by_role("button", name="Link with my family").click()
    expect(teen.locator("#linked-with")).to_have_text("Linked with: mum")

    kid = guardian.get_by_role("region", name="kid", exact=True)
    expect(kid).to_contain_text("kid sees the Following feed")
    kid.get_by_role("button", name="Allow the For You feed").click()
    kid = guardian.get_by_role("region", name="kid", exact=True)
    expect(kid).to_contain_text("kid has the For You feed: you agreed")
    expect(kid.get_by_role("button", name="Withdraw consent to For You")).to_be_visible()
    conftest.shot(guardian, "following", "guardian-consented")

    teen.reload()
    expect(teen.locator("#family-controls")).to_contain_text("Your family agreed to it")
    teen.get_by_role("link", name="For You").click()
    expect(teen.get_by_role("heading", name="For You", level=1)).to_be_visible()
    expect(tabs(teen).get_by_role("button", name="For You")).to_have_attribute("aria-pressed", "true")
    expect(teen.locator("article.video").first).to_be_visible()
    expect(teen.locator("#tab-reason")).to_be_hidden()
    conftest.shot(teen, "following", "for-you-with-consent")
