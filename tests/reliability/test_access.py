"""Who may call what: every route x every kind of caller, and the defences around logins, passcodes and tokens.

The table below has one row per route; `test_every_route_has_a_row` fails when
a route is added without one, so nobody ships an endpoint whose access was
never decided. A cell that is not allowed must be refused (401 without a
login, 403 with the wrong one, 404 only where a row says the route hides
existence) and must not leak the account's id.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import routing

from safefeed.api import app as api_app
from tests import serving
from tests.reliability import conftest as world_

CALLERS: dict[str, str | None] = {
    "account": world_.ACCOUNT,
    "another account": world_.OTHER_ACCOUNT,
    "linked guardian": world_.LINKED_GUARDIAN,
    "unlinked guardian": world_.UNLINKED_GUARDIAN,
    "admin": world_.ADMIN,
    "auditor": world_.AUDITOR,
    "anonymous": None,
}
EVERYONE = frozenset(CALLERS)
LOGGED_IN = EVERYONE - {"anonymous"}
ACCOUNTS = frozenset({"account", "another account"})
GUARDIANS = frozenset({"linked guardian", "unlinked guardian"})
LINKED = frozenset({"linked guardian"})
ADMINS = frozenset({"admin"})
AUDITORS = frozenset({"auditor", "admin"})
# Callers who must never see the account's id in an answer: it is not theirs, and they are not its guardian.
STRANGERS = frozenset({"another account", "unlinked guardian", "admin", "auditor", "anonymous"})

Answer = Any  # the test client's response: httpx2's (what starlette uses when it is installed) or httpx's
Arguments = dict[str, Any]  # keyword arguments for `TestClient.request`
Prepare = Callable[[world_.World, str], Arguments]


def fixed(**arguments: Any) -> Prepare:
    return lambda _world, _caller: arguments


def pairing(world: world_.World, caller: str) -> Arguments:
    """A fresh one-time code from the guardian of no one, for whoever enters it."""
    return {"json": {"code": world.safefeed.parts.wellbeing.pairing_code(world_.UNLINKED_GUARDIAN, world.clock())}}


def new_account(_world: world_.World, caller: str) -> Arguments:
    return {"json": {"id": f"new-{caller.replace(' ', '-')}", "birth_year": 2010, "region": "KE"}}


def new_guardian(_world: world_.World, caller: str) -> Arguments:
    return {"json": {"id": f"carer-{caller.replace(' ', '-')}", "password": world_.PASSWORD}}


def one_video(world: world_.World, _caller: str) -> Arguments:
    return {"json": [{"kind": "watch", "video_id": world.template.video_ids[0], "fraction": 0.5}]}


def adult_quiet_hours(world: world_.World, caller: str) -> Arguments:
    """Quiet hours are fixed for minors (a 403 that is policy, not access): make the caller an adult first."""
    principal = CALLERS[caller]
    if caller in ACCOUNTS and principal is not None:
        account = world.safefeed.parts.store.account(principal)
        world.safefeed.parts.store.put_account(dataclasses.replace(account, birth_year=1995))
    return {"json": {"start": "21:00:00", "end": "07:30:00"}}


def review(world: world_.World, _caller: str) -> Arguments:
    return {"json": [{"video_id": world.template.video_ids[0], "mh_related": False}]}


NOTHING: Prepare = fixed()
CATALOG_CSV = (
    "id,creator_id,caption,hashtags,duration_s,topic\nnew-video,new-creator,Knife skills for soup,#cooking,30,cooking\n"
)


@dataclasses.dataclass(frozen=True)
class Row:
    method: str
    route: str  # the path as the app's route table spells it
    allowed: frozenset[str]
    url: str = ""  # the concrete path; `{video}`, `{request}` and the ids are filled in; defaults to `route`
    prepare: Prepare = NOTHING
    hides: bool = False  # a refused caller may get 404: the route does not say whether the thing exists

    @property
    def key(self) -> tuple[str, str]:
        return self.method, self.route

    def concrete(self, world: world_.World) -> str:
        return (self.url or self.route).format(
            video=world.template.video_ids[0],
            request=world.template.request_id,
            teen=world_.ACCOUNT,
            guardian=world_.LINKED_GUARDIAN,
            job=world_.JOB_ID,
        )


def me(method: str, route: str, prepare: Prepare = NOTHING, url: str = "") -> Row:
    """A route that acts on the caller's own account: any account may, on itself."""
    return Row(method, route, ACCOUNTS, url, prepare)


