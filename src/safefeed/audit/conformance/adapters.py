"""Targets with controls: SafeFeed's service in process, and any feed over SafeFeed's HTTP routes.

`Service` wraps the whole service (`compose.assemble`), so a test meets the
well-being gate, search, settings and refresh exactly as the app does; the
plain `targets.Engine` has the feed only. `HttpControls` adds the /v1/me and
/v1/search routes to the audit's `targets.Http`. Other kinds (ALS peer, null
feed) are the audit's own targets, with no controls.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import urllib.parse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from safefeed import compose, config, model, service
from safefeed.audit import targets
from safefeed.audit.conformance import capabilities
from safefeed.store import repository
from safefeed.wellbeing import prompts


class Service:
    """SafeFeed in process under a policy, behind the same service the API calls."""

    def __init__(self, safefeed: service.SafeFeed, clock: list[dt.datetime]) -> None:
        self.safefeed = safefeed
        self._clock = clock  # the simulated time the service reads for acts that carry none
        self._cursors: dict[str, str] = {}

    def _at(self, now: dt.datetime) -> dt.datetime:
        self._clock[0] = now
        return now

    def _account(self, account_id: str) -> model.Account:
        return self.safefeed.store.account(account_id)

    def start(self, account: model.Account) -> None:
        self.safefeed.store.put_account(account)
        self._cursors.pop(account.id, None)

    def answer(self, account_id: str, n: int, now: dt.datetime) -> capabilities.Answer:
        got = self.safefeed.page(account_id, n=n, cursor=self._cursors.get(account_id), now=self._at(now))
        kind = None if got.prompt is None else got.prompt.kind.value
        blocking = got.prompt is not None and got.prompt.blocking
        if got.page is None:
            return capabilities.Answer((), kind, blocking)
        self._cursors[account_id] = got.page.next_cursor
        return capabilities.Answer(tuple(item.video for item in got.page.items), kind, blocking)

    def feed(self, account_id: str, n: int, now: dt.datetime) -> Sequence[model.Video]:
        return self.answer(account_id, n, now).videos

    def send(self, events: Sequence[model.Event]) -> None:
        if events:
            self.safefeed.record(events, now=self._at(max(event.at for event in events)))

    def refresh(self, account_id: str, now: dt.datetime) -> None:
        self._at(now)
        self.safefeed.refresh(account_id)
        self._cursors.pop(account_id, None)  # the app starts the feed afresh, as for a new account

    def search(self, account_id: str, query: str, now: dt.datetime) -> capabilities.Searched:
        got = self.safefeed.search(account_id, query, n=20, now=self._at(now))
        if got.result is None:
            return capabilities.Searched((), 0, False)
        return capabilities.Searched(got.result.videos, len(got.result.help), got.result.withheld)

    def set_personalised(self, account_id: str, personalised: bool, now: dt.datetime) -> None:
        self._at(now)
        self.safefeed.change_settings(account_id, service.SettingsChange(personalised=personalised))

    def why(self, account_id: str, video_id: str, now: dt.datetime) -> tuple[str, ...]:
        return self.safefeed.engine.why(account_id, video_id, now=self._at(now))

    def forget_interest(self, account_id: str, topic: str, now: dt.datetime) -> None:
        self._at(now)
        self.safefeed.forget_interest(account_id, topic)

    def set_limits(self, account_id: str, daily_minutes: int, session_minutes: int, now: dt.datetime) -> None:
        wellbeing = self.safefeed.wellbeing
        wellbeing.set_daily_limit(self._account(account_id), daily_minutes, self._at(now))
        wellbeing.set_session_prompt(self._account(account_id), session_minutes)

    def acknowledge(self, account_id: str, prompt: str, now: dt.datetime) -> None:
        self.safefeed.wellbeing.acknowledge(self._account(account_id), prompts.PromptKind(prompt), self._at(now))

    def set_passcode(self, account_id: str, passcode: str, now: dt.datetime) -> None:
        self.safefeed.wellbeing.set_passcode(self._account(account_id), passcode, self._at(now))

    def unlock(self, account_id: str, passcode: str, now: dt.datetime) -> None:
        self.safefeed.wellbeing.unlock(self._account(account_id), passcode, self._at(now))

    def notifications(self, account_id: str, now: dt.datetime) -> Sequence[capabilities.Notice]:
        inbox = self.safefeed.wellbeing.notifications(self._account(account_id), self._at(now))
        return [capabilities.Notice(n.kind.value, n.delivered_at or n.created_at) for n in inbox]


def service_target(store: repository.Store, policy: str) -> Service:
    """The service over the audit's private store, on a simulated clock; nothing else is opened."""
    clock = [dt.datetime(2026, 1, 1, tzinfo=dt.UTC)]
    audits = Path(tempfile.gettempdir()) / "safefeed-conformance-audits"  # never written: no audit is started
    settings = config.Settings(database_url="sqlite://", policy=policy, audit_dir=audits)
    return Service(compose.assemble(store, settings, clock=lambda: clock[0]), clock)


class HttpControls(targets.Http):
    """`targets.Http` plus the controls SafeFeed's API offers (see docs/conformance.md)."""

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

    def set_personalised(self, account_id: str, personalised: bool, now: dt.datetime) -> None:
        self._call("PATCH", "/v1/me/settings", {"personalised": personalised}, self._token(account_id))

    def why(self, account_id: str, video_id: str, now: dt.datetime) -> tuple[str, ...]:
        answer = self._call("GET", f"/v1/me/why/{urllib.parse.quote(video_id)}", token=self._token(account_id))
        return tuple(str(reason) for reason in answer.get("why", []))

    def forget_interest(self, account_id: str, topic: str, now: dt.datetime) -> None:
        self._call("DELETE", f"/v1/me/interests/{urllib.parse.quote(topic)}", token=self._token(account_id))


def build(spec: targets.Spec, store: repository.Store, videos: Sequence[model.Video]) -> targets.Built:
    """The target a spec names, with every control it has: SafeFeed kinds get the whole service."""
    if spec.kind == "engine":
        return targets.Built(service_target(store, spec.policy), "")
    if spec.kind == "http":
        return targets.Built(HttpControls(spec.url), "")
    return targets.build(spec, store, videos)
