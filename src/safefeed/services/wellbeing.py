"""The well-being router's acts, for the account itself: screen time, its own limit, passcode, prompts, inbox.

Each act that reads the clock takes `now` (an audit's simulated time); without it, the service's clock.
"""

from __future__ import annotations

import datetime as dt

from safefeed.services import parts as parts_module
from safefeed.wellbeing import notifications, prompts, screen_time
from safefeed.wellbeing import service as wellbeing_service

# `Wellbeing.notifications` shadows the module inside the class body.
Notification = notifications.Notification


class Wellbeing:
    def __init__(self, parts: parts_module.Parts) -> None:
        self.parts = parts

    @property
    def _rules(self) -> wellbeing_service.Wellbeing:
        return self.parts.wellbeing

    def dashboard(self, account_id: str, *, days: int = 7, now: dt.datetime | None = None) -> screen_time.Dashboard:
        """Minutes by local day and by local hour."""
        return self._rules.dashboard(self.parts.account(account_id), self.parts.now(now), days=days)

    def features(self, account_id: str, *, now: dt.datetime | None = None) -> wellbeing_service.Features:
        return self._rules.features(self.parts.account(account_id), self.parts.now(now))

    def set_features(self, account_id: str, *, autoplay: bool | None = None, streaks: bool | None = None) -> None:
        self._rules.set_features(self.parts.account(account_id), autoplay=autoplay, streaks=streaks)

    def set_limit(self, account_id: str, minutes: int | None, *, now: dt.datetime | None = None) -> None:
        """The account's own daily limit; refused when a guardian set one."""
        self._rules.set_daily_limit(self.parts.account(account_id), minutes, self.parts.now(now))

    def set_session_prompt(self, account_id: str, minutes: int | None) -> None:
        self._rules.set_session_prompt(self.parts.account(account_id), minutes)

    def set_quiet_hours(
        self, account_id: str, window: notifications.QuietHours | None, *, now: dt.datetime | None = None
    ) -> None:
        self._rules.set_quiet_hours(self.parts.account(account_id), window, self.parts.now(now))

    def set_passcode(self, account_id: str, passcode: str, *, now: dt.datetime | None = None) -> None:
        self._rules.set_passcode(self.parts.account(account_id), passcode, self.parts.now(now))

    def unlock(self, account_id: str, passcode: str, *, now: dt.datetime | None = None) -> dt.timedelta:
        """Past the limit: the passcode grants a set extension; wrong ones are counted and paused."""
        return self._rules.unlock(self.parts.account(account_id), passcode, self.parts.now(now))

    def acknowledge(self, account_id: str, kind: prompts.PromptKind, *, now: dt.datetime | None = None) -> None:
        self._rules.acknowledge(self.parts.account(account_id), kind, self.parts.now(now))

    def confirm_wind_down(self, account_id: str, *, now: dt.datetime | None = None) -> None:
        self._rules.confirm_wind_down(self.parts.account(account_id), self.parts.now(now))

    def notifications(self, account_id: str, *, now: dt.datetime | None = None) -> list[Notification]:
        """The inbox as it stands at `now`: what quiet hours held is delivered once they are over."""
        return self._rules.notifications(self.parts.account(account_id), self.parts.now(now))

    def guardian_notifications(self, guardian_id: str, *, now: dt.datetime | None = None) -> list[Notification]:
        return self._rules.guardian_notifications(guardian_id, self.parts.now(now))
