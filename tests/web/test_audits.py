"""The audit report viewer: an auditor logs in, opens a finished run, reads its metrics and sees its plots.

The run is written by hand (job.json, metrics.json, plots/) in the layout
`safefeed.audit.jobs` and `safefeed.audit.report` use, so the test needs no
audit to run; the plots are fetched with the bearer token, as blob URLs.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import struct
import zlib
from pathlib import Path

from playwright import sync_api
from playwright.sync_api import expect

from safefeed import access
from safefeed.audit import report
from tests.web import conftest, people

JOB = "0123abcd4567ef89"


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A plain one-colour PNG (enough for the browser to decode and size it)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def finished_run(audits: Path) -> None:
    folder = audits / JOB
    (folder / "plots").mkdir(parents=True)
    status = {
        "id": JOB,
        "scenario": "amnesty-2023",
        "state": "done",
        "done": 12,
        "total": 12,
        "started_at": dt.datetime(2026, 11, 23, 11, 0, tzinfo=dt.UTC).isoformat(),
        "error": None,
    }
    (folder / "job.json").write_text(json.dumps(status), encoding="utf-8")
    series = {"interested-automated": {"minutes": [10, 20], "share": [0.1, 0.2], "low": [0, 0.1], "high": [0.2, 0.3]}}
    metrics = {
        "scenario": "amnesty-2023",
        "seed": 0,
        "repetitions": 1,
        "catalog_videos": 5000,
        "targets": {
            "safefeed": {
                "summary": {"mh_share_hour_6": 0.04, "ratio_to_control": 1.1, "harmful_items_minors": 0},
                "series": series,
            },
            "engagement": {
                "summary": {"mh_share_hour_6": 0.48, "ratio_to_control": 9.6, "harmful_items_minors": 31},
                "series": series,
            },
        },
        "definitions": {
            "mh_share_hour_6": "mental-health share in the 6th hour",
            "ratio_to_control": "interested / control share",
            "harmful_items_minors": "potentially harmful or violative items served to under-18 personas",
        },
    }
    (folder / "metrics.json").write_text(json.dumps(metrics), encoding="utf-8")
    for name, colour in (("safefeed", (40, 120, 60)), ("engagement", (160, 40, 40)), ("by_target", (60, 60, 160))):
        (folder / "plots" / f"mh_share_{name}.png").write_bytes(png(70, 40, colour))
    (folder / "report.html").write_text("<!doctype html><title>report</title>", encoding="utf-8")


def test_an_auditor_reads_a_report_with_its_plots(page: sync_api.Page, world: conftest.World) -> None:
    finished_run(world.folder / "audits")
    world.safefeed.accounts.register("lab", access.Role.AUDITOR, people.PASSWORD)

    page.goto("/")
    expect(page.get_by_role("heading", name="Welcome to SafeFeed")).to_be_visible()
    conftest.shot(page, "login", "form")
    page.get_by_label("Username").fill("lab")
    page.get_by_label("Password").fill(people.PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_role("heading", name="Audits", level=1)).to_be_visible()

    run = page.locator(f"li[data-audit='{JOB}']")
    expect(run).to_contain_text("amnesty-2023")
    run.get_by_role("button", name="View report").click()
    expect(page.get_by_role("heading", name="Report: amnesty-2023")).to_be_focused()
    table = page.get_by_role("table", name="Metrics by target")
    expect(table.get_by_role("row").filter(has_text="harmful_items_minors")).to_contain_text("31")
    expect(page.locator(".stat").filter(has_text="engagement")).to_contain_text("48%")

    plots = page.locator(".plot img")
    expect(plots).to_have_count(3)
    for index in range(3):
        expect(plots.nth(index)).to_have_attribute("src", re.compile(r"^blob:"))
    page.wait_for_function("[...document.querySelectorAll('.plot img')].every(image => image.complete)")
    widths = plots.evaluate_all("images => images.map(image => image.naturalWidth)")
    assert widths == [70, 70, 70], f"the plots did not load: {widths}"
    conftest.shot(page, "audit", "report")


# The amnesty-2023 scenario's four targets, with figures shaped like a real report's.
FOUR_TARGETS = {
    "engagement": {"mh_share_hour_6": 0.462, "ratio_to_control": 9.614, "harmful_items_minors": 31},
    "default": {"mh_share_hour_6": 0.021, "ratio_to_control": 1.093, "harmful_items_minors": 0},
    "implicit-als": {"mh_share_hour_6": 0.193, "ratio_to_control": 4.302, "harmful_items_minors": 12},
    "null": {"mh_share_hour_6": 0.019, "ratio_to_control": 0.981, "harmful_items_minors": 3},
}


def four_target_run(audits: Path) -> None:
    """The hand-written run, reported on all four targets with every metric and its definition."""
    finished_run(audits)
    path = audits / JOB / "metrics.json"
    metrics = json.loads(path.read_text(encoding="utf-8"))
    series = metrics["targets"]["safefeed"]["series"]
    metrics["definitions"] = dict(report.SUMMARY_KEYS)
    metrics["targets"] = {}
    for name, figures in FOUR_TARGETS.items():
        summary: dict[str, object] = {key: 12.345 for key in report.SUMMARY_KEYS}
        summary |= figures
        summary["mh_share_hour_6_ci"] = [round(figures["mh_share_hour_6"] * 0.8, 3), 0.512]
        summary["ratio_to_control_ci"] = [round(figures["ratio_to_control"] * 0.7, 3), 11.207]
        metrics["targets"][name] = {"summary": summary, "series": series}
    path.write_text(json.dumps(metrics), encoding="utf-8")


def test_a_wide_metrics_table_scrolls_inside_its_card_at_1100_px(
    browser: sync_api.Browser, world: conftest.World
) -> None:
    four_target_run(world.folder / "audits")
    world.safefeed.accounts.register("lab", access.Role.AUDITOR, people.PASSWORD)
    context = browser.new_context(viewport={"width": 1100, "height": 900}, base_url=world.url, reduced_motion="reduce")
    context.set_default_timeout(conftest.TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto("/")
        page.get_by_label("Username").fill("lab")
        page.get_by_label("Password").fill(people.PASSWORD)
        page.get_by_role("button", name="Log in", exact=True).click()
        page.locator(f"li[data-audit='{JOB}']").get_by_role("button", name="View report").click()
        table = page.get_by_role("table", name="Metrics by target")
        expect(table).to_be_visible()

        region = page.get_by_role("region", name="Metrics by target")
        card = page.locator("section.card.report")
        sizes = region.evaluate(
            """(scroller) => {
                const card = scroller.closest('.card').getBoundingClientRect();
                return {scroll: scroller.scrollWidth, client: scroller.clientWidth,
                        style: getComputedStyle(scroller).overflowX,
                        cardRight: card.right, page: document.documentElement.clientWidth,
                        pageScroll: document.documentElement.scrollWidth};
            }"""
        )
        # The table is wider than the card and scrolls inside it; the card and the page stay in bounds.
        assert sizes["style"] in ("auto", "scroll") and sizes["scroll"] > sizes["client"], sizes
        assert sizes["cardRight"] <= sizes["page"] and sizes["pageScroll"] <= sizes["page"], sizes
        # A figure is never broken over lines to squeeze the columns in: each value and each interval is one line.
        ratio = table.get_by_role("row").filter(has_text="ratio_to_control").first
        lines = ratio.locator("td").evaluate_all(
            """cells => cells.map(cell => [...cell.childNodes].map(node => {
                const range = document.createRange();
                range.selectNodeContents(node);
                return new Set([...range.getClientRects()].map(rect => Math.round(rect.top))).size;
            }))"""
        )
        assert len(lines) == 4 and all(count == 1 for cell in lines for count in cell), lines
        expect(card.get_by_text("Scroll the table sideways to see all 4 targets")).to_be_visible()

        # The fourth target's column is reachable: scrolled to the end it lies wholly inside the card,
        # and each row still names its metric (the first column stays in view).
        region.focus()
        page.keyboard.press("End")
        region.evaluate("scroller => { scroller.scrollLeft = scroller.scrollWidth; }")
        last = table.get_by_role("columnheader", name="null")
        inside = last.evaluate(
            """(cell) => {
                const box = cell.getBoundingClientRect();
                const frame = cell.closest('.table-scroll').getBoundingClientRect();
                const name = cell.closest('table').querySelector('tbody th').getBoundingClientRect();
                return {left: box.left, right: box.right, frameLeft: frame.left, frameRight: frame.right,
                        nameLeft: name.left, nameRight: name.right};
            }"""
        )
        assert inside["frameLeft"] <= inside["left"] and inside["right"] <= inside["frameRight"] + 0.5, inside
        assert inside["nameLeft"] >= inside["frameLeft"] - 0.5 and inside["nameRight"] <= inside["left"] + 0.5, inside
        expect(table.get_by_role("row").filter(has_text="harmful_items_minors")).to_contain_text("3")
        last.scroll_into_view_if_needed()
        conftest.shot(page, "audit", "wide-table-scrolled")
    finally:
        context.close()


def test_a_running_audit_shows_its_progress_until_its_report_is_ready(
    page: sync_api.Page, world: conftest.World
) -> None:
    # A run as `Jobs.start` leaves it mid-way (3 of 12 sessions), then as it leaves it when done.
    finished_run(world.folder / "audits")
    status_file = world.folder / "audits" / JOB / "job.json"
    done = json.loads(status_file.read_text(encoding="utf-8"))
    status_file.write_text(json.dumps(done | {"state": "running", "done": 3}), encoding="utf-8")
    world.safefeed.accounts.register("lab", access.Role.AUDITOR, people.PASSWORD)
    page.goto("/")
    page.get_by_label("Username").fill("lab")
    page.get_by_label("Password").fill(people.PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()

    run = page.locator(f"li[data-audit='{JOB}']")
    expect(run.get_by_role("progressbar", name="Progress of amnesty-2023")).to_have_attribute("value", "3")
    expect(run).to_contain_text("3 of 12 sessions")
    expect(run.get_by_role("button", name="View report")).to_have_count(0)
    conftest.shot(page, "audit", "running")

    status_file.write_text(json.dumps(done), encoding="utf-8")  # the list polls while a run is running
    expect(run.get_by_role("button", name="View report")).to_be_visible()
    expect(run.get_by_role("progressbar")).to_have_count(0)
