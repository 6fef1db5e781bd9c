"""What every act works over: the store, the engine, the well-being rules, the logins, the jobs and the clock.

One `Parts` per service, shared by its resources. It is mutable on purpose:
after a catalog import (here or in another process) the engine is rebuilt and
swapped in, and every resource sees the new one on its next call.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Callable

from safefeed import access, model
from safefeed import jobs as background
from safefeed.audit import jobs as audit_jobs
from safefeed.recommend import feed
from safefeed.store import repository
from safefeed.wellbeing import service as wellbeing_service

Clock = Callable[[], dt.datetime]
Rebuild = Callable[[repository.Store], feed.Engine]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclasses.dataclass
class Parts:
    """`catalog_seen`: the newest catalog change `engine` reflects (read before building it)."""

    store: repository.Store
    engine: feed.Engine
    wellbeing: wellbeing_service.Wellbeing
    logins: access.Access
    jobs: audit_jobs.Jobs
    imports: background.Board  # catalog imports started over the API
    rebuild: Rebuild  # a new engine over the store, after the catalog changed
    clock: Clock = utc_now
    catalog_seen: int = 0
    # One rebuild or round of catalog changes at a time.
    catalog_lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)

    def now(self, client_time: dt.datetime | None = None) -> dt.datetime:
        """The server's time; a simulated clock (audits) only where the caller passes one in."""
        return client_time or self.clock()

    def account(self, account_id: str) -> model.Account:
        return self.store.account(account_id)

    def reload(self) -> None:
        """A new engine over the whole catalog; it reflects every change numbered up to before it was read.

        The caller holds `catalog_lock`.
        """
        latest = self.store.last_catalog_change()
        self.engine = self.rebuild(self.store)
        self.catalog_seen = max(self.catalog_seen, latest)

    def follow_catalog(self) -> int:
        """Apply the catalog changes made since this process last looked (by any process: moderation,
        reviews, imports); serving processes call it every few seconds. Returns how many it applied."""
        with self.catalog_lock:
            changes = self.store.catalog_changes(self.catalog_seen)
            if any(video_id is None for _, video_id in changes):
                self.reload()
            elif changes:
                known = [video_id for _, video_id in changes if video_id in self.engine.items.position]
                for video in self.store.videos(list(dict.fromkeys(known))):
                    self.engine.moderate(video.id, enforcement=video.enforcement, label=video.label)
                self.catalog_seen = changes[-1][0]
            return len(changes)
