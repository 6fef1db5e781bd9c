"""The audit's `Target` protocol: what any feed under audit must do."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from safefeed import model


class Target(Protocol):
    """A feed under audit: register an account, serve it pages, take its events."""

    def start(self, account: model.Account) -> None:
        """Create the (fresh) account the persona scrolls with."""
        ...

    def feed(self, account_id: str, n: int, now: dt.datetime) -> Sequence[model.Video]:
        """The next page of at most n videos at simulated time `now`; empty when the feed has nothing more."""
        ...

    def send(self, events: Sequence[model.Event]) -> None:
        """Report what the persona did with the last page, before it asks for the next."""
        ...


class AuditError(RuntimeError):
    """A target or scenario cannot be used as given; the message says what to change."""