def teen(method: str, route: str, prepare: Prepare = NOTHING) -> Row:
    """A guardian's route about one teen: only a guardian linked to that teen."""
    return Row(method, route, LINKED, route.replace("{teen_id}", "{teen}"), prepare)


ROWS: tuple[Row, ...] = (
    # The documentation and the web app are public.
    Row("GET", "/openapi.json", EVERYONE),
    Row("GET", "/docs", EVERYONE),
    Row("GET", "/docs/oauth2-redirect", EVERYONE),
    Row("GET", "/redoc", EVERYONE),
    Row("MOUNT", "", EVERYONE, "/"),
    Row("GET", "/v1/health", EVERYONE),
    # Signing up and logging in need no login; logging out needs one.
    Row("POST", "/v1/accounts", EVERYONE, prepare=new_account),
    Row("POST", "/v1/guardians", EVERYONE, prepare=new_guardian),
    Row(
        "POST",
        "/v1/auth/token",
        EVERYONE,
        prepare=fixed(data={"username": world_.ACCOUNT, "password": world_.PASSWORD}),
    ),
    Row("POST", "/v1/auth/logout", LOGGED_IN),
    Row("GET", "/v1/auth/me", LOGGED_IN),
    # The feed and the account's own controls.
    me("GET", "/v1/feed"),
    me("GET", "/v1/search", fixed(params={"q": "cooking"})),
    me("GET", "/v1/search/suggestions", fixed(params={"q": "coo"})),
    # A visitor's feed needs no login: anyone gets the youngest band's unprofiled feed.
    Row("GET", "/v1/visitor/feed", EVERYONE),
    me("POST", "/v1/events", one_video),
    me("GET", "/v1/me/settings"),
    me("PATCH", "/v1/me/settings", fixed(json={"keyword_filters": ["spiders"]})),
    me("POST", "/v1/me/not-interested", fixed(json={"topic": "gaming"})),
    me("POST", "/v1/me/refresh"),
    me("GET", "/v1/me"),
    me("DELETE", "/v1/me/interests/{topic}", url="/v1/me/interests/cooking"),
    me("GET", "/v1/me/export"),
    me("DELETE", "/v1/me"),
    me("GET", "/v1/me/why/{video_id}", url="/v1/me/why/{video}"),
    # Well-being, for the account itself.
    me("GET", "/v1/wellbeing/screen-time"),
    me("GET", "/v1/wellbeing/features"),
    me("PATCH", "/v1/wellbeing/features", fixed(json={"autoplay": False})),
    me("PUT", "/v1/wellbeing/limit", fixed(json={"minutes": 45})),
    me("PUT", "/v1/wellbeing/session-prompt", fixed(json={"minutes": 30})),
    me("PUT", "/v1/wellbeing/quiet-hours", adult_quiet_hours),
    me("PUT", "/v1/wellbeing/passcode", fixed(json={"passcode": "1357"})),
    me("POST", "/v1/wellbeing/unlock", fixed(json={"passcode": world_.PASSCODE})),
    me("POST", "/v1/wellbeing/prompts/{kind}/acknowledge", url="/v1/wellbeing/prompts/session/acknowledge"),
    me("POST", "/v1/wellbeing/wind-down/confirm"),
    Row("GET", "/v1/wellbeing/notifications", ACCOUNTS | GUARDIANS),
    # Family Pairing: the guardian's side.
    Row("POST", "/v1/family/codes", GUARDIANS),
    Row("GET", "/v1/family/teens", GUARDIANS),
    teen("GET", "/v1/family/teens/{teen_id}/summary"),
    teen("PUT", "/v1/family/teens/{teen_id}/limit", fixed(json={"minutes": 30})),
    teen("PUT", "/v1/family/teens/{teen_id}/passcode", fixed(json={"passcode": "9753"})),
    teen(
        "PUT",
        "/v1/family/teens/{teen_id}/time-away",
        fixed(json={"windows": [{"days": [1, 2, 3], "start": "21:00:00", "end": "06:00:00"}]}),
    ),
    teen("GET", "/v1/family/teens/{teen_id}/content"),
    teen("PATCH", "/v1/family/teens/{teen_id}/content", fixed(json={"autoplay": False})),
    teen("PUT", "/v1/family/teens/{teen_id}/feed-consent", fixed(json={"granted": True})),
    teen("DELETE", "/v1/family/teens/{teen_id}"),
    Row(
        "POST",
        "/v1/family/requests/{request_id}/decision",
        LINKED,
        "/v1/family/requests/{request}/decision",
        fixed(json={"approve": True}),
        hides=True,
    ),
    # Family Pairing: the teen's side (the other account has its own guardian).
    me("POST", "/v1/family/pair", pairing),
    me("GET", "/v1/family/controls"),
    Row("DELETE", "/v1/family/guardians/{guardian_id}", frozenset({"account"}), "/v1/family/guardians/{guardian}"),
    me("POST", "/v1/family/requests", fixed(json={"minutes": 15})),
    Row("GET", "/v1/family/requests", ACCOUNTS | GUARDIANS),
    # The catalog and moderation.
    Row(
        "POST",
        "/v1/admin/catalog",
        ADMINS,
        prepare=fixed(content=CATALOG_CSV.encode(), params={"filename": "catalog.csv"}),
    ),
    Row(
        "PUT",
        "/v1/admin/videos/{video_id}/enforcement",
        ADMINS,
        "/v1/admin/videos/{video}/enforcement",
        fixed(json={"enforcement": "restricted"}),
    ),
    Row("GET", "/v1/admin/catalog/progress", ADMINS),
    Row("GET", "/v1/admin/catalog/imports", ADMINS),
    Row("GET", "/v1/admin/catalog/imports/{job_id}", ADMINS, "/v1/admin/catalog/imports/{job}", hides=True),
    Row("GET", "/v1/admin/review", ADMINS),
    Row("POST", "/v1/admin/review", ADMINS, prepare=review),
    # Audits: aggregate reports, for auditors and admins.
    Row("POST", "/v1/audits", AUDITORS, prepare=fixed(json={"scenario": "amnesty-2023", "scale": 0.01})),
    Row("GET", "/v1/audits", AUDITORS),
    Row("GET", "/v1/audits/{job_id}", AUDITORS, "/v1/audits/{job}", hides=True),
    Row("GET", "/v1/audits/{job_id}/report", AUDITORS, "/v1/audits/{job}/report", hides=True),
    Row("GET", "/v1/audits/{job_id}/files/{name:path}", AUDITORS, "/v1/audits/{job}/files/report.html", hides=True),
)


