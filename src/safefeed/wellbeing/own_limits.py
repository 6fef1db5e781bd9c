"""An account's own limits and switches: passcodes and unlocking, the daily limit, prompts, quiet hours, features.

Passcodes are argon2-hashed and wrong guesses are counted in the database, so
every instance honours the same lock-out. What a guardian set through Family
Pairing wins over what the account chooses for itself.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import argon2

from safefeed import model
from safefeed.wellbeing import clock, context, errors, limits, notifications, pairing, passcodes
from safefeed.wellbeing.records import unlocks


@dataclasses.dataclass(frozen=True, slots=True)
class Features:
    """What the client should do for this account now: the defaults, its choices, its guardians' controls."""

    autoplay: bool
    streaks: bool
    quiet_hours: notifications.QuietHours | None
    quiet_hours_locked: bool
    session_prompt_minutes: int | None
    daily_limit: limits.Limit


class OwnLimits:
    def __init__(
        self,
        ctx: context.Context,
        guardians: pairing.Pairing,
        *,
        rate_limit: passcodes.RateLimit,
        hasher: argon2.PasswordHasher,
    ) -> None:
        self.ctx = ctx
        self.guardians = guardians
        self.rate_limit = rate_limit
        self.hasher = hasher

    # -- passcodes -------------------------------------------------------------------

    def set_passcode(self, account: model.Account, passcode: str, now: dt.datetime | None = None) -> None:
        """The account's own passcode for its own limit (argon2-hashed; never stored in clear)."""
        digest = self.hasher.hash(passcodes.check(passcode))
        self.ctx.store.unlocks.put_passcode(account.id, account.id, digest, now or dt.datetime.now(dt.UTC))

    def guardian_set_passcode(
        self, guardian_id: str, teen: model.Account, passcode: str, now: dt.datetime | None = None
    ) -> None:
        """The passcode a guardian shares when their limit is reached; only it extends a guardian's limit."""
        self.guardians.require_guardian(guardian_id, teen.id)
        digest = self.hasher.hash(passcodes.check(passcode))
        self.ctx.store.unlocks.put_passcode(teen.id, guardian_id, digest, now or dt.datetime.now(dt.UTC))

    def unlock(self, account: model.Account, passcode: str, now: dt.datetime) -> dt.timedelta:
        """Extend today's limit by the policy's `limit_extension_minutes`; returns the extension granted.

        Attempts are counted in the database: after `rate_limit.max_failures` wrong ones
        in a row, nothing is checked until the lock-out ends.
        """
        store = self.ctx.store.unlocks
        locked = store.locked_until(account.id)
        if locked is not None and locked > now:
            raise errors.PasscodeLocked(f"too many wrong passcodes: try again after {locked.isoformat()}", locked)
        band, _tz, here = self.ctx.band(account, now)
        controls = self.guardians.family_controls(account)
        limit = context.limit(account, band, controls)
        stored = store.passcodes(account.id)
        if limit.source is limits.Source.GUARDIAN:
            candidates = [digest for owner, digest in stored.items() if owner in controls.guardians]
            missing = "your guardian has not set a passcode yet: ask them to set one, or request more time"
        else:
            candidates = [stored[account.id]] if account.id in stored else []
            missing = "no passcode is set: set one first, then enter it"
        if not candidates:
            raise errors.NoPasscode(missing)
        if any(passcodes.matches(self.hasher, digest, passcode) for digest in candidates):
            store.reset_failures(account.id)
            extension = dt.timedelta(minutes=band.limit_extension_minutes)
            store.add_grant(
                account.id, unlocks.Grant(here.date(), band.limit_extension_minutes, "passcode", clock.utc(now))
            )
            return extension
        left = store.record_failure(
            account.id, now, max_failures=self.rate_limit.max_failures, lockout=self.rate_limit.lockout
        )
        if left == 0:
            until = clock.utc(now) + self.rate_limit.lockout
            raise errors.PasscodeLocked(f"too many wrong passcodes: try again after {until.isoformat()}", until)
        raise errors.WrongPasscode(f"that passcode is wrong; {left} attempts left before a pause", left)

    # -- the account's own settings ----------------------------------------------------

    def set_daily_limit(self, account: model.Account, minutes: int | None, now: dt.datetime) -> None:
        """The account's own limit in minutes; `None` opts out of any limit (then the 100-minute prompt applies)."""
        controls = self.guardians.family_controls(account)
        if controls.daily_limit_minutes is not None:
            raise errors.SetByGuardian(
                f"your daily limit of {controls.daily_limit_minutes} minutes was set by {controls.limit_set_by!r} "
                "through Family Pairing; ask them to change it, or request more time"
            )
        value = limits.OFF if minutes is None else limits.check_minutes(minutes)
        self._update_settings(account, daily_limit_minutes=value)

    def set_session_prompt(self, account: model.Account, minutes: int | None) -> None:
        """How often "keep going?" interrupts a session; `None` turns it off."""
        value = 0 if minutes is None else limits.check_minutes(minutes, what="a session prompt interval")
        self._update_settings(account, session_prompt_minutes=value)

    def set_quiet_hours(
        self, account: model.Account, window: notifications.QuietHours | None, now: dt.datetime
    ) -> None:
        """Move one's quiet hours (where the policy allows, never shorter); `None` returns to the policy's."""
        band, _tz, _here = self.ctx.band(account, now)
        notifications.check_own(band, window)
        value = None if window is None else (f"{window[0]:%H:%M}", f"{window[1]:%H:%M}")
        self._update_settings(account, quiet_hours=value)

    def set_features(
        self, account: model.Account, *, autoplay: bool | None = None, streaks: bool | None = None
    ) -> None:
        """Turn autoplay or streaks on or off; a guardian's "off" cannot be overridden."""
        controls = self.guardians.family_controls(account)
        for name, wanted, forced in (("autoplay", autoplay, controls.autoplay), ("streaks", streaks, controls.streaks)):
            if wanted and forced is False:
                raise errors.SetByGuardian(f"{name} was turned off by a guardian through Family Pairing; ask them")
        changes = {name: value for name, value in (("autoplay", autoplay), ("streaks", streaks)) if value is not None}
        if changes:
            self._update_settings(account, **changes)

    def features(self, account: model.Account, now: dt.datetime) -> Features:
        band, _tz, _here = self.ctx.band(account, now)
        settings = self.guardians.effective_account(account).settings
        controls = self.guardians.family_controls(account)
        return Features(
            autoplay=band.autoplay if settings.autoplay is None else settings.autoplay,
            streaks=band.streaks if settings.streaks is None else settings.streaks,
            quiet_hours=notifications.quiet_hours(band, settings),
            quiet_hours_locked=band.quiet_hours_locked,
            session_prompt_minutes=context.session_minutes(band, settings),
            daily_limit=context.limit(account, band, controls),
        )

    def _update_settings(self, account: model.Account, **changes: object) -> None:
        fresh = self.ctx.accounts.account(account.id)
        self.ctx.accounts.put_account(
            dataclasses.replace(fresh, settings=dataclasses.replace(fresh.settings, **changes))  # type: ignore[arg-type]
        )
