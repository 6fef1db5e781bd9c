"""Reading the inbox: quiet hours hold new notifications back from a teen; opening it queues the weekly recap."""

from __future__ import annotations

import datetime as dt

from safefeed import model
from safefeed.wellbeing import context, dashboard, notifications, pairing

# `Inbox.notifications` shadows the module inside the class body.
Notification = notifications.Notification


class Inbox:
    def __init__(self, ctx: context.Context, guardians: pairing.Pairing, screen: dashboard.Dashboard) -> None:
        self.ctx = ctx
        self.guardians = guardians
        self.screen = screen

    def notifications(self, account: model.Account, now: dt.datetime) -> list[Notification]:
        """The inbox (delivered only, newest first); queues the weekly recap; quiet hours hold new ones."""
        band, tz, here = self.ctx.band(account, now)
        safe = self.ctx.policy.kind != "engagement"
        if safe and band.weekly_recap:
            self.screen.queue_recap(account, now, tz, here.date())
        settings = self.guardians.effective_account(account).settings
        quiet = notifications.quiet_hours(band, settings) if safe else None
        if not notifications.is_quiet(quiet, now, tz):
            self.ctx.store.inbox.deliver(account.id, now)
        return self.ctx.store.inbox.inbox(account.id)

    def guardian_notifications(self, guardian_id: str, now: dt.datetime) -> list[Notification]:
        """A guardian's inbox (requests for more time, pairing news); adults get theirs at once."""
        self.ctx.store.inbox.deliver(guardian_id, now)
        return self.ctx.store.inbox.inbox(guardian_id)