def route_table() -> set[tuple[str, str]]:
    """(method, path) for every route the app serves; a mounted app counts as one route."""
    app = api_app.create_app(serving.settings_for(Path("/nonexistent")), safefeed=object())  # type: ignore[arg-type]
    found: set[tuple[str, str]] = set()
    for route in routing.iter_route_contexts(app.routes):
        methods = route.methods
        if methods is None:
            found.add(("MOUNT", route.path or ""))
            continue
        found.update((method, route.path or "") for method in methods if method != "HEAD")
    return found


def test_every_route_has_a_row() -> None:
    served, table = route_table(), {row.key for row in ROWS}
    assert len(table) == len(ROWS), "a route has two rows"
    assert served - table == set(), "routes without a row in ROWS: decide who may call them"
    assert table - served == set(), "rows for routes the app no longer serves"


def ask(world: world_.World, row: Row, caller: str) -> Answer:
    principal = CALLERS[caller]
    headers = {} if principal is None else world.headers(principal)
    method = "GET" if row.method == "MOUNT" else row.method
    arguments = dict(row.prepare(world, caller))
    headers |= arguments.pop("headers", {})
    return world.client.request(method, row.concrete(world), headers=headers, **arguments)


def refusals(row: Row, caller: str) -> set[int]:
    if caller == "anonymous":
        return {401}
    return {403, 404} if row.hides else {403}


