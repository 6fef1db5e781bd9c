"""What a person, a guardian, a platform or an auditor can do: one resource per router, one method per act.

`SafeFeed.feed`, `.controls`, `.wellbeing`, `.family`, `.admin`, `.audits`,
`.accounts` and `.health` mirror the modules of `safefeed.api.routes` one to
one. The API's routes and the CLI call these acts and nothing deeper, so the
well-being gate, the event log and the engine's state always move together:
the gate runs before every page, every event is logged before it teaches the
feed, and deleting an account reaches the store, the engine and the logins at
once. Each act checks the whole request before it writes anything.

`SafeFeed.parts` (the store, the engine, ...) is for the composition root, the
serving machinery and tests.
"""

from __future__ import annotations

import datetime as dt

from safefeed.services import accounts, admin, audits, controls, family, feed, health, parts, wellbeing


class SafeFeed:
    """The service over the store, the engine, the well-being rules, the logins and the audit jobs."""

    def __init__(self, parts: parts.Parts) -> None:
        self.parts = parts
        self.accounts = accounts.Accounts(parts)
        self.feed = feed.Feed(parts)
        self.controls = controls.Controls(parts, self.feed)
        self.wellbeing = wellbeing.Wellbeing(parts)
        self.family = family.Family(parts)
        self.admin = admin.Admin(parts)
        self.audits = audits.Audits(parts)
        self.health = health.Health(parts)

    def now(self, client_time: dt.datetime | None = None) -> dt.datetime:
        """The server's time; a simulated clock (audits) only where the caller passes one in."""
        return self.parts.now(client_time)

    @property
    def catalog_seen(self) -> int:
        """The newest catalog change this process serves (its feeds reflect every change up to it)."""
        return self.parts.catalog_seen

    def follow_catalog(self) -> int:
        """Apply other processes' moderation, reviews and imports; serving processes call it every few seconds."""
        return self.parts.follow_catalog()
