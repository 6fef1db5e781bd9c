"""Feeds recorded on a real platform, served back as a target."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from safefeed import model
from safefeed.audit.targets.base import AuditError


class Replay:
    """Feeds recorded on a real platform, served back in order: the persona's events cannot change them.

    `sessions` maps an account id to the videos it was served, in order.
    """

    def __init__(self, sessions: Mapping[str, Sequence[model.Video]]) -> None:
        self.sessions = sessions
        self._next: dict[str, int] = {}
        self.events_received = 0

    def start(self, account: model.Account) -> None:
        if account.id not in self.sessions:
            raise AuditError(f"no recorded feed for account {account.id!r}; recorded: {sorted(self.sessions)[:5]}...")
        self._next[account.id] = 0

    def feed(self, account_id: str, n: int, now: dt.datetime) -> Sequence[model.Video]:
        start = self._next[account_id]
        page = list(self.sessions[account_id][start : start + n])
        self._next[account_id] = start + len(page)
        return page

    def send(self, events: Sequence[model.Event]) -> None:
        self.events_received += len(events)
