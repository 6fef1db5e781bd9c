"""The web app in a real browser: Debian's Chromium driven by Playwright, against the real app on 127.0.0.1.

Each test gets its own served world (the tiny catalog, a fresh database, a clock the
test moves) and a phone-sized page. Screenshots land in test-artifacts/screenshots/
so a CI run keeps what the pages looked like.

Playwright never downloads a browser here: it launches /usr/bin/chromium, which
`.ci/run` installs from Debian (`apt-get install chromium`).
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from playwright import sync_api

from safefeed import services
from tests import serving

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE: sync_api.ViewportSize = {"width": 390, "height": 844}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def browser() -> Iterator[sync_api.Browser]:
    if not CHROMIUM.exists():
        pytest.skip(
            f"no browser at {CHROMIUM}: install Debian's Chromium (`apt-get install chromium`, as .ci/run does)"
        )
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


class World:
    """A served SafeFeed: its base URL, the service behind it and the clock the test moves."""

    def __init__(self, url: str, safefeed: services.SafeFeed, clock: serving.ManualClock, folder: Path) -> None:
        self.url = url
        self.safefeed = safefeed
        self.clock = clock
        self.folder = folder


@pytest.fixture
def world(tmp_path: Path, world_template: Path) -> Iterator[World]:
    store = serving.world_store(tmp_path, template=world_template)
    clock = serving.ManualClock()
    safefeed = serving.make_service(store, clock, tmp_path)
    settings = serving.settings_for(tmp_path, login_rate_limit="1000/minute", rate_limit="1000/second")
    with serving.live_server(safefeed, settings) as url:
        yield World(url, safefeed, clock, tmp_path)
    store.close()


def _context(browser: sync_api.Browser, world: World) -> sync_api.BrowserContext:
    context = browser.new_context(viewport=PHONE, base_url=world.url, reduced_motion="reduce")
    context.set_default_timeout(TIMEOUT_MS)
    # Nothing may leave 127.0.0.1: a request elsewhere (a CDN, a font) fails the page loudly.
    context.route(re.compile(r"^(?!http://127\.0\.0\.1[:/]).*"), lambda route: route.abort())
    return context


@pytest.fixture
def page(browser: sync_api.Browser, world: World, request: pytest.FixtureRequest) -> Iterator[sync_api.Page]:
    """A phone-sized page (390x844) on the served app; a failing test leaves a screenshot."""
    context = _context(browser, world)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    # Console errors other than an API's refusal (a 4xx the page handles): CSP violations, bad modules...
    opened.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and not message.text.startswith("Failed to load resource")
            else None
        ),
    )
    yield opened
    if _failed(request):
        shot(opened, request.node.name, "failed")
    context.close()
    assert not errors, f"the page reported errors: {errors}"


@pytest.fixture
def second_page(browser: sync_api.Browser, world: World, request: pytest.FixtureRequest) -> Iterator[sync_api.Page]:
    """Another person on another phone (a guardian beside the teen)."""
    context = _context(browser, world)
    opened = context.new_page()
    yield opened
    if _failed(request):
        shot(opened, request.node.name, "failed-second")
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    setattr(item, f"report_{report.when}", report)  # the page fixture screenshots a failed test
    return report


def _failed(request: pytest.FixtureRequest) -> bool:
    report = getattr(request.node, "report_call", None)
    return report is None or bool(report.failed)


def shot(page: sync_api.Page, test: str, name: str) -> Path:
    """Keep a screenshot of what the person sees now, as a test artefact."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', test)}-{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path
