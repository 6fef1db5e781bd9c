"""The admin's catalog page: importing a file as a job, and the embedding's progress while the app serves.

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


UPLOAD = (
    "id,creator_id,caption,hashtags,duration_s\n"
    "up-1,kite-club,kites over the beach at dawn,kites beach,20\n"
    "up-2,kite-club,how to fold a paper kite,kites crafts,35\n"
    "up-3,chef-ama,ten-minute jollof rice,cooking,48\n"
)


def csv_file(text: str) -> sync_api.FilePayload:
    return {"name": "kites.csv", "mimeType": "text/csv", "buffer": text.encode()}


def log_in_as_admin(page: sync_api.Page, world: conftest.World) -> None:
    world.safefeed.accounts.register("root", access.Role.ADMIN, people.PASSWORD)
    page.goto("/")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill(people.PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_role("heading", name="Catalog", level=1)).to_be_visible()


def test_an_admin_uploads_a_catalog_and_follows_the_import_to_done(page: sync_api.Page, world: conftest.World) -> None:
    log_in_as_admin(page, world)
    form = page.get_by_role("form", name="Import a catalog")
    form.get_by_label("Catalog file").set_input_files(csv_file(UPLOAD))
    progress = page.locator("#import-progress")
    bar = progress.get_by_role("progressbar", name="Import progress")
    busy = world.safefeed.admin._one_import  # another import under way: this one waits its turn, visibly
    busy.acquire()
    try:
        form.get_by_role("button", name="Import").click()
        expect(progress).to_contain_text("Waiting for another import to finish")
        expect(progress).to_contain_text("kites.csv: 3 videos from 2 creators")
        expect(bar).to_have_attribute("value", "0")
        conftest.shot(page, "catalog", "import-waiting")
    finally:
        busy.release()
    expect(progress).to_contain_text("Imported kites.csv: 3 videos from 2 creators. They are in the feed now.")
    expect(bar).to_have_attribute("value", "1")
    expect(bar).to_have_attribute("max", "1")
    conftest.shot(page, "catalog", "import-done")
    assert {"up-1", "up-2", "up-3"} <= set(world.safefeed.parts.engine.items.position)
    expect(page.locator("#catalog-progress")).to_contain_text("123 of 123 videos embedded (100%)")


def test_a_bad_file_is_refused_at_once_naming_its_row(page: sync_api.Page, world: conftest.World) -> None:
    log_in_as_admin(page, world)
    before = world.safefeed.parts.store.count_videos()
    form = page.get_by_role("form", name="Import a catalog")
    bad = UPLOAD.replace("ten-minute jollof rice,cooking,48", "ten-minute jollof rice,cooking,forty")
    form.get_by_label("Catalog file").set_input_files(csv_file(bad))
    form.get_by_role("button", name="Import").click()
    alert = form.get_by_role("alert")
    expect(alert).to_contain_text("kites.csv: 1 error, nothing was imported")
    expect(alert).to_contain_text("kites.csv:4: column 'duration_s': 'forty' is not a number")
    assert world.safefeed.parts.store.count_videos() == before
