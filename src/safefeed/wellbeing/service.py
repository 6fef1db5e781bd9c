"""The well-being facade the API calls: one method per thing a teen, an adult or a guardian does.

The gate runs before every feed page and answers with at most one prompt, the
strongest that applies, in this order:

1. Time Away a guardian scheduled (blocking; lifts at the window's end, or for
   the minutes a guardian approved);
2. the daily limit (blocking until a passcode extends it or the local day ends);
3. wind-down at night for the bands the policy names (blocking; dismissing it
   once brings a second screen `wind_down_repeat_minutes` later that can only be
   confirmed `wind_down_confirm_seconds` after it was first shown);
4. the session prompt after `session_prompt_minutes` of one session (blocking
   until "keep going");
5. "set your own limit" for an account that opted out of the limit and passed
   `own_limit_prompt_minutes` today (not blocking; once a day).

The engagement policy (the audit baseline) turns the gate off. Numbers come
from the policy; the constructor's options are measurement and security knobs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

import argon2

from safefeed import model
from safefeed.policy import rules
from safefeed.store import repository
from safefeed.wellbeing import (
    clock,
    errors,
    family,
    limits,
    notifications,
    passcodes,
    prompts,
    schedule,
    screen_time,
    wind_down,
)
from safefeed.wellbeing.records import store as wellbeing_store
from safefeed.wellbeing.records import unlocks

# Prompt marks, keyed by the local day or night they belong to.
WIND_DOWN_DISMISSED = "wind_down_dismissed"
WIND_DOWN_CONFIRM_SHOWN = "wind_down_confirm_shown"
WIND_DOWN_CONFIRMED = "wind_down_confirmed"
OWN_LIMIT_DISMISSED = "own_limit_dismissed"

MAX_REQUEST_MINUTES = 240
# `Wellbeing.notifications` shadows the module inside the class body.
Notification = notifications.Notification
_RETRIES = 50


@dataclasses.dataclass(frozen=True, slots=True)
class Admission:
    """What the well-being rules say before a page: the account as the feed must serve it, and any prompt."""

    account: model.Account  # with its guardians' controls laid over its settings
    prompt: prompts.Prompt | None


@dataclasses.dataclass(frozen=True, slots=True)
class Features:
    """What the client should do for this account now: the defaults, its choices, its guardians' controls."""

    autoplay: bool
    streaks: bool
    quiet_hours: notifications.QuietHours | None
    quiet_hours_locked: bool
    session_prompt_minutes: int | None
    daily_limit: limits.Limit


