"""The admin's catalog page: the embedding's progress while the app serves what is embedded so far.

The served world starts with vectors for 20 of its 120 videos (as `safefeed demo` starts);
the test then embeds the rest with the real background embedder; the server's catalog follower
picks them up, and the page, polling, says when every video is in the feed.
"""

from __future__ import annotations

import sqlalchemy as sa
from playwright import sync_api
from playwright.sync_api import expect

from safefeed import access
from safefeed.content import backfill
from safefeed.store import schema
from tests.web import conftest, people


def keep_vectors_of_the_first(world: conftest.World, count: int) -> None:
    store = world.safefeed.parts.store
    vectors = schema.video_vectors
    with store.engine.begin() as connection:
        later = sa.select(vectors.c.video_id).order_by(vectors.c.video_id).offset(count)
        connection.execute(sa.delete(vectors).where(vectors.c.video_id.in_(later)))
    store.catalog_changed()
    world.safefeed.follow_catalog()  # what the server's follower thread does every few seconds


def test_an_admin_watches_the_catalog_join_the_feed(page: sync_api.Page, world: conftest.World) -> None:
    keep_vectors_of_the_first(world, 20)
    world.safefeed.accounts.register("root", access.Role.ADMIN, people.PASSWORD)
    page.goto("/")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill(people.PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()

    expect(page.get_by_role("heading", name="Catalog", level=1)).to_be_visible()
    progress = page.locator("#catalog-progress")
    expect(progress).to_contain_text("20 of 120 videos embedded (16%)")
    expect(progress).to_contain_text("20 are in the feed now; the rest join as their vectors arrive")
    expect(progress.get_by_role("progressbar", name="Videos embedded")).to_have_attribute("value", "20")
    conftest.shot(page, "catalog", "embedding")

    backfill.run(world.safefeed.parts.store)  # the server's catalog follower picks the vectors up by itself
    expect(progress).to_contain_text("120 of 120 videos embedded (100%)")
    expect(progress).to_contain_text("All 120 videos are in the feed.")
    conftest.shot(page, "catalog", "complete")

    page.get_by_role("link", name="Audits").click()  # an admin also reaches the audit viewer
    expect(page.get_by_role("heading", name="Audits", level=1)).to_be_visible()
