"""Screen time in the browser: break reminders, the daily limit and its passcode, the dashboard.

The server's clock is the test's (see `people.like_for`): 30 simulated minutes
of likes bring the break reminder, 60 the daily limit.
"""

from __future__ import annotations

import datetime as dt

from playwright import sync_api
from playwright.sync_api import expect

from tests.web import conftest, people


def test_the_daily_limit_stops_the_feed_and_a_passcode_extends_it(page: sync_api.Page, world: conftest.World) -> None:
    people.sign_up_teen(page, "limited", interests=("football",))
    dialog = page.get_by_role("alertdialog")

    people.like_for(page, world, minutes=30)
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading", name="Time for a break?")).to_be_visible()
    expect(dialog).to_contain_text("scrolling for 30 minutes")
    expect(page.locator("#prompt-live")).to_contain_text("scrolling for 30 minutes")
    conftest.shot(page, "session", "prompt")
    # By keyboard: focus starts in the dialog and stays there (the page behind is inert).
    expect(dialog.get_by_role("heading", name="Time for a break?")).to_be_focused()
    page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Take a break")).to_be_focused()
    page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Keep going")).to_be_focused()
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(page.locator("article.video").first).to_be_visible()

    people.like_for(page, world, minutes=30)
    expect(dialog.get_by_role("heading", name="Daily limit reached")).to_be_visible()
    expect(dialog).to_contain_text("60-minute daily limit")
    expect(page.locator("article.video")).to_have_count(0)
    conftest.shot(page, "daily-limit", "prompt")

    # No passcode yet: the prompt offers to set one; then it asks for it.
    dialog.get_by_label("New passcode").fill("tiger42")
    dialog.get_by_role("button", name="Save passcode").click()
    expect(dialog.get_by_label("Your passcode")).to_be_visible()
    dialog.get_by_label("Your passcode").fill("wrong1")
    dialog.get_by_role("button", name="Unlock a few more minutes").click()
    expect(dialog.get_by_role("alert")).to_contain_text("wrong")
    dialog.get_by_label("Your passcode").fill("tiger42")
    dialog.get_by_role("button", name="Unlock a few more minutes").click()
    # Past the limit, the break reminder (due again at 60 minutes) still has its say.
    expect(dialog).to_contain_text("scrolling for 60 minutes")
    dialog.get_by_role("button", name="Keep going").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("article.video").first).to_be_visible()

    # The dashboard shows today's hour, the limit and the chart.
    page.get_by_role("link", name="Screen time").click()
    expect(page.locator("#today-minutes")).to_have_text("1 h 00 min")
    expect(page.locator("#limit-line")).to_contain_text("Your daily limit: 60 minutes")
    expect(page.locator("svg.chart rect.bar")).to_have_count(7)
    page.get_by_role("button", name="By hour").click()
    expect(page.locator("svg.chart rect.bar")).to_have_count(24)
    conftest.shot(page, "screen-time", "dashboard")


def test_wind_down_at_night_asks_twice_and_the_second_time_only_after_a_pause(
    page: sync_api.Page, world: conftest.World
) -> None:
    # The phone's clock agrees with the server's (the page counts down the confirmation delay).
    page.clock.install(time=world.clock.now)
    people.sign_up_teen(page, "nightowl")

    # 22:05 in Nairobi (19:05 UTC): past a 13-year-old's wind-down hour.
    world.clock.advance(dt.timedelta(hours=7, minutes=5))
    page.clock.set_system_time(world.clock.now)
    page.reload()
    dialog = page.get_by_role("alertdialog")
    expect(dialog.get_by_role("heading", name="Time to wind down")).to_be_visible()
    expect(dialog).to_contain_text("This lifts by itself at 06:00")
    # The screen says why the feed rests (it is night where the account lives) and what each answer does.
    expect(dialog.get_by_role("heading", name="Why the feed is resting")).to_be_visible()
    expect(dialog).to_contain_text("It's night where you are (Nairobi time)")
    expect(dialog).to_contain_text("this is one of SafeFeed's protections")
    answers = dialog.get_by_role("listitem")
    expect(answers.filter(has_text="Good night")).to_contain_text("the feed keeps resting until 06:00")
    expect(answers.filter(has_text="Not yet")).to_contain_text("your videos come back now")
    expect(answers.filter(has_text="Not yet")).to_contain_text("asked once more")
    conftest.shot(page, "wind-down", "first")
    dialog.get_by_role("button", name="Not yet").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("article.video").first).to_be_visible()

    # Ten minutes later the second, harder screen: confirming needs a tick and a pause.
    world.clock.advance(dt.timedelta(minutes=10))
    page.clock.set_system_time(world.clock.now)
    page.reload()
    expect(dialog.get_by_role("heading", name="Still scrolling?")).to_be_visible()
    expect(dialog).to_contain_text("Confirming brings your videos back for the rest of tonight")
    anyway = dialog.get_by_role("button", name="Keep scrolling anyway")
    expect(anyway).to_be_disabled()
    dialog.get_by_label("I know it's late and I still want to keep going.").check()
    expect(anyway).to_be_disabled()
    expect(dialog.locator(".countdown")).to_contain_text("You can confirm in")
    conftest.shot(page, "wind-down", "second")

    world.clock.advance(dt.timedelta(seconds=11))
    page.clock.run_for(11_000)
    expect(anyway).to_be_enabled()
    anyway.click()
    expect(dialog).to_be_hidden()
    expect(page.locator("article.video").first).to_be_visible()
