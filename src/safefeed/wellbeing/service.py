"""The well-being facade the API calls: one method per thing a teen, an adult or a guardian does.

Each method hands over to the act it belongs to:

- `gate`: before every page, count screen time and answer with at most one prompt;
- `own_limits`: the account's passcodes, limit, session prompt, quiet hours, features;
- `dashboard`: minutes by day and hour, a guardian's summary, the weekly recap;
- `inbox`: notifications, held during quiet hours;
- `pairing`: Family Pairing codes and links, a guardian's controls, requests for more time.

Numbers come from the policy; the constructor's options are measurement and security knobs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import argon2

from safefeed import model
from safefeed.policy import rules
from safefeed.store import repository
from safefeed.wellbeing import (
    context,
    dashboard,
    family,
    gate,
    inbox,
    notifications,
    own_limits,
    pairing,
    passcodes,
    prompts,
    schedule,
    screen_time,
)
from safefeed.wellbeing.records import store as records_store

# The names callers (the API, the account service) know from here.
Admission = gate.Admission
Features = own_limits.Features
MAX_REQUEST_MINUTES = pairing.MAX_REQUEST_MINUTES
# `Wellbeing.notifications` shadows the module inside the class body.
Notification = notifications.Notification


class Wellbeing:
    """Screen time, limits, prompts, wind-down, notifications and Family Pairing over one database."""

    def __init__(
        self,
        store: records_store.WellbeingStore,
        accounts: repository.Store,
        policy: rules.Policy,
        *,
        idle_cutoff: dt.timedelta = dt.timedelta(minutes=5),
        session_break: dt.timedelta = dt.timedelta(minutes=10),
        code_lifetime: dt.timedelta = dt.timedelta(minutes=15),
        rate_limit: passcodes.RateLimit | None = None,
        hasher: argon2.PasswordHasher | None = None,
    ) -> None:
        assert idle_cutoff <= session_break, "idle_cutoff must not exceed session_break"
        self.store = store
        self.accounts = accounts
        self.policy = policy
        self.idle_cutoff = idle_cutoff
        self.session_break = session_break
        self.code_lifetime = code_lifetime
        ctx = context.Context(store, accounts, policy, idle_cutoff, session_break)
        self._pairing = pairing.Pairing(ctx, code_lifetime=code_lifetime)
        self._gate = gate.Gate(ctx, self._pairing)
        self._limits = own_limits.OwnLimits(
            ctx, self._pairing, rate_limit=rate_limit or passcodes.RateLimit(), hasher=hasher or argon2.PasswordHasher()
        )
        self._dashboard = dashboard.Dashboard(ctx, self._pairing)
        self._inbox = inbox.Inbox(ctx, self._pairing, self._dashboard)

    @property
    def rate_limit(self) -> passcodes.RateLimit:
        return self._limits.rate_limit

    @property
    def hasher(self) -> argon2.PasswordHasher:
        return self._limits.hasher

    @hasher.setter
    def hasher(self, hasher: argon2.PasswordHasher) -> None:
        self._limits.hasher = hasher  # tests swap in a cheap one after assembly

    # -- the gate ----------------------------------------------------------------------

    def observe(self, account: model.Account, moments: Sequence[dt.datetime]) -> screen_time.Clock:
        return self._gate.observe(account, moments)

    def admit(self, account: model.Account, now: dt.datetime) -> Admission:
        return self._gate.admit(account, now)

    def gate(self, account: model.Account, now: dt.datetime) -> prompts.Prompt | None:
        return self._gate.gate(account, now)

    def acknowledge(self, account: model.Account, kind: prompts.PromptKind, now: dt.datetime) -> None:
        self._gate.acknowledge(account, kind, now)

    def confirm_wind_down(self, account: model.Account, now: dt.datetime) -> None:
        self._gate.confirm_wind_down(account, now)

    # -- own limits and passcodes ------------------------------------------------------

    def set_passcode(self, account: model.Account, passcode: str, now: dt.datetime | None = None) -> None:
        self._limits.set_passcode(account, passcode, now)

    def guardian_set_passcode(
        self, guardian_id: str, teen: model.Account, passcode: str, now: dt.datetime | None = None
    ) -> None:
        self._limits.guardian_set_passcode(guardian_id, teen, passcode, now)

    def unlock(self, account: model.Account, passcode: str, now: dt.datetime) -> dt.timedelta:
        return self._limits.unlock(account, passcode, now)

    def set_daily_limit(self, account: model.Account, minutes: int | None, now: dt.datetime) -> None:
        self._limits.set_daily_limit(account, minutes, now)

    def set_session_prompt(self, account: model.Account, minutes: int | None) -> None:
        self._limits.set_session_prompt(account, minutes)

    def set_quiet_hours(
        self, account: model.Account, window: notifications.QuietHours | None, now: dt.datetime
    ) -> None:
        self._limits.set_quiet_hours(account, window, now)

    def set_features(
        self, account: model.Account, *, autoplay: bool | None = None, streaks: bool | None = None
    ) -> None:
        self._limits.set_features(account, autoplay=autoplay, streaks=streaks)

    def features(self, account: model.Account, now: dt.datetime) -> Features:
        return self._limits.features(account, now)

    # -- the dashboard and the inbox ---------------------------------------------------

    def dashboard(self, account: model.Account, now: dt.datetime, *, days: int = 7) -> screen_time.Dashboard:
        return self._dashboard.dashboard(account, now, days=days)

    def guardian_summary(self, guardian_id: str, teen: model.Account, now: dt.datetime) -> family.Summary:
        return self._dashboard.guardian_summary(guardian_id, teen, now)

    def notifications(self, account: model.Account, now: dt.datetime) -> list[Notification]:
        return self._inbox.notifications(account, now)

    def guardian_notifications(self, guardian_id: str, now: dt.datetime) -> list[Notification]:
        return self._inbox.guardian_notifications(guardian_id, now)

    # -- Family Pairing ----------------------------------------------------------------

    def pairing_code(self, guardian_id: str, now: dt.datetime) -> str:
        return self._pairing.pairing_code(guardian_id, now)

    def accept_pairing(self, teen: model.Account, code: str, now: dt.datetime) -> None:
        self._pairing.accept_pairing(teen, code, now)

    def is_guardian(self, guardian_id: str, teen_id: str) -> bool:
        return self._pairing.is_guardian(guardian_id, teen_id)

    def teens_of(self, guardian_id: str) -> list[str]:
        return self._pairing.teens_of(guardian_id)

    def guardians_of(self, teen_id: str) -> list[str]:
        return self._pairing.guardians_of(teen_id)

    def unlink(self, guardian_id: str, teen_id: str, now: dt.datetime) -> None:
        self._pairing.unlink(guardian_id, teen_id, now)

    def guardian_set_limit(self, guardian_id: str, teen: model.Account, minutes: int | None, now: dt.datetime) -> None:
        self._pairing.guardian_set_limit(guardian_id, teen, minutes, now)

    def set_time_away(
        self, guardian_id: str, teen: model.Account, windows: Sequence[schedule.Window], now: dt.datetime
    ) -> None:
        self._pairing.set_time_away(guardian_id, teen, windows, now)

    def tighten(
        self,
        guardian_id: str,
        teen: model.Account,
        *,
        keyword_filters: Sequence[str] | None = None,
        less_of: Sequence[str] | None = None,
        personalised: bool | None = None,
        autoplay: bool | None = None,
        streaks: bool | None = None,
        now: dt.datetime | None = None,
    ) -> family.Controls:
        return self._pairing.tighten(
            guardian_id,
            teen,
            keyword_filters=keyword_filters,
            less_of=less_of,
            personalised=personalised,
            autoplay=autoplay,
            streaks=streaks,
            now=now,
        )

    def set_feed_consent(
        self, guardian_id: str, teen: model.Account, granted: bool, now: dt.datetime
    ) -> family.Controls:
        return self._pairing.set_feed_consent(guardian_id, teen, granted, now)

    def family_controls(self, teen: model.Account) -> family.Controls:
        return self._pairing.family_controls(teen)

    def effective_account(self, account: model.Account) -> model.Account:
        return self._pairing.effective_account(account)

    def request_more_time(self, teen: model.Account, minutes: int, now: dt.datetime) -> family.TimeRequest:
        return self._pairing.request_more_time(teen, minutes, now)

    def decide(self, guardian_id: str, request_id: int, approve: bool, now: dt.datetime) -> family.TimeRequest:
        return self._pairing.decide(guardian_id, request_id, approve, now)

    def requests(
        self, *, guardian_id: str | None = None, teen_id: str | None = None, pending_only: bool = False
    ) -> list[family.TimeRequest]:
        return self._pairing.requests(guardian_id=guardian_id, teen_id=teen_id, pending_only=pending_only)
