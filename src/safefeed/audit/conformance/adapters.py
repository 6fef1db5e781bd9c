"""Targets with controls: SafeFeed's service in process (built above), and any feed over SafeFeed's HTTP routes.

The in-process service sits above the audit, so the caller hands it in as an
`InProcess` factory (the CLI passes `services.conformance_target` over
`compose.assemble`): a test then meets the well-being gate, search, settings
and refresh exactly as the app does. `HttpControls` adds the /v1/me,
/v1/search, /v1/search/suggestions and /v1/visitor/feed routes to the
audit's `targets.Http`. Other kinds (ALS peer, null feed) are the audit's own
targets, with no controls.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
from collections.abc import Callable, Sequence
from typing import Any

from safefeed import model
from safefeed.audit import targets
from safefeed.audit.conformance import capabilities
from safefeed.audit.targets import http as http_target
from safefeed.store import repository

# SafeFeed's whole service under a policy (the spec's), over the run's private store.
InProcess = Callable[[repository.Store, str], targets.Target]


class HttpControls(targets.Http):
    """`targets.Http` plus the controls SafeFeed's API offers (see docs/conformance.md)."""

    def __init__(self, base_url: str, *, timeout_s: float = 30.0) -> None:
        super().__init__(base_url, timeout_s=timeout_s)
        self._visits: dict[str, str] = {}  # visitor -> the next cursor of its visit

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

    def refresh(self, account_id: str, now: dt.datetime) -> None:
        self._call("POST", "/v1/me/refresh", token=self._token(account_id))
        self._cursors.pop(account_id, None)

    def search(self, account_id: str, query: str, now: dt.datetime) -> capabilities.Searched:
        path = "/v1/search?" + urllib.parse.urlencode({"q": query, "n": "20", "now": now.isoformat()})
        answer = self._call("GET", path, token=self._token(account_id))
        try:
            videos = tuple(targets.video_from_json(video) for video in answer["videos"])
            return capabilities.Searched(videos, len(answer.get("help", [])), bool(answer.get("withheld", False)))
        except (KeyError, TypeError, ValueError) as bad:
            raise targets.AuditError(f"GET /v1/search answered something that is not a search: {bad!r}") from None

    def suggest(self, account_id: str, typed: str, now: dt.datetime) -> tuple[str, ...]:
        path = "/v1/search/suggestions?" + urllib.parse.urlencode({"q": typed, "n": "20", "now": now.isoformat()})
        answer = self._call("GET", path, token=self._token(account_id))
        try:
            return tuple(str(word) for word in answer["suggestions"])
        except (KeyError, TypeError) as bad:
            raise targets.AuditError(f"GET /v1/search/suggestions answered no suggestions list: {bad!r}") from None

    def set_personalised(self, account_id: str, personalised: bool, now: dt.datetime) -> None:
        self._call("PATCH", "/v1/me/settings", {"personalised": personalised}, self._token(account_id))

    def why(self, account_id: str, video_id: str, now: dt.datetime) -> tuple[str, ...]:
        answer = self._call("GET", f"/v1/me/why/{urllib.parse.quote(video_id)}", token=self._token(account_id))
        return tuple(str(reason) for reason in answer.get("why", []))

    def forget_interest(self, account_id: str, topic: str, now: dt.datetime) -> None:
        self._call("DELETE", f"/v1/me/interests/{urllib.parse.quote(topic)}", token=self._token(account_id))

    def anonymous_feed(self, visitor_id: str, n: int, now: dt.datetime) -> Sequence[model.Video]:
        """GET /v1/visitor/feed without a token; `visitor_id` only keeps each visit's cursor apart."""
        query = {"n": str(n), "now": now.isoformat()}
        if visitor_id in self._visits:
            query["cursor"] = self._visits[visitor_id]
        answer = self._call("GET", "/v1/visitor/feed?" + urllib.parse.urlencode(query))
        try:
            http_target.remember_cursor(self._visits, visitor_id, answer["next_cursor"])
            return [targets.video_from_json(item["video"]) for item in answer["items"]]
        except (KeyError, TypeError, ValueError) as bad:
            raise targets.AuditError(
                f"GET /v1/visitor/feed answered something that is not a feed page: {bad!r}"
            ) from None


def build(
    spec: targets.Spec,
    store: repository.Store,
    videos: Sequence[model.Video],
    *,
    in_process: InProcess | None = None,
    mh_ids: frozenset[str] = frozenset(),
) -> targets.Built:
    """The target a spec names, with every control it has: SafeFeed kinds get the whole service."""
    if spec.kind == "engine":
        if in_process is None:
            raise targets.AuditError(
                f"target {spec.name!r} is SafeFeed in process, but no service was handed in: "
                "run it through `safefeed audit conformance` (or pass `in_process`)"
            )
        return targets.Built(in_process(store, spec.policy), "")
    if spec.kind == "http":
        return targets.Built(HttpControls(spec.url), "")
    return targets.build(spec, store, videos, mh_ids=mh_ids)
