"""The suite against SafeFeed served over HTTP gives the same verdicts and figures as in process, every test testable.

Over HTTP the audit's simulated clock reaches the server as each call's `?now=` (the server runs with
client_clock on, as `safefeed audit conformance` starts it), so time limits and notifications are tested too.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette import responses
from starlette.types import ASGIApp, Receive, Scope, Send

from safefeed.api import app as api_app
from safefeed.audit import targets
from safefeed.audit.conformance import adapters, capabilities, requirements, run
from safefeed.store import repository
from tests import serving
from tests.audit.test_conformance import IN_PROCESS, SCALE, world  # noqa: F401  (the session's small world)

CLOCKED = {"time-limits-work", "notifications-quiet"}  # /v1/wellbeing/* on the audit's `?now=`


def figures(doc: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    """Each result as a reader sees it (verdict, reason, every measure with its detail, notes); not its seconds."""
    return {r["id"]: (r["verdict"], r["reason"], r["measures"], r["notes"]) for r in doc["results"]}


class Lacking:
    """ASGI middleware: 404 for every path under `prefix`, as a feed without those routes answers."""

    def __init__(self, app: ASGIApp, prefix: str) -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(self.prefix):
            await responses.JSONResponse({"detail": "Not Found"}, status_code=404)(scope, receive, send)
            return
        await self.app(scope, receive, send)


@contextlib.contextmanager
def served(world: Path, folder: Path, *, without: str = "") -> Iterator[str]:  # noqa: F811
    """SafeFeed over a copy of `world`, served as the audit serves it (client clock on); routes under `without`
    removed, as a feed that lacks those controls."""
    folder.mkdir()
    shutil.copyfile(world, folder / "served.db")
    store = repository.Store.open(f"sqlite:///{folder / 'served.db'}")
    settings = serving.settings_for(
        folder, client_clock=True, rate_limit="100000/second", login_rate_limit="100000/minute"
    )
    app = api_app.create_app(settings, safefeed=serving.make_service(store, serving.ManualClock(), folder))
    if without:
        app.add_middleware(Lacking, prefix=without)
    try:
        with serving.serve_app(app, log_level="warning") as base:
            yield base
    finally:
        store.close()


def test_http_gives_the_same_verdicts_and_figures_as_in_process(world: Path, tmp_path: Path) -> None:  # noqa: F811
    suite = requirements.load()
    in_process = run.run(suite, "default", tmp_path / "in-process", scale=SCALE, world=world, in_process=IN_PROCESS)
    with served(world, tmp_path / "served") as base:
        over_http = run.run(suite, base, tmp_path / "http", scale=SCALE, world=world)
    untested = {r["id"]: r["reason"] for r in over_http["results"] if r["verdict"] in ("not_testable", "error")}
    assert untested == {}
    assert len(over_http["results"]) == len(suite.requirements)
    assert figures(over_http) == figures(in_process)
    over_http_verdicts = {r["id"]: r["verdict"] for r in over_http["results"]}
    assert over_http_verdicts["logged-out-youngest"] == "pass"  # GET /v1/visitor/feed, no token
    assert over_http_verdicts["search-suggestions-safe"] == "pass"  # GET /v1/search/suggestions
    clocked = {r["id"]: len(r["measures"]) for r in over_http["results"] if r["id"] in CLOCKED}
    assert clocked == {"time-limits-work": 3, "notifications-quiet": 2}  # measured on the simulated clock


def test_a_feed_without_the_wellbeing_routes_is_not_testable_for_them(world: Path, tmp_path: Path) -> None:  # noqa: F811
    full = requirements.load()
    suite = full.model_copy(update={"requirements": tuple(r for r in full.requirements if r.id in CLOCKED)})
    with served(world, tmp_path / "served", without="/v1/wellbeing") as base:
        doc = run.run(suite, base, tmp_path / "http", scale=SCALE, world=world)
    verdicts = {r["id"]: (r["verdict"], r["reason"]) for r in doc["results"]}
    assert set(verdicts) == CLOCKED
    for verdict, reason in verdicts.values():
        assert verdict == "not_testable"
        assert "/v1/wellbeing/" in reason and "no such control" in reason, reason
    assert doc["passed"]  # not testable never fails the gate; it is listed


def test_http_controls_offer_every_control_a_test_needs() -> None:
    target = adapters.HttpControls("http://127.0.0.1:9")  # nothing is called: the protocols are checked
    assert capabilities.missing(target, list(capabilities.PROTOCOLS)) == []


def test_served_policy_starts_safefeed_serve_and_tests_it_over_http(world: Path, tmp_path: Path) -> None:  # noqa: F811
    """`safefeed audit conformance served:default` serves the world itself (a real `safefeed serve`), then stops it."""
    whole = requirements.load()
    chosen = ("logged-out-youngest", "time-limits-work")  # the visitor route and the client clock, over the wire
    suite = whole.model_copy(update={"requirements": tuple(r for r in whole.requirements if r.id in chosen)})
    doc = run.run(suite, "served:default", tmp_path / "served", scale=SCALE, world=world)
    assert doc["kind"] == "served"
    over_http = {r["id"]: r for r in doc["results"]}
    in_process = run.run(suite, "default", tmp_path / "in-process", scale=SCALE, world=world, in_process=IN_PROCESS)
    assert figures(doc) == figures(in_process) and set(over_http) == set(chosen)


def test_served_needs_a_policy() -> None:
    assert run.spec("served:engagement").policy == "engagement"
    with pytest.raises(targets.AuditError, match="served:POLICY needs a policy"):
        run.spec("served:null")