class Wellbeing:
    """Screen time, limits, prompts, wind-down, notifications and Family Pairing over one database."""

    def __init__(
        self,
        store: wellbeing_store.WellbeingStore,
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
        self.rate_limit = rate_limit or passcodes.RateLimit()
        self.hasher = hasher or argon2.PasswordHasher()

    # -- reading the clock ---------------------------------------------------

    def _band(self, account: model.Account, now: dt.datetime) -> tuple[rules.Band, dt.tzinfo, dt.datetime]:
        tz = clock.zone(account.timezone)
        here = clock.local(now, tz)
        return self.policy.band(account, here.date()), tz, here

    def _pending_slices(self, current: screen_time.Clock, now: dt.datetime, tz: dt.tzinfo) -> list[screen_time.Slice]:
        tail = screen_time.pending(current, now, idle_cutoff=self.idle_cutoff)
        return [] if tail is None else screen_time.split(*tail, tz)

    def _today_seconds(
        self, account_id: str, current: screen_time.Clock, now: dt.datetime, tz: dt.tzinfo, today: dt.date
    ) -> float:
        return self.store.activity.day_seconds(account_id, today) + screen_time.day_seconds(
            self._pending_slices(current, now, tz), today
        )

    def _limit(self, account: model.Account, band: rules.Band, controls: family.Controls) -> limits.Limit:
        return limits.effective(band, account.settings, controls.daily_limit_minutes)

    def _session_minutes(self, band: rules.Band, settings: model.AccountSettings) -> int | None:
        own = settings.session_prompt_minutes
        if own is None:
            return band.session_prompt_minutes
        return None if own == 0 else own

    # -- the feed path ---------------------------------------------------------

    def observe(self, account: model.Account, moments: Sequence[dt.datetime]) -> screen_time.Clock:
        """Count feed activity (page requests, events) as screen time; safe to call from any instance.

        Returns the activity clock as stored afterwards.
        """
        tz = clock.zone(account.timezone)
        for _ in range(_RETRIES):
            current = self.store.activity.clock(account.id)
            after, intervals = screen_time.advance(
                current, moments, idle_cutoff=self.idle_cutoff, session_break=self.session_break
            )
            if after == current:
                return current  # nothing newer than what is already counted
            slices = screen_time.merge(piece for start, end in intervals for piece in screen_time.split(start, end, tz))
            if self.store.activity.advance(account.id, current.version, after, slices):
                return dataclasses.replace(after, version=current.version + 1)
        raise errors.Busy(f"account {account.id!r}: the activity clock kept changing under {_RETRIES} attempts")

    def admit(self, account: model.Account, now: dt.datetime) -> Admission:
        """Before a page: count the request as screen time, then gate it; one read of each piece of state."""
        current = self.observe(account, [now])
        controls = self.family_controls(account)
        return Admission(self._overlay(account, controls), self._gate(account, now, controls, current))

    def gate(self, account: model.Account, now: dt.datetime) -> prompts.Prompt | None:
        """The prompt to show before the next page, if any; a blocking one means no videos."""
        return self._gate(account, now, self.family_controls(account), self.store.activity.clock(account.id))

    def _gate(
        self, account: model.Account, now: dt.datetime, controls: family.Controls, current: screen_time.Clock
    ) -> prompts.Prompt | None:
        if self.policy.kind == "engagement":
            return None
        band, tz, here = self._band(account, now)
        today = here.date()
        has_guardian = bool(controls.guardians)

        if controls.time_away:
            until = schedule.active(controls.time_away, now, tz)
            if until is not None and self.store.unlocks.pass_until(account.id, now) is None:
                return prompts.time_away(until, has_guardian=has_guardian)

        limit = self._limit(account, band, controls)
        used = self._today_seconds(account.id, current, now, tz, today)
        if limit.minutes is not None and limits.reached(
            limit, used, self.store.unlocks.granted_minutes(account.id, today)
        ):
            return prompts.daily_limit(
                limit.minutes,
                clock.next_midnight(now, tz),
                by_guardian=limit.source is limits.Source.GUARDIAN,
                has_passcode=account.id in self.store.unlocks.passcodes(account.id),
                has_guardian=has_guardian,
            )

        night = wind_down.night(band, here)
        if night is not None and self.store.marks.marked(account.id, WIND_DOWN_CONFIRMED, night.isoformat()) is None:
            ends = wind_down.ends(band, night, tz)
            dismissed = self.store.marks.marked(account.id, WIND_DOWN_DISMISSED, night.isoformat())
            if dismissed is None:
                return prompts.wind_down(ends)
            if now >= dismissed + dt.timedelta(minutes=band.wind_down_repeat_minutes):
                shown = self.store.marks.mark(account.id, WIND_DOWN_CONFIRM_SHOWN, night.isoformat(), now)
                return prompts.wind_down_confirm(ends, shown + dt.timedelta(seconds=band.wind_down_confirm_seconds))

        interval = self._session_minutes(band, account.settings)
        if interval is not None:
            seconds = screen_time.session_seconds(
                current, now, idle_cutoff=self.idle_cutoff, session_break=self.session_break
            )
            if seconds - current.acked_seconds >= interval * 60:
                return prompts.session(seconds / 60)

        threshold = band.own_limit_prompt_minutes
        if (
            limit.opted_out
            and threshold is not None
            and used >= threshold * 60
            and self.store.marks.marked(account.id, OWN_LIMIT_DISMISSED, today.isoformat()) is None
        ):
            return prompts.set_own_limit(used / 60)
        return None

    def acknowledge(self, account: model.Account, kind: prompts.PromptKind, now: dt.datetime) -> None:
        """Answer a dismissible prompt: "keep going", the first wind-down screen, "set your own limit"."""
        band, _tz, here = self._band(account, now)
        if kind is prompts.PromptKind.SESSION:
            current = self.store.activity.clock(account.id)
            if current.session_start is not None:
                seconds = screen_time.session_seconds(
                    current, now, idle_cutoff=self.idle_cutoff, session_break=self.session_break
                )
                self.store.activity.acknowledge_session(account.id, current.session_start, seconds)
        elif kind is prompts.PromptKind.WIND_DOWN:
            night = wind_down.night(band, here)
            if night is not None:
                self.store.marks.mark(account.id, WIND_DOWN_DISMISSED, night.isoformat(), now)
        elif kind is prompts.PromptKind.SET_OWN_LIMIT:
            self.store.marks.mark(account.id, OWN_LIMIT_DISMISSED, here.date().isoformat(), now)
        else:
            how = {
                prompts.PromptKind.DAILY_LIMIT: "enter the passcode (unlock) or ask a guardian for more time",
                prompts.PromptKind.WIND_DOWN_CONFIRM: "confirm it (confirm_wind_down) once its delay has passed",
                prompts.PromptKind.TIME_AWAY: "ask a guardian for more time (request_more_time)",
            }[kind]
            raise errors.NotDismissible(f"the {kind.value} prompt cannot be acknowledged: {how}")

    def confirm_wind_down(self, account: model.Account, now: dt.datetime) -> None:
        """The deliberate second answer at night; afterwards no wind-down screen until the next night."""
        band, _tz, here = self._band(account, now)
        night = wind_down.night(band, here)
        if night is None:
            return  # the night is over: nothing left to confirm
        shown = self.store.marks.marked(account.id, WIND_DOWN_CONFIRM_SHOWN, night.isoformat())
        if shown is None:
            raise errors.TooEarly(
                "the second wind-down screen has not been shown yet: dismiss the first one and ask for the feed again",
                None,
            )
        confirm_after = shown + dt.timedelta(seconds=band.wind_down_confirm_seconds)
        if now < confirm_after:
            raise errors.TooEarly(
                f"wind-down can be confirmed from {confirm_after.isoformat()}, "
                f"{(confirm_after - now).total_seconds():.0f} s from now; wait and confirm again",
                confirm_after,
            )
        self.store.marks.mark(account.id, WIND_DOWN_CONFIRMED, night.isoformat(), now)

    # -- limits and passcodes ------------------------------------------------------

    def set_passcode(self, account: model.Account, passcode: str, now: dt.datetime | None = None) -> None:
        """The account's own passcode for its own limit (argon2-hashed; never stored in clear)."""
        digest = self.hasher.hash(passcodes.check(passcode))
        self.store.unlocks.put_passcode(account.id, account.id, digest, now or dt.datetime.now(dt.UTC))

    def guardian_set_passcode(
        self, guardian_id: str, teen: model.Account, passcode: str, now: dt.datetime | None = None
    ) -> None:
        """The passcode a guardian shares when their limit is reached; only it extends a guardian's limit."""
        self._require_guardian(guardian_id, teen.id)
        digest = self.hasher.hash(passcodes.check(passcode))
        self.store.unlocks.put_passcode(teen.id, guardian_id, digest, now or dt.datetime.now(dt.UTC))

    def unlock(self, account: model.Account, passcode: str, now: dt.datetime) -> dt.timedelta:
        """Extend today's limit by the policy's `limit_extension_minutes`; returns the extension granted.

        Attempts are counted in the database: after `rate_limit.max_failures` wrong ones
        in a row, nothing is checked until the lock-out ends.
        """
        locked = self.store.unlocks.locked_until(account.id)
        if locked is not None and locked > now:
            raise errors.PasscodeLocked(f"too many wrong passcodes: try again after {locked.isoformat()}", locked)
        band, _tz, here = self._band(account, now)
        controls = self.family_controls(account)
        limit = self._limit(account, band, controls)
        stored = self.store.unlocks.passcodes(account.id)
        if limit.source is limits.Source.GUARDIAN:
            candidates = [digest for owner, digest in stored.items() if owner in controls.guardians]
            missing = "your guardian has not set a passcode yet: ask them to set one, or request more time"
        else:
            candidates = [stored[account.id]] if account.id in stored else []
            missing = "no passcode is set: set one first, then enter it"
        if not candidates:
            raise errors.NoPasscode(missing)
        if any(passcodes.matches(self.hasher, digest, passcode) for digest in candidates):
            self.store.unlocks.reset_failures(account.id)
            extension = dt.timedelta(minutes=band.limit_extension_minutes)
            self.store.unlocks.add_grant(
                account.id,
                unlocks.Grant(here.date(), band.limit_extension_minutes, "passcode", clock.utc(now)),
            )
            return extension
        left = self.store.unlocks.record_failure(
            account.id, now, max_failures=self.rate_limit.max_failures, lockout=self.rate_limit.lockout
        )
        if left == 0:
            until = clock.utc(now) + self.rate_limit.lockout
            raise errors.PasscodeLocked(f"too many wrong passcodes: try again after {until.isoformat()}", until)
        raise errors.WrongPasscode(f"that passcode is wrong; {left} attempts left before a pause", left)

    def set_daily_limit(self, account: model.Account, minutes: int | None, now: dt.datetime) -> None:
        """The account's own limit in minutes; `None` opts out of any limit (then the 100-minute prompt applies)."""
        controls = self.family_controls(account)
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
        band, _tz, _here = self._band(account, now)
        notifications.check_own(band, window)
        value = None if window is None else (f"{window[0]:%H:%M}", f"{window[1]:%H:%M}")
        self._update_settings(account, quiet_hours=value)

    def set_features(
        self, account: model.Account, *, autoplay: bool | None = None, streaks: bool | None = None
    ) -> None:
        """Turn autoplay or streaks on or off; a guardian's "off" cannot be overridden."""
        controls = self.family_controls(account)
        for name, wanted, forced in (("autoplay", autoplay, controls.autoplay), ("streaks", streaks, controls.streaks)):
            if wanted and forced is False:
                raise errors.SetByGuardian(f"{name} was turned off by a guardian through Family Pairing; ask them")
        changes = {name: value for name, value in (("autoplay", autoplay), ("streaks", streaks)) if value is not None}
        if changes:
            self._update_settings(account, **changes)

    def features(self, account: model.Account, now: dt.datetime) -> Features:
        band, _tz, _here = self._band(account, now)
        settings = self.effective_account(account).settings
        controls = self.family_controls(account)
        return Features(
            autoplay=band.autoplay if settings.autoplay is None else settings.autoplay,
            streaks=band.streaks if settings.streaks is None else settings.streaks,
            quiet_hours=notifications.quiet_hours(band, settings),
            quiet_hours_locked=band.quiet_hours_locked,
            session_prompt_minutes=self._session_minutes(band, settings),
            daily_limit=self._limit(account, band, controls),
        )

    def _update_settings(self, account: model.Account, **changes: object) -> None:
        fresh = self.accounts.account(account.id)
        self.accounts.put_account(
            dataclasses.replace(fresh, settings=dataclasses.replace(fresh.settings, **changes))  # type: ignore[arg-type]
        )

    # -- what the account sees -------------------------------------------------------

    def dashboard(self, account: model.Account, now: dt.datetime, *, days: int = 7) -> screen_time.Dashboard:
        """Minutes by local day and by local hour, for the last `days` days including today."""
        if not 1 <= days <= 366:
            raise errors.InvalidSetting(f"a dashboard covers 1-366 days, got {days}")
        band, tz, here = self._band(account, now)
        usage = self._usage(account.id, now, tz, here.date(), days)
        total = sum(day.minutes for day in usage)
        return screen_time.Dashboard(
            account_id=account.id,
            timezone=account.timezone,
            days=usage,
            by_hour=tuple(sum(day.by_hour[hour] for day in usage) for hour in range(24)),
            today_minutes=usage[-1].minutes,
            average_minutes=total / days,
            daily_limit_minutes=self._limit(account, band, self.family_controls(account)).minutes,
        )

    def _usage(
        self, account_id: str, now: dt.datetime, tz: dt.tzinfo, today: dt.date, days: int
    ) -> tuple[screen_time.DayUsage, ...]:
        first = today - dt.timedelta(days=days - 1)
        seconds = self.store.activity.seconds_by_hour(account_id, first, today)
        for piece in self._pending_slices(self.store.activity.clock(account_id), now, tz):
            if first <= piece.day <= today:
                seconds[piece.day, piece.hour] = seconds.get((piece.day, piece.hour), 0.0) + piece.seconds
        return screen_time.usage(seconds, (first + dt.timedelta(days=n) for n in range(days)))

    def notifications(self, account: model.Account, now: dt.datetime) -> list[Notification]:
        """The inbox (delivered only, newest first); queues the weekly recap; quiet hours hold new ones."""
        band, tz, here = self._band(account, now)
        safe = self.policy.kind != "engagement"
        if safe and band.weekly_recap:
            self._queue_recap(account, now, tz, here.date())
        settings = self.effective_account(account).settings
        quiet = notifications.quiet_hours(band, settings) if safe else None
        if not notifications.is_quiet(quiet, now, tz):
            self.store.inbox.deliver(account.id, now)
        return self.store.inbox.inbox(account.id)

    def guardian_notifications(self, guardian_id: str, now: dt.datetime) -> list[Notification]:
        """A guardian's inbox (requests for more time, pairing news); adults get theirs at once."""
        self.store.inbox.deliver(guardian_id, now)
        return self.store.inbox.inbox(guardian_id)

    def _queue_recap(self, account: model.Account, now: dt.datetime, tz: dt.tzinfo, today: dt.date) -> None:
        monday = notifications.week_start(today)
        last_week = monday - dt.timedelta(days=7)
        if account.created_at >= clock.at(monday, dt.time(0), tz):
            return  # the account did not exist last week: nothing to recap
        key = notifications.recap_key(last_week)
        if self.store.marks.marked(account.id, "recap", key) is not None:
            return
        seconds = self.store.activity.seconds_by_hour(account.id, last_week - dt.timedelta(days=7), monday - clock.DAY)
        minutes = sum(s for (day, _hour), s in seconds.items() if day >= last_week) / 60
        previous = sum(s for (day, _hour), s in seconds.items() if day < last_week) / 60
        title, body = notifications.recap(last_week, minutes, previous)
        self.store.inbox.notify(account.id, notifications.Kind.WEEKLY_RECAP, title, body, now, key=key)
        self.store.marks.mark(account.id, "recap", key, now)

    # -- Family Pairing ------------------------------------------------------------------

    def pairing_code(self, guardian_id: str, now: dt.datetime) -> str:
        """A one-time code (e.g. "K7QM-3RXD") the teen enters to accept; it expires after `code_lifetime`."""
        code = family.new_code()
        self.store.pairing.add_code(
            family.digest(code), guardian_id, clock.utc(now), clock.utc(now) + self.code_lifetime
        )
        return f"{code[:4]}-{code[4:]}"

    def accept_pairing(self, teen: model.Account, code: str, now: dt.datetime) -> None:
        """The teen accepts a guardian's code: from now on that guardian may set limits and controls."""
        digest = family.digest(code)
        found = self.store.pairing.code(digest)
        if found is None or found.used:
            raise errors.UnknownCode(
                f"pairing code {code!r} is unknown or already used; ask your guardian for a new one"
            )
        if found.expires_at <= now:
            raise errors.CodeExpired(
                f"pairing code {code!r} expired at {found.expires_at.isoformat()}; ask your guardian for a new one"
            )
        if found.guardian_id == teen.id:
            raise errors.CannotPair("an account cannot be its own guardian; the teen enters the guardian's code")
        if teen.age_band(clock.local(now, clock.zone(teen.timezone)).date()) is model.AgeBand.ADULT:
            raise errors.CannotPair(f"account {teen.id!r} is an adult's; Family Pairing links a guardian to a teen")
        if not self.store.pairing.claim_code(digest, teen.id, now):
            raise errors.UnknownCode(f"pairing code {code!r} was used or expired just now; ask for a new one")
        self.store.inbox.notify(
            found.guardian_id,
            notifications.Kind.FAMILY_PAIRING,
            "Family Pairing is on",
            f"{teen.id} accepted your pairing code.",
            now,
            key=None,
            subject=teen.id,
        )

    def is_guardian(self, guardian_id: str, teen_id: str) -> bool:
        return self.store.pairing.is_linked(guardian_id, teen_id)

    def teens_of(self, guardian_id: str) -> list[str]:
        return self.store.pairing.teens_of(guardian_id)

    def guardians_of(self, teen_id: str) -> list[str]:
        return self.store.pairing.guardians_of(teen_id)

    def unlink(self, guardian_id: str, teen_id: str, now: dt.datetime) -> None:
        """Either side ends the pairing; what that guardian set goes with it, and both are told."""
        if not self.store.pairing.unlink(guardian_id, teen_id):
            raise errors.NotGuardian(f"{guardian_id!r} is not linked to {teen_id!r}; nothing to unlink")
        for recipient in (guardian_id, teen_id):
            self.store.inbox.notify(
                recipient,
                notifications.Kind.FAMILY_PAIRING,
                "Family Pairing ended",
                f"{guardian_id} and {teen_id} are no longer paired.",
                now,
                key=None,
                subject=teen_id if recipient == guardian_id else guardian_id,
            )

    def _require_guardian(self, guardian_id: str, teen_id: str) -> None:
        if not self.store.pairing.is_linked(guardian_id, teen_id):
            raise errors.NotGuardian(
                f"{guardian_id!r} is not a linked guardian of {teen_id!r}; pair first with a Family Pairing code"
            )

    def _own_controls(self, guardian_id: str, teen_id: str) -> family.GuardianControls:
        for controls in self.store.pairing.controls(teen_id):
            if controls.guardian_id == guardian_id:
                return controls
        return family.GuardianControls(guardian_id)

    def guardian_set_limit(self, guardian_id: str, teen: model.Account, minutes: int | None, now: dt.datetime) -> None:
        """A guardian's daily limit for the teen; `None` withdraws it. Only their passcode extends it."""
        self._require_guardian(guardian_id, teen.id)
        value = None if minutes is None else limits.check_minutes(minutes)
        mine = dataclasses.replace(self._own_controls(guardian_id, teen.id), daily_limit_minutes=value)
        self.store.pairing.put_controls(teen.id, mine, now)

    def set_time_away(
        self, guardian_id: str, teen: model.Account, windows: Sequence[schedule.Window], now: dt.datetime
    ) -> None:
        """Replace this guardian's recurring Time Away windows for the teen."""
        self._require_guardian(guardian_id, teen.id)
        mine = dataclasses.replace(self._own_controls(guardian_id, teen.id), time_away=schedule.check(windows))
        self.store.pairing.put_controls(teen.id, mine, now)

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
        """Set this guardian's overlay on the teen's settings; `None` leaves a field as it is.

        Lists replace this guardian's own list (the teen keeps their own filters too);
        `False` turns a switch off for the teen, `True` hands it back to the teen's choice.
        Whatever is set, the teen's feed is never looser than the teen's own settings.
        """
        self._require_guardian(guardian_id, teen.id)
        mine = self._own_controls(guardian_id, teen.id)
        changes: dict[str, object] = {}
        if keyword_filters is not None:
            changes["keyword_filters"] = family.check_words("keyword_filters", keyword_filters)
        if less_of is not None:
            changes["less_of"] = family.check_words("less_of", less_of)
        for name, value in (("personalised", personalised), ("autoplay", autoplay), ("streaks", streaks)):
            if value is not None:
                changes[name] = None if value else False
        self.store.pairing.put_controls(
            teen.id,
            dataclasses.replace(mine, **changes),  # type: ignore[arg-type]
            now or dt.datetime.now(dt.UTC),
        )
        return self.family_controls(teen)

    def family_controls(self, teen: model.Account) -> family.Controls:
        """Everything any linked guardian set, merged to the strictest: the teen sees all of it."""
        guardians = self.store.pairing.guardians_of(teen.id)
        if not guardians:  # most accounts: no second query on the feed path
            return family.merge(teen.id, guardians, [])
        linked = [controls for controls in self.store.pairing.controls(teen.id) if controls.guardian_id in guardians]
        return family.merge(teen.id, guardians, linked)

    def effective_account(self, account: model.Account) -> model.Account:
        """The account with its guardians' controls laid over its settings: what the feed must use."""
        return self._overlay(account, self.family_controls(account))

    @staticmethod
    def _overlay(account: model.Account, controls: family.Controls) -> model.Account:
        if not controls.guardians:
            return account
        settings = family.apply(account.settings, controls)
        if controls.daily_limit_minutes is not None:
            settings = dataclasses.replace(settings, daily_limit_minutes=controls.daily_limit_minutes)
        return dataclasses.replace(account, settings=settings)

    def request_more_time(self, teen: model.Account, minutes: int, now: dt.datetime) -> family.TimeRequest:
        """Ask the linked guardians for more minutes today (or a break from Time Away)."""
        guardians = self.store.pairing.guardians_of(teen.id)
        if not guardians:
            raise errors.NoGuardian(f"{teen.id!r} has no linked guardian to ask; pair with Family Pairing first")
        if not 1 <= minutes <= MAX_REQUEST_MINUTES:
            raise errors.InvalidSetting(f"ask for 1-{MAX_REQUEST_MINUTES} more minutes, got {minutes}")
        request = self.store.pairing.add_request(teen.id, minutes, now)
        for guardian_id in guardians:
            self.store.inbox.notify(
                guardian_id,
                notifications.Kind.TIME_REQUEST,
                "A request for more time",
                f"{teen.id} asks for {minutes} more minutes (request {request.id}).",
                now,
                key=None,
                subject=teen.id,
            )
        return request

    def decide(self, guardian_id: str, request_id: int, approve: bool, now: dt.datetime) -> family.TimeRequest:
        """Approve (the minutes are added to the teen's local day and open Time Away for as long) or deny."""
        request = self.store.pairing.request(request_id)
        if request is None:
            raise errors.UnknownRequest(f"no request for more time with id {request_id}")
        self._require_guardian(guardian_id, request.teen_id)
        if request.status is not family.RequestStatus.PENDING:
            raise errors.AlreadyDecided(f"request {request_id} was already {request.status.value}")
        teen = self.accounts.account(request.teen_id)
        grant = None
        if approve:
            start = clock.utc(now)
            day = clock.local(now, clock.zone(teen.timezone)).date()
            until = start + dt.timedelta(minutes=request.minutes)
            grant = unlocks.Grant(day, request.minutes, "guardian", start, until)
        status = family.RequestStatus.APPROVED if approve else family.RequestStatus.DENIED
        if not self.store.pairing.decide(request_id, status, guardian_id, now, grant):
            raise errors.AlreadyDecided(f"request {request_id} was decided by another guardian just now")
        self.store.inbox.notify(
            teen.id,
            notifications.Kind.TIME_DECISION,
            "More time approved" if approve else "More time declined",
            f"Your request for {request.minutes} more minutes was {status.value}.",
            now,
            key=None,
        )
        decided = self.store.pairing.request(request_id)
        assert decided is not None
        return decided

    def requests(
        self, *, guardian_id: str | None = None, teen_id: str | None = None, pending_only: bool = False
    ) -> list[family.TimeRequest]:
        """Requests for more time, newest first: of a guardian's teens, or of one teen."""
        assert (guardian_id is None) != (teen_id is None), "give exactly one of guardian_id and teen_id"
        teens = self.store.pairing.teens_of(guardian_id) if guardian_id is not None else [teen_id or ""]
        return self.store.pairing.requests(teens, pending_only=pending_only)

    def guardian_summary(self, guardian_id: str, teen: model.Account, now: dt.datetime) -> family.Summary:
        """Time only, by local day: never what the teen watched or searched."""
        self._require_guardian(guardian_id, teen.id)
        band, tz, here = self._band(teen, now)
        usage = self._usage(teen.id, now, tz, here.date(), 7)
        limit = self._limit(teen, band, self.family_controls(teen))
        return family.Summary(
            teen_id=teen.id,
            today_minutes=usage[-1].minutes,
            daily_limit_minutes=limit.minutes,
            limit_source=limit.source.value,
            days=usage,
            week_minutes=sum(day.minutes for day in usage),
            pending_requests=len(self.store.pairing.requests([teen.id], pending_only=True)),
        )
