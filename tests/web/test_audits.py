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
