"""A prepared world for the reliability tests: every kind of caller, linked and unlinked, with data on record.

Building the tiny catalog embeds 120 captions (seconds to a minute on a busy
box), so it is built once per session and copied for each test that changes it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import logging
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path

import fastapi
import pytest
from fastapi import testclient

from safefeed import access, config, model, services
from safefeed import jobs as background
from safefeed.api import app as api_app
from safefeed.audit import jobs
from safefeed.store import repository
from tests import serving

# Ids with a suffix no catalog text contains, so a leak of one into an answer can be searched for.
ACCOUNT = "amani-q7"
OTHER_ACCOUNT = "baraka-q7"
LINKED_GUARDIAN = "parent-q7"
UNLINKED_GUARDIAN = "stranger-q7"
OTHERS_GUARDIAN = "aunt-q7"  # baraka's guardian, so "another account" is a whole family too
ADMIN = "admin-q7"
AUDITOR = "auditor-q7"
PASSWORD = "correct horse battery staple"
PASSCODE = "2468"
JOB_ID = "0123456789abcdef"


@dataclasses.dataclass(frozen=True)
class Template:
    """A closed store on disk (`served.db`, `audits/`) and what the tests need to know about it."""

    folder: Path
    tokens: Mapping[str, str]  # principal id -> a bearer token valid at `serving.START` for 30 days
    request_id: int  # amani's pending request for more time
    video_ids: tuple[str, ...]  # a few videos amani was shown


@dataclasses.dataclass
class World:
    """A running copy of the template: the service, the app in process, the driven clock."""

    template: Template
    folder: Path
    safefeed: services.SafeFeed
    app: fastapi.FastAPI
    client: testclient.TestClient
    clock: serving.ManualClock

    def headers(self, principal_id: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.template.tokens[principal_id]}"}


class IdleJobs(jobs.Jobs):
    """Accepts an audit without running it: these tests check who may start one, not the run itself."""

    def start(
        self, scenario_name: str, *, scale: float, repetitions: int | None, now: dt.datetime, wait: bool = False
    ) -> jobs.Status:
        self.scenario(scenario_name, scale=scale, repetitions=repetitions)  # a bad scenario is still refused
        status = jobs.status_of(f"{len(self.recent()):016x}", scenario_name, "running", 0, 1, now)
        (self.root / status.id).mkdir(parents=True)
        self.board.save(status)
        return status


def _finished_job(root: Path) -> None:
    """A finished audit's folder as `Jobs` writes it, so its report routes have something to answer."""
    folder = root / JOB_ID
    folder.mkdir(parents=True)
    status = jobs.status_of(JOB_ID, "amnesty-2023", "done", 1, 1, serving.START)
    (folder / jobs.STATUS_FILE).write_text(json.dumps(status.to_file()), encoding="utf-8")
    (folder / "metrics.json").write_text(json.dumps({"arms": {}, "scenario": "amnesty-2023"}), encoding="utf-8")
    (folder / "report.html").write_text("<html><body>report</body></html>", encoding="utf-8")


def _finished_import(root: Path) -> None:
    """A finished catalog import's folder as `safefeed.jobs` writes it (same id as the audit's)."""
    board = background.Board(root, "import")
    (root / JOB_ID).mkdir(parents=True)
    board.save(background.Status(JOB_ID, "import", "done", 1, 1, serving.START, phase="serving", about={"videos": 1}))


def build_template(folder: Path) -> Template:
    """Two families (a teen and a guardian each), a guardian of no one, an admin and an auditor."""
    folder.mkdir(parents=True, exist_ok=True)
    store = serving.world_store(folder)
    clock = serving.ManualClock()
    safefeed = serving.make_service(store, clock, folder)
    safefeed.parts.wellbeing.hasher = serving.CHEAP_HASHER  # passcodes are checked at the cost their hash names
    for teen, born in ((ACCOUNT, 2012), (OTHER_ACCOUNT, 2011)):
        account = model.Account(teen, birth_year=born, region="KE", timezone="Africa/Nairobi")
        safefeed.accounts.sign_up(account, PASSWORD)
    tokens = {teen: safefeed.parts.logins.issue(teen, clock()) for teen in (ACCOUNT, OTHER_ACCOUNT)}
    for principal, role in (
        (LINKED_GUARDIAN, access.Role.GUARDIAN),
        (UNLINKED_GUARDIAN, access.Role.GUARDIAN),
        (OTHERS_GUARDIAN, access.Role.GUARDIAN),
        (ADMIN, access.Role.ADMIN),
        (AUDITOR, access.Role.AUDITOR),
    ):
        tokens[principal] = safefeed.accounts.register(principal, role, PASSWORD)
    for guardian, teen in ((LINKED_GUARDIAN, ACCOUNT), (OTHERS_GUARDIAN, OTHER_ACCOUNT)):
        code = safefeed.parts.wellbeing.pairing_code(guardian, clock())
        safefeed.parts.wellbeing.accept_pairing(store.account(teen), code, clock())
        safefeed.parts.wellbeing.set_passcode(store.account(teen), PASSCODE, clock())
    shown: list[str] = []
    for teen in (ACCOUNT, OTHER_ACCOUNT):
        answer = safefeed.feed.page(teen, n=5)
        assert answer.page is not None, answer.prompt
        videos = [item.video.id for item in answer.page.items]
        shown = shown or videos
        safefeed.feed.record(
            [model.Event(teen, model.EventKind.WATCH, clock(), video_id=video, fraction=0.9) for video in videos]
            + [model.Event(teen, model.EventKind.LIKE, clock(), video_id=videos[0])]
            + [model.Event(teen, model.EventKind.SEARCH, clock(), query="football tricks")]
        )
    request = safefeed.parts.wellbeing.request_more_time(store.account(ACCOUNT), 15, clock())
    _finished_job(folder / "audits")
    _finished_import(folder / "imports")
    store.close()
    return Template(folder, tokens, request.id, tuple(shown))


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return build_template(tmp_path_factory.mktemp("template"))


def open_world(template: Template, folder: Path, *, settings: config.Settings | None = None) -> World:
    """A private copy of the template's store, served in process on a clock at `serving.START`."""
    shutil.copytree(template.folder, folder)
    store = repository.Store.open(f"sqlite:///{folder / 'served.db'}")
    clock = serving.ManualClock()
    safefeed = serving.make_service(store, clock, folder)
    safefeed.parts.jobs = IdleJobs(folder / "audits")
    safefeed.parts.wellbeing.hasher = serving.CHEAP_HASHER
    app = api_app.create_app(settings or serving.settings_for(folder), safefeed=safefeed)
    return World(template, folder, safefeed, app, testclient.TestClient(app), clock)


@pytest.fixture
def world(template: Template, tmp_path: Path) -> Iterator[World]:
    opened = open_world(template, tmp_path / "world")
    yield opened
    opened.safefeed.parts.store.close()


@contextlib.contextmanager
def logged_server(app: fastapi.FastAPI) -> Iterator[str]:
    """Serve `app` on 127.0.0.1 with uvicorn's access log on, through the root logger (so caplog sees it)."""
    try:
        with serving.serve_app(app, log_config=None, log_level="debug", access_log=True) as base:
            yield base
    finally:
        logging.getLogger("uvicorn.access").handlers.clear()