# Routes that answer 500 today (bugs reported to the API's owner): strict, so a fix shows up as XPASS.
KNOWN_BUGS: dict[tuple[str, str], str] = {}


def row_param(row: Row) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[row.key])] if row.key in KNOWN_BUGS else []
    return pytest.param(row, id=f"{row.method} {row.route or '/'}", marks=marks)


@pytest.mark.parametrize("row", [row_param(row) for row in ROWS])
def test_only_the_allowed_callers_succeed(row: Row, template: world_.Template, tmp_path: Path) -> None:
    """Each row on a fresh copy of the world; refused callers go first, so an allowed change cannot mask them.

    The account goes last: some of its allowed calls (delete, log out) end what the others would need.
    """
    world = world_.open_world(template, tmp_path / "world")
    order = sorted(CALLERS, key=lambda caller: (caller in row.allowed, caller == "account"))
    wrong: list[str] = []
    try:
        for caller in order:
            answer = ask(world, row, caller)
            status = answer.status_code
            if caller in row.allowed:
                if not 200 <= status < 300:
                    wrong.append(f"{caller}: allowed, got {status} {answer.text[:200]}")
            elif status not in refusals(row, caller):
                wrong.append(f"{caller}: must be refused with {sorted(refusals(row, caller))}, got {status}")
            elif not answer.json().get("detail"):
                wrong.append(f"{caller}: refused with {status} but no 'detail' message")
            if caller in STRANGERS and 200 <= status < 300 and world_.ACCOUNT in answer.text:
                wrong.append(f"{caller}: the answer names {world_.ACCOUNT!r}, who is none of theirs")
    finally:
        world.safefeed.parts.store.close()
    assert not wrong, f"{row.method} {row.route}:\n" + "\n".join(wrong)


def test_the_matrix_covers_every_caller_on_every_route() -> None:
    """The figure for the report: routes x callers checked by the table."""
    cells = len(ROWS) * len(CALLERS)
    print(f"access matrix: {len(ROWS)} routes x {len(CALLERS)} callers = {cells} cells")
    assert cells == len(route_table()) * 7


# -- logins ---------------------------------------------------------------------------------------------


def login(world: world_.World, principal: str, password: str) -> Answer:
    return world.client.post("/v1/auth/token", data={"username": principal, "password": password})


def test_password_guessing_stays_locked_at_five_guesses_per_lockout(world: world_.World) -> None:
    """Guessing on after each lock-out gets 5 guesses per 15 minutes: ~480 a day, and the right one waits too.

    tests/api/test_auth.py shows the first lock-out; this one keeps guessing through three of them.
    """
    checked = 0
    for _round in range(3):
        for guess in range(5):
            answer = login(world, world_.ACCOUNT, f"guess-{guess:08d}")
            assert answer.status_code == 401
            checked += 1
        locked = login(world, world_.ACCOUNT, world_.PASSWORD)
        assert locked.status_code == 429, "the right password is refused while locked"
        assert "try again" in locked.json()["detail"]
        # While locked, guesses are not even checked: still 429.
        assert login(world, world_.ACCOUNT, "guess-anything").status_code == 429
        world.clock.advance(dt.timedelta(minutes=15, seconds=1))
        world.app.state.login_limiter = type(world.app.state.login_limiter)("1000/minute")
    assert checked == 15
    assert login(world, world_.ACCOUNT, world_.PASSWORD).status_code == 200


def test_a_locked_login_does_not_lock_another(world: world_.World) -> None:
    for _ in range(5):
        login(world, world_.ACCOUNT, "not the password")
    assert login(world, world_.ACCOUNT, world_.PASSWORD).status_code == 429
    assert login(world, world_.OTHER_ACCOUNT, world_.PASSWORD).status_code == 200


def test_unknown_logins_answer_like_wrong_passwords(world: world_.World) -> None:
    """Nobody can learn which ids exist from the login form."""
    unknown = login(world, "nobody-here", "some password")
    wrong = login(world, world_.ACCOUNT, "some password")
    assert (unknown.status_code, unknown.json()) == (wrong.status_code, wrong.json())


