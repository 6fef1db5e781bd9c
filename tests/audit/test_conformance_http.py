"""The suite against SafeFeed served over HTTP gives the same figures as in process, for what HTTP can test."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from safefeed.audit.conformance import requirements, run
from safefeed.store import repository
from tests import serving
from tests.audit.test_conformance import IN_PROCESS, SCALE, world  # noqa: F401  (the session's small world)

OVER_HTTP_ONLY_IN_PROCESS = {"time-limits-work", "notifications-quiet"}  # /v1/wellbeing reads the server's clock


def figures(doc: dict[str, Any]) -> dict[str, tuple[str, list[tuple[str, float]]]]:
    return {
        r["id"]: (r["verdict"], [(m["name"], round(m["estimate"], 9)) for m in r["measures"]])
        for r in doc["results"]
        if r["id"] not in OVER_HTTP_ONLY_IN_PROCESS
    }


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
    assert figures(over_http) == figures(in_process)
    untestable = {r["id"]: r["reason"] for r in over_http["results"] if r["id"] in OVER_HTTP_ONLY_IN_PROCESS}
    assert all("wellbeing" in reason or "notifications" in reason for reason in untestable.values())
    over_http_verdicts = {r["id"]: r["verdict"] for r in over_http["results"]}
    assert over_http_verdicts["logged-out-youngest"] == "pass"  # GET /v1/visitor/feed, no token
    assert over_http_verdicts["search-suggestions-safe"] == "pass"  # GET /v1/search/suggestions
