"""Family Pairing in two browsers: a guardian's code, accepted on the teen's phone, then a limit the teen sees."""

from __future__ import annotations

import re

from playwright import sync_api
from playwright.sync_api import expect

from safefeed import access
from tests.web import conftest, people


def test_a_guardian_links_with_a_code_and_sets_a_limit_the_teen_sees(
    page: sync_api.Page, second_page: sync_api.Page
) -> None:
    teen, guardian = page, second_page
    people.sign_up_guardian(guardian, "mum")
    guardian.get_by_role("button", name="Get a pairing code").click()
    code = guardian.locator("#pairing-code")
    expect(code).to_have_text(re.compile(r"^[2-9A-Z]{4}-[2-9A-Z]{4}$"))
    conftest.shot(guardian, "family", "guardian-code")

    people.sign_up_teen(teen, "kid")
    teen.get_by_role("link", name="Family").click()
    teen.get_by_label("Code from your parent or carer").fill(code.inner_text())
    teen.get_by_role("button", name="Link with my family").click()
    expect(teen.locator("#linked-with")).to_have_text("Linked with: mum")

    # The guardian's page notices by itself that the code was accepted.
    kid = guardian.get_by_role("region", name="kid", exact=True)
    expect(kid).to_contain_text("Today:")
    kid.get_by_label("Minutes a day for kid").fill("45")
    kid.get_by_role("button", name="Set daily limit").click()
    kid = guardian.get_by_role("region", name="kid", exact=True)
    expect(kid.locator(".summary-line")).to_contain_text("Daily limit: 45 minutes (set by family)")
    conftest.shot(guardian, "family", "guardian-limit")

    teen.reload()
    expect(teen.locator("#family-controls")).to_contain_text("45 minutes a day (set by mum)")
    conftest.shot(teen, "family", "teen-sees")
    teen.get_by_role("link", name="Screen time").click()
    expect(teen.locator("#limit-line")).to_contain_text("Your daily limit: 45 minutes (set by your family)")
    # The teen cannot change a limit the family set: the form to change it is not offered.
    expect(teen.get_by_label("My daily limit (minutes)")).to_have_count(0)


def test_at_the_family_limit_the_teen_asks_for_more_time_and_the_guardian_approves(
    page: sync_api.Page, second_page: sync_api.Page, world: conftest.World
) -> None:
    teen, guardian = page, second_page
    people.sign_up_teen(teen, "kid", interests=("gaming",))
    # Already paired, with a 30-minute limit (the pairing itself is the test above).
    wellbeing = world.safefeed.parts.wellbeing
    world.safefeed.accounts.register("dad", access.Role.GUARDIAN, people.PASSWORD)
    wellbeing.accept_pairing(
        world.safefeed.parts.store.account("kid"), wellbeing.pairing_code("dad", world.clock.now), world.clock.now
    )
    wellbeing.guardian_set_limit("dad", world.safefeed.parts.store.account("kid"), 30, world.clock.now)

    people.like_for(teen, world, minutes=30)
    dialog = teen.get_by_role("alertdialog")
    expect(dialog).to_contain_text("30-minute daily limit your family set")
    dialog.get_by_label("Ask your family for more time").select_option("15")
    dialog.get_by_role("button", name="Send request").click()
    expect(dialog.get_by_role("status")).to_contain_text("Request sent")
    conftest.shot(teen, "more-time", "asked")

    # The guardian logs in (the app finds out it is a guardian's login) and approves.
    guardian.goto("/")
    guardian.get_by_label("Username").fill("dad")
    guardian.get_by_label("Password").fill(people.PASSWORD)
    guardian.get_by_role("button", name="Log in", exact=True).click()
    kid = guardian.get_by_role("region", name="kid", exact=True)
    expect(kid.get_by_role("heading", name="Asking for more time")).to_be_visible()
    expect(kid).to_contain_text("15 more minutes")
    conftest.shot(guardian, "more-time", "guardian")
    kid.get_by_role("button", name="Approve").click()
    expect(guardian.get_by_role("heading", name="Asking for more time")).to_have_count(0)

    # Back on the teen's phone: the feed is open again.
    dialog.get_by_role("button", name="Check again").click()
    # The limit has lifted; the break reminder (30 minutes into this session) has its say, then the videos.
    expect(dialog).to_contain_text("scrolling for 30 minutes")
    dialog.get_by_role("button", name="Keep going").click()
    expect(dialog).to_be_hidden()
    expect(teen.locator("article.video").first).to_be_visible()


def test_time_away_planned_by_the_guardian_pauses_the_teens_feed(
    page: sync_api.Page, second_page: sync_api.Page, world: conftest.World
) -> None:
    teen, guardian = page, second_page
    people.sign_up_teen(teen, "kid")
    wellbeing = world.safefeed.parts.wellbeing
    world.safefeed.accounts.register("gran", access.Role.GUARDIAN, people.PASSWORD)
    wellbeing.accept_pairing(
        world.safefeed.parts.store.account("kid"), wellbeing.pairing_code("gran", world.clock.now), world.clock.now
    )

    guardian.goto("/")
    guardian.get_by_label("Username").fill("gran")
    guardian.get_by_label("Password").fill(people.PASSWORD)
    guardian.get_by_role("button", name="Log in", exact=True).click()
    kid = guardian.get_by_role("region", name="kid", exact=True)
    # It is Monday 15:00 in Nairobi: a Monday afternoon window covers now.
    kid.get_by_label("Mon", exact=True).check()
    kid.get_by_label("From").fill("14:00")
    kid.get_by_label("Until").fill("18:00")
    kid.get_by_role("button", name="Add Time Away").click()
    expect(guardian.get_by_role("region", name="kid", exact=True)).to_contain_text("Mon: 14:00–18:00")

    teen.reload()
    dialog = teen.get_by_role("alertdialog")
    expect(dialog.get_by_role("heading", name="Time Away")).to_be_visible()
    expect(dialog).to_contain_text("This lifts by itself at 18:00")
    expect(dialog.get_by_label("Ask your family for more time")).to_be_visible()
    conftest.shot(teen, "time-away", "teen")
