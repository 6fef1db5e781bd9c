"""SafeFeed's whole service as a conformance target, in process, on a simulated clock.

The conformance suite (`audit.conformance`) sits below the service, so it
cannot build it; the CLI assembles the service (`compose.assemble`) and hands
the runner `service_target` as its in-process target factory. A test then
meets the well-being gate, search, settings and refresh exactly as the app
does; the plain `audit.targets.Engine` has the feed only. The service is
built over the run's private store and is never given the answer key.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from safefeed import config, model, services
from safefeed.audit.conformance import capabilities
from safefeed.services import controls
from safefeed.services import parts as parts_module
from safefeed.store import repository
from safefeed.wellbeing import prompts

# compose.assemble, passed in by the layer above (services may not import compose).
Assemble = Callable[[repository.Store, config.Settings, parts_module.Clock], services.SafeFeed]


class Service:
    """SafeFeed in process under a policy, behind the same service acts the API calls."""

    def __init__(self, safefeed: services.SafeFeed, clock: list[dt.datetime]) -> None:
        self.safefeed = safefeed
        self._clock = clock  # the simulated time the service reads for acts that carry none
        self._cursors: dict[str, str] = {}
        self._visits: dict[str, str] = {}  # visitor -> the next cursor of its visit (the visitor's only state)

    def _at(self, now: dt.datetime) -> dt.datetime:
        self._clock[0] = now
        return now

    def start(self, account: model.Account) -> None:
        self.safefeed.parts.store.put_account(account)
        self._cursors.pop(account.id, None)

    def answer(self, account_id: str, n: int, now: dt.datetime) -> capabilities.Answer:
        got = self.safefeed.feed.page(account_id, n=n, cursor=self._cursors.get(account_id), now=self._at(now))
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
            self.safefeed.feed.record(events, now=self._at(max(event.at for event in events)))

    def anonymous_feed(self, visitor_id: str, n: int, now: dt.datetime) -> Sequence[model.Video]:
        got = self.safefeed.feed.visitor_page(n=n, cursor=self._visits.get(visitor_id), now=self._at(now))
        self._visits[visitor_id] = got.next_cursor
        return tuple(item.video for item in got.items)

    def refresh(self, account_id: str, now: dt.datetime) -> None:
        self._at(now)
        self.safefeed.controls.refresh(account_id)
        self._cursors.pop(account_id, None)  # the app starts the feed afresh, as for a new account

    def search(self, account_id: str, query: str, now: dt.datetime) -> capabilities.Searched:
        got = self.safefeed.feed.search(account_id, query, n=20, now=self._at(now))
        if got.result is None:
            return capabilities.Searched((), 0, False)
        return capabilities.Searched(got.result.videos, len(got.result.help), got.result.withheld)

    def suggest(self, account_id: str, typed: str, now: dt.datetime) -> tuple[str, ...]:
        return self.safefeed.feed.suggestions(account_id, typed, n=20, now=self._at(now))

    def set_personalised(self, account_id: str, personalised: bool, now: dt.datetime) -> None:
        self._at(now)
        self.safefeed.controls.change_settings(account_id, controls.SettingsChange(personalised=personalised))

    def why(self, account_id: str, video_id: str, now: dt.datetime) -> tuple[str, ...]:
        self._at(now)
        return self.safefeed.controls.why(account_id, video_id)

    def forget_interest(self, account_id: str, topic: str, now: dt.datetime) -> None:
        self._at(now)
        self.safefeed.controls.forget_interest(account_id, topic)

    def set_limits(self, account_id: str, daily_minutes: int, session_minutes: int, now: dt.datetime) -> None:
        self._at(now)
        self.safefeed.wellbeing.set_limit(account_id, daily_minutes)
        self.safefeed.wellbeing.set_session_prompt(account_id, session_minutes)

    def acknowledge(self, account_id: str, prompt: str, now: dt.datetime) -> None:
        self._at(now)
        self.safefeed.wellbeing.acknowledge(account_id, prompts.PromptKind(prompt))

    def set_passcode(self, account_id: str, passcode: str, now: dt.datetime) -> None:
        self._at(now)
        self.safefeed.wellbeing.set_passcode(account_id, passcode)

    def unlock(self, account_id: str, passcode: str, now: dt.datetime) -> None:
        self._at(now)
        self.safefeed.wellbeing.unlock(account_id, passcode)

    def notifications(self, account_id: str, now: dt.datetime) -> Sequence[capabilities.Notice]:
        self._at(now)
        inbox = self.safefeed.wellbeing.notifications(account_id)
        return [capabilities.Notice(n.kind.value, n.delivered_at or n.created_at) for n in inbox]


def service_target(store: repository.Store, policy: str, assemble: Assemble) -> Service:
    """The service over the run's private store under `policy`, on a simulated clock; nothing else is opened."""
    clock = [dt.datetime(2026, 1, 1, tzinfo=dt.UTC)]
    audits = Path(tempfile.gettempdir()) / "safefeed-conformance-audits"  # never written: no audit is started
    settings = config.Settings(database_url="sqlite://", policy=policy, audit_dir=audits)
    return Service(assemble(store, settings, lambda: clock[0]), clock)
