"""SafeFeed's own engine as a target, built through the one composition root."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Sequence
from pathlib import Path

from safefeed import model
from safefeed.recommend import feed as engine_feed
from safefeed.store import repository


def build_engine(store: repository.Store, policy: str | Path) -> tuple[engine_feed.Engine, bool]:
    """SafeFeed's engine under `policy`, and whether the policy is really applied.

    The one place that knows how: `safefeed.compose.build_engine` when it
    exists; until then the plain engine, which has no protections (it behaves
    like "engagement"), and `False` says so in the report.
    """
    try:
        compose = importlib.import_module("safefeed.compose")
    except ModuleNotFoundError as missing:
        if missing.name != "safefeed.compose":
            raise
        return engine_feed.build(store), False
    engine = compose.build_engine(store, policy=policy)
    assert isinstance(engine, engine_feed.Engine), "compose.build_engine must return a recommend.feed.Engine"
    return engine, True


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
