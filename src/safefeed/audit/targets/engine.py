"""SafeFeed's own engine as a target, built by the composition root's builder handed in from above."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from safefeed import model
from safefeed.recommend import feed as engine_feed
from safefeed.store import repository


class EngineBuilder(Protocol):
    """How to build SafeFeed's engine over a store under a policy: `safefeed.compose.build_engine`.

    The audit sits below the composition root, so it never imports it: whoever
    starts an audit (the CLI, the service's audit jobs, a test) hands it in.
    """

    def __call__(self, store: repository.Store, *, policy: str | Path) -> engine_feed.Engine: ...


class Engine:
    """SafeFeed's own engine, called in process: the fastest target, and the one the policy is judged on."""

    def __init__(self, engine: engine_feed.Engine) -> None:
        self.engine = engine
        self._cursors: dict[str, str] = {}

    def start(self, account: model.Account) -> None:
        self.engine.store.put_account(account)
        self._cursors.pop(account.id, None)

    def feed(self, account_id: str, n: int, now: dt.datetime) -> Sequence[model.Video]:
        page = self.engine.feed(account_id, n=n, cursor=self._cursors.get(account_id), now=now)
        self._cursors[account_id] = page.next_cursor
        return [item.video for item in page.items]

    def send(self, events: Sequence[model.Event]) -> None:
        if events:
            self.engine.record(events)
