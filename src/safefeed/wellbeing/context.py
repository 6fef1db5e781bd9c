"""What every well-being act reads: the state, the accounts, the policy, and the clock's knobs.

The acts (`gate`, `own_limits`, `dashboard`, `inbox`, `pairing`) share one
`Context`; the helpers here are the readings more than one of them needs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from safefeed import model
from safefeed.policy import rules
from safefeed.store import repository
from safefeed.wellbeing import clock, family, limits, screen_time
from safefeed.wellbeing.records import store as records_store


@dataclasses.dataclass(frozen=True, slots=True)
class Context:
    store: records_store.WellbeingStore
    accounts: repository.Store
    policy: rules.Policy
    idle_cutoff: dt.timedelta
    session_break: dt.timedelta

    def band(self, account: model.Account, now: dt.datetime) -> tuple[rules.Band, dt.tzinfo, dt.datetime]:
        """The policy's age band for the account, its time zone, and `now` on its local clock."""
        tz = clock.zone(account.timezone)
        here = clock.local(now, tz)
        return self.policy.band(account, here.date()), tz, here

    def pending_slices(self, current: screen_time.Clock, now: dt.datetime, tz: dt.tzinfo) -> list[screen_time.Slice]:
        """The screen time since the clock's last write that is not stored yet, by local hour."""
        tail = screen_time.pending(current, now, idle_cutoff=self.idle_cutoff)
        return [] if tail is None else screen_time.split(*tail, tz)

    def today_seconds(
        self, account_id: str, current: screen_time.Clock, now: dt.datetime, tz: dt.tzinfo, today: dt.date
    ) -> float:
        return self.store.activity.day_seconds(account_id, today) + screen_time.day_seconds(
            self.pending_slices(current, now, tz), today
        )

    def session_seconds(self, current: screen_time.Clock, now: dt.datetime) -> float:
        return screen_time.session_seconds(current, now, idle_cutoff=self.idle_cutoff, session_break=self.session_break)


def limit(account: model.Account, band: rules.Band, controls: family.Controls) -> limits.Limit:
    return limits.effective(band, account.settings, controls.daily_limit_minutes)


def session_minutes(band: rules.Band, settings: model.AccountSettings) -> int | None:
    own = settings.session_prompt_minutes
    if own is None:
        return band.session_prompt_minutes
    return None if own == 0 else own
