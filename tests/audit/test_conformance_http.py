"""The suite against SafeFeed served over HTTP gives the same verdicts and figures as in process, every test testable.

Over HTTP the audit's simulated clock reaches the server as each call's `?now=` (the server runs with
client_clock on, as `safefeed audit conformance` starts it), so time limits and notifications are tested too.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from safefeed.audit.conformance import adapters, capabilities, requirements, run
from safefeed.store import repository
from tests import serving
from tests.audit.test_conformance import IN_PROCESS, SCALE, world  # noqa: F401  (the session's small world)

CLOCKED = {"time-limits-work", "notifications-quiet"}  # /v1/wellbeing/* on the audit's `?now=`


def figures(doc: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    """Each result as a reader sees it (verdict, reason, every measure with its detail, notes); not its seconds."""
    return {r["id"]: (r["verdict"], r["reason"], r["measures"], r["notes"]) for r in doc["results"]}


def test_http_gives_the_same_verdicts_and_figures_as_in_process(world: Path, tmp_path: Path) -> None:  # noqa: F811
    suite = requirements.load()
    in_process = run.run(suite, "default", tmp_path / "in-process", scale=SCALE, world=world, in_process=IN_PROCESS)
    served = tmp_path / "served"
    served.mkdir()
    shutil.copyfile(world, served / "served.db")
    store = repository.Store.open(f"sqlite:///{served / 'served.db'}")
    settings = serving.settings_for(
        served, client_clock=True, rate_limit="100000/second", login_rate_limit="100000/minute"
    )
    safefeed = serving.make_service(store, serving.ManualClock(), served)
    try:
        with serving.live_server(safefeed, settings) as base:
            over_http = run.run(suite, base, tmp_path / "http", scale=SCALE, world=world)
    finally:
        store.close()
    untested = {r["id"]: r["reason"] for r in over_http["results"] if r["verdict"] in ("not_testable", "error")}
    assert untested == {}
    assert len(over_http["results"]) == len(suite.requirements)
    assert figures(over_http) == figures(in_process)
    over_http_verdicts = {r["id"]: r["verdict"] for r in over_http["results"]}
    assert over_http_verdicts["logged-out-youngest"] == "pass"  # GET /v1/visitor/feed, no token
    assert over_http_verdicts["search-suggestions-safe"] == "pass"  # GET /v1/search/suggestions
    clocked = {r["id"]: len(r["measures"]) for r in over_http["results"] if r["id"] in CLOCKED}
    assert clocked == {"time-limits-work": 3, "notifications-quiet": 2}  # measured on the simulated clock


def test_http_controls_offer_every_control_a_test_needs() -> None:
    target = adapters.HttpControls("http://127.0.0.1:9")  # nothing is called: the protocols are checked
    assert capabilities.missing(target, list(capabilities.PROTOCOLS)) == []