def test_one_address_may_not_try_logins_fast(world: world_.World) -> None:
    """20 attempts a minute per address (settings.login_rate_limit), whatever ids it tries."""
    statuses = [login(world, f"someone-{number}", "some password").status_code for number in range(25)]
    assert statuses[:20] == [401] * 20
    assert set(statuses[20:]) == {429}


# -- passcodes ------------------------------------------------------------------------------------------


def unlock(world: world_.World, passcode: str) -> Answer:
    return world.client.post("/v1/wellbeing/unlock", json={"passcode": passcode}, headers=world.headers(world_.ACCOUNT))


def test_guessing_the_passcode_is_slowed_to_days(world: world_.World) -> None:
    """A teen (or a sibling) tries 0000, 0001, ... in order for two simulated hours, retrying each minute.

    Each pause (15 min) admits 5 checked guesses, so two hours give at most 5 x (8 + 1) = 45 checked
    guesses; at that rate the 10,000 four-digit codes take 10,000 / 45 x 2 h = ~18 days, and no
    wrong guess may ever be accepted (the right one, 2468, is far beyond this sweep).
    """
    world.app.state.limiter = type(world.app.state.limiter)("1000000/second")
    stop = world.clock() + dt.timedelta(hours=2)
    checked, guess = 0, 0
    while world.clock() < stop:
        answer = unlock(world, f"{guess:04d}")
        if answer.status_code == 429:
            assert unlock(world, world_.PASSCODE).status_code == 429, "the right passcode waits out the pause too"
            # Retry-After is counted from the wall clock, not this test's clock: try again a minute later.
            world.clock.advance(dt.timedelta(minutes=1))
            continue
        assert answer.status_code == 403, f"guess {guess:04d}: {answer.status_code} {answer.text}"
        checked += 1
        guess += 1
    assert 0 < checked <= 45
    days_for_all = 10_000 / checked * 2 / 24
    print(f"passcode guessing: {checked} guesses checked in 2 h; all 10,000 codes would take {days_for_all:.0f} days")
    assert days_for_all >= 14


def test_the_right_passcode_is_refused_during_a_pause(world: world_.World) -> None:
    while (answer := unlock(world, "0000")).status_code == 403:
        pass
    assert answer.status_code == 429
    assert unlock(world, world_.PASSCODE).status_code == 429
    assert int(answer.headers["Retry-After"]) > 0


# -- tokens ----------------------------------------------------------------------------------------------


def test_a_token_works_until_just_before_it_expires(world: world_.World) -> None:
    """Tokens last 30 days from issue (the template issued them at serving.START)."""
    headers = world.headers(world_.ACCOUNT)
    world.clock.advance(dt.timedelta(days=30) - dt.timedelta(seconds=1))
    assert world.client.get("/v1/me/settings", headers=headers).status_code == 200
    world.clock.advance(dt.timedelta(seconds=1))
    expired = world.client.get("/v1/me/settings", headers=headers)
    assert expired.status_code == 401
    assert "expired" in expired.json()["detail"]


def test_logging_out_revokes_only_that_token(world: world_.World) -> None:
    second = login(world, world_.ACCOUNT, world_.PASSWORD).json()["access_token"]
    assert world.client.post("/v1/auth/logout", headers=world.headers(world_.ACCOUNT)).status_code == 204
    assert world.client.get("/v1/me", headers=world.headers(world_.ACCOUNT)).status_code == 401
    assert world.client.get("/v1/me", headers={"Authorization": f"Bearer {second}"}).status_code == 200


