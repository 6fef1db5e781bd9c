"""`WellbeingStore`: the one entry point to the well-being tables, composed of a repository per table family."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from safefeed.wellbeing import screen_time
from safefeed.wellbeing.records import activity, inbox, marks, pairing, privacy, unlocks


class WellbeingStore:
    """The well-being tables, over the engine the main `repository.Store` uses.

    The service reaches each table family by name: `store.activity.advance(...)`,
    `store.unlocks.passcodes(...)`, `store.pairing.guardians_of(...)`.
    """

    def __init__(self, engine: sa.Engine, *, activity_engine: sa.Engine | None = None) -> None:
        self.engine = engine
        self.activity = activity.Activity(engine, activity_engine=activity_engine)
        self.unlocks = unlocks.Unlocks(engine)
        self.marks = marks.Marks(engine)
        self.pairing = pairing.Pairing(engine)
        self.inbox = inbox.Inbox(engine)
        self.privacy = privacy.Privacy(engine)

    # What callers above the well-being service read directly (the account service, its tests).

    def clock(self, account_id: str) -> screen_time.Clock:
        """The account's activity clock as stored."""
        return self.activity.clock(account_id)

    def export_account(self, account_id: str) -> dict[str, Any]:
        """Every well-being row about the account (passcode hashes left out), as JSON-ready data."""
        return self.privacy.export_account(account_id)

    def delete_account(self, account_id: str) -> None:
        """Remove every well-being row about the account, as a teen or as a guardian."""
        self.privacy.delete_account(account_id)
