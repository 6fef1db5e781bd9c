"""Targets with controls: SafeFeed's service in process (built above), and any feed over SafeFeed's HTTP routes.

The in-process service sits above the audit, so the caller hands it in as an
`InProcess` factory (the CLI passes `services.conformance_target` over
`compose.assemble`): a test then meets the well-being gate, search, settings
and refresh exactly as the app does. `HttpControls` adds the /v1/me,
/v1/search, /v1/search/suggestions, /v1/wellbeing and /v1/visitor/feed routes
to the audit's `targets.Http`, each with the simulated clock as `?now=`.
Other kinds (ALS peer, null feed) are the audit's own targets, with no controls.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from safefeed import model
from safefeed.audit import targets
from safefeed.audit.conformance import capabilities
from safefeed.audit.targets import http as http_target
from safefeed.store import repository

# SafeFeed's whole service under a policy (the spec's), over the run's private store.
InProcess = Callable[[repository.Store, str], targets.Target]


class HttpControls(targets.Http):
    """`targets.Http` plus the controls SafeFeed's API offers (see docs/conformance.md).

    Every call carries the simulated clock as `?now=`; a served SafeFeed honours it when started for audits
    (SAFEFEED_CLIENT_CLOCK=true), so the service meets the same times as in process.
    """

    def __init__(self, base_url: str, *, timeout_s: float = 30.0) -> None:
        super().__init__(base_url, timeout_s=timeout_s)
        self._visits: dict[str, str] = {}  # visitor -> the next cursor of its visit

    def _joined(self, account: model.Account) -> str:
        """Sign-up (and the persona's settings) at the persona's join time, as the in-process target stores it."""
        return "?" + urllib.parse.urlencode({"now": account.created_at.isoformat()})

    def _control(self, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        """A control's call; a route the feed does not have makes the tests that need it not testable."""
        try:
            return self._call(method, path, body, token)
        except http_target.HttpError as error:
            if error.status in http_target.LACKING:
                route = path.split("?", 1)[0]
                raise http_target.Unsupported(f"{method} {route} answered {error.status}: no such control") from None
            raise

    def _at(self, method: str, path: str, now: dt.datetime, account_id: str, body: Any = None, **query: str) -> Any:
        """`method path?...&now=` as `account_id`, the simulated clock in the query like every control's."""
        url = path + "?" + urllib.parse.urlencode({**query, "now": now.isoformat()})
        return self._control(method, url, body, self._token(account_id))

    def send(self, events: Sequence[model.Event]) -> None:
        by_account: dict[str, list[dict[str, Any]]] = {}
        for event in events:
            body = targets.event_to_json(event)
            for name in ("query", "hashtag", "topic"):
                value = getattr(event, name)
                if value is not None:
                    body[name] = value
            by_account.setdefault(event.account_id, []).append(body)
        for account_id, batch in by_account.items():
            latest = max(item["at"] for item in batch)
            self._call("POST", "/v1/events?" + urllib.parse.urlencode({"now": latest}), batch, self._token(account_id))

    def feed(self, account_id: str, n: int, now: dt.datetime) -> Sequence[model.Video]:
        return self.answer(account_id, n, now).videos

    def answer(self, account_id: str, n: int, now: dt.datetime) -> capabilities.Answer:
        """GET /v1/feed with the well-being prompt the page carries (`prompt.kind`, `prompt.blocking`)."""
        videos, page = self._page(account_id, n, now)
        prompt = page.get("prompt")
        if prompt is None:
            return capabilities.Answer(tuple(videos))
        if not isinstance(prompt, dict) or not isinstance(prompt.get("kind"), str):
            raise targets.AuditError(f"GET /v1/feed answered a prompt without a string 'kind': {prompt!r}")
        return capabilities.Answer(tuple(videos), prompt["kind"], prompt.get("blocking") is True)

    def refresh(self, account_id: str, now: dt.datetime) -> None:
        self._at("POST", "/v1/me/refresh", now, account_id)
        self._cursors.pop(account_id, None)

    def search(self, account_id: str, query: str, now: dt.datetime) -> capabilities.Searched:
        answer = self._at("GET", "/v1/search", now, account_id, q=query, n="20")
        try:
            videos = tuple(targets.video_from_json(video) for video in answer["videos"])
            return capabilities.Searched(videos, len(answer.get("help", [])), bool(answer.get("withheld", False)))
        except (KeyError, TypeError, ValueError, AttributeError) as bad:
            raise targets.AuditError(f"GET /v1/search answered something that is not a search: {bad!r}") from None

    def suggest(self, account_id: str, typed: str, now: dt.datetime) -> tuple[str, ...]:
        answer = self._at("GET", "/v1/search/suggestions", now, account_id, q=typed, n="20")
        try:
            return tuple(str(word) for word in answer["suggestions"])
        except (KeyError, TypeError) as bad:
            raise targets.AuditError(f"GET /v1/search/suggestions answered no suggestions list: {bad!r}") from None

    def set_personalised(self, account_id: str, personalised: bool, now: dt.datetime) -> None:
        self._at("PATCH", "/v1/me/settings", now, account_id, {"personalised": personalised})

    def why(self, account_id: str, video_id: str, now: dt.datetime) -> tuple[str, ...]:
        path = f"/v1/me/why/{urllib.parse.quote(video_id, safe='')}"
        answer = self._at("GET", path, now, account_id)
        reasons = answer.get("why", []) if isinstance(answer, dict) else None
        if not isinstance(reasons, list):
            raise targets.AuditError(f"GET /v1/me/why/{{video_id}} answered no 'why' list: {answer!r:.200}")
        return tuple(str(reason) for reason in reasons)

    def forget_interest(self, account_id: str, topic: str, now: dt.datetime) -> None:
        self._at("DELETE", f"/v1/me/interests/{urllib.parse.quote(topic, safe='')}", now, account_id)

    def set_limits(self, account_id: str, daily_minutes: int, session_minutes: int, now: dt.datetime) -> None:
        self._at("PUT", "/v1/wellbeing/limit", now, account_id, {"minutes": daily_minutes})
        self._at("PUT", "/v1/wellbeing/session-prompt", now, account_id, {"minutes": session_minutes})

    def acknowledge(self, account_id: str, prompt: str, now: dt.datetime) -> None:
        path = f"/v1/wellbeing/prompts/{urllib.parse.quote(prompt, safe='')}/acknowledge"
        self._at("POST", path, now, account_id)

    def set_passcode(self, account_id: str, passcode: str, now: dt.datetime) -> None:
        self._at("PUT", "/v1/wellbeing/passcode", now, account_id, {"passcode": passcode})

    def unlock(self, account_id: str, passcode: str, now: dt.datetime) -> None:
        self._at("POST", "/v1/wellbeing/unlock", now, account_id, {"passcode": passcode})

    def notifications(self, account_id: str, now: dt.datetime) -> Sequence[capabilities.Notice]:
        """GET /v1/wellbeing/notifications: each delivered one, at its `delivered_at` (else `created_at`)."""
        answer = self._at("GET", "/v1/wellbeing/notifications", now, account_id)
        try:
            return [
                capabilities.Notice(str(item["kind"]), _moment(item.get("delivered_at") or item["created_at"]))
                for item in answer
            ]
        except (KeyError, TypeError, ValueError) as bad:
            raise targets.AuditError(
                f"GET /v1/wellbeing/notifications answered something that is not a list of notifications: {bad!r}"
            ) from None

    def anonymous_feed(self, visitor_id: str, n: int, now: dt.datetime) -> Sequence[model.Video]:
        """GET /v1/visitor/feed without a token; `visitor_id` only keeps each visit's cursor apart."""
        query = {"n": str(n), "now": now.isoformat()}
        if visitor_id in self._visits:
            query["cursor"] = self._visits[visitor_id]
        answer = self._control("GET", "/v1/visitor/feed?" + urllib.parse.urlencode(query))
        try:
            http_target.remember_cursor(self._visits, visitor_id, answer["next_cursor"])
            return [targets.video_from_json(item["video"]) for item in answer["items"]]
        except (KeyError, TypeError, ValueError) as bad:
            raise targets.AuditError(
                f"GET /v1/visitor/feed answered something that is not a feed page: {bad!r}"
            ) from None


def _moment(text: object) -> dt.datetime:
    """An ISO 8601 time with its zone (a naive one could not be placed in quiet hours)."""
    moment = dt.datetime.fromisoformat(str(text))
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone")
    return moment


def build(
    spec: targets.Spec,
    store: repository.Store,
    videos: Sequence[model.Video],
    *,
    in_process: InProcess | None = None,
    mh_ids: frozenset[str] = frozenset(),
    scratch: Path | None = None,
) -> targets.Built:
    """The target a spec names, with every control it has: SafeFeed kinds get the whole service.

    A "served" spec starts `safefeed serve` over a copy of `store`'s world under `scratch` (the
    answer key emptied, the client clock on) and audits it through its HTTP routes; `Built.close` stops it.
    """
    if spec.kind == "engine":
        if in_process is None:
            raise targets.AuditError(
                f"target {spec.name!r} is SafeFeed in process, but no service was handed in: "
                "run it through `safefeed audit conformance` (or pass `in_process`)"
            )
        return targets.Built(in_process(store, spec.policy), "")
    if spec.kind == "http":
        return targets.Built(HttpControls(spec.url), "")
    if spec.kind == "served":
        if scratch is None:
            raise targets.AuditError(f"target {spec.name!r} is served over HTTP: pass a scratch folder for its server")
        server = targets.Server(Path(str(store.engine.url.database)), spec.policy, scratch)
        url = server.start()
        return targets.Built(HttpControls(url), f"SafeFeed ({spec.policy}) over HTTP at {url}", server.stop)
    return targets.build(spec, store, videos, mh_ids=mh_ids)