def test_deleting_an_account_kills_its_tokens(world: world_.World) -> None:
    second = login(world, world_.ACCOUNT, world_.PASSWORD).json()["access_token"]
    assert world.client.delete("/v1/me", headers=world.headers(world_.ACCOUNT)).status_code == 204
    for token in (world.template.tokens[world_.ACCOUNT], second):
        assert world.client.get("/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert login(world, world_.ACCOUNT, world_.PASSWORD).status_code == 401


@pytest.mark.parametrize(
    "authorization",
    ["Bearer ", "Bearer not-a-token", "Basic YW1hbmk6cGFzc3dvcmQ=", "bearer", "Token abc", "Bearer " + "x" * 5000],
)
def test_malformed_or_forged_credentials_are_refused(world: world_.World, authorization: str) -> None:
    answer = world.client.get("/v1/me", headers={"Authorization": authorization})
    assert answer.status_code == 401
    assert answer.json()["detail"]


def test_a_guardian_token_cannot_pose_as_its_teen(world: world_.World) -> None:
    """The caller is whoever the token names: there is no id parameter to swap on /v1/me or the feed."""
    headers = world.headers(world_.LINKED_GUARDIAN)
    events = [{"kind": "like", "video_id": world.template.video_ids[0], "account_id": world_.ACCOUNT}]
    assert world.client.post("/v1/events", json=events, headers=headers).status_code == 403
    own = world.headers(world_.OTHER_ACCOUNT)
    forged = world.client.post("/v1/events", json=events, headers=own)
    assert forged.status_code == 403
    assert world_.ACCOUNT in forged.json()["detail"]


# -- logs --------------------------------------------------------------------------------------------------


def test_no_secret_reaches_any_log(world: world_.World, caplog: pytest.LogCaptureFixture) -> None:
    """Over a real socket with uvicorn's access log on: tokens, passwords, passcodes and pairing codes never appear.

    Wrong attempts and refused requests are included: they are what an error log would most likely echo.
    """
    caplog.set_level(logging.DEBUG)
    secrets: list[str] = [world_.PASSWORD, world_.PASSCODE, "7531", "9517", "wrong password 123"]
    with world_.logged_server(world.app) as base, httpx.Client(base_url=base, timeout=30) as client:
        signed = client.post("/v1/accounts", json={"id": "logged-q7", "birth_year": 2012, "password": world_.PASSWORD})
        token = signed.json()["access_token"]
        mine = {"Authorization": f"Bearer {token}"}
        client.post("/v1/auth/token", data={"username": "logged-q7", "password": "wrong password 123"})
        fresh = client.post("/v1/auth/token", data={"username": "logged-q7", "password": world_.PASSWORD})
        second = fresh.json()["access_token"]
        client.get("/v1/feed", headers=mine)
        client.put("/v1/wellbeing/passcode", json={"passcode": "7531"}, headers=mine)
        client.post("/v1/wellbeing/unlock", json={"passcode": "9517"}, headers=mine)
        guardian = world.headers(world_.LINKED_GUARDIAN)
        code = client.post("/v1/family/codes", headers=guardian).json()["code"]
        client.post("/v1/family/pair", json={"code": code}, headers=mine)
        client.put(f"/v1/family/teens/{world_.ACCOUNT}/passcode", json={"passcode": "7531"}, headers=guardian)
        client.get("/v1/me", headers={"Authorization": f"Bearer {token}x"})  # a forged token, refused
        client.post("/v1/auth/logout", headers=mine)
        client.get("/v1/me", headers=mine)  # a revoked token, refused
    secrets += [token, second, code, code.replace("-", ""), *world.template.tokens.values()]
    logged = "\n".join(f"{record.name} {record.getMessage()}" for record in caplog.records)
    assert "GET /v1/feed" in logged, "the access log was not captured: this test would prove nothing"
    leaked = [secret for secret in secrets if secret in logged]
    assert not leaked, f"secrets in the logs: {leaked}"


def test_an_old_token_cannot_write_under_a_deleted_id(world: world_.World) -> None:
    """After delete, nothing the old token sends is recorded under the deleted id."""
    headers = world.headers(world_.ACCOUNT)
    assert world.client.delete("/v1/me", headers=headers).status_code == 204
    batch = [{"kind": "like", "video_id": world.template.video_ids[0]}]
    assert world.client.post("/v1/events", json=batch, headers=headers).status_code == 401
    assert list(world.safefeed.parts.store.events(account_id=world_.ACCOUNT)) == []
    assert world.safefeed.parts.logins.principal(world_.ACCOUNT) is None
