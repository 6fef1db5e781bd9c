"""The gate before every feed page: count the request as screen time, then answer with at most one prompt.

The prompt is the strongest that applies, in this order:

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

The engagement policy (the audit baseline) turns the gate off.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from safefeed import model
from safefeed.wellbeing import (
    clock,
    context,
    errors,
    family,
    limits,
    pairing,
    prompts,
    schedule,
    screen_time,
    wind_down,
)

# Prompt marks, keyed by the local day or night they belong to.
WIND_DOWN_DISMISSED = "wind_down_dismissed"
WIND_DOWN_CONFIRM_SHOWN = "wind_down_confirm_shown"
WIND_DOWN_CONFIRMED = "wind_down_confirmed"
OWN_LIMIT_DISMISSED = "own_limit_dismissed"

_RETRIES = 50


@dataclasses.dataclass(frozen=True, slots=True)
class Admission:
    """What the well-being rules say before a page: the account as the feed must serve it, and any prompt."""

    account: model.Account  # with its guardians' controls laid over its settings
    prompt: prompts.Prompt | None


class Gate:
    def __init__(self, ctx: context.Context, guardians: pairing.Pairing) -> None:
        self.ctx = ctx
        self.guardians = guardians

    def observe(self, account: model.Account, moments: Sequence[dt.datetime]) -> screen_time.Clock:
        """Count feed activity (page requests, events) as screen time; safe to call from any instance.

        Returns the activity clock as stored afterwards.
        """
        tz = clock.zone(account.timezone)
        activity = self.ctx.store.activity
        for _ in range(_RETRIES):
            current = activity.clock(account.id)
            after, intervals = screen_time.advance(
                current, moments, idle_cutoff=self.ctx.idle_cutoff, session_break=self.ctx.session_break
            )
            if after == current:
                return current  # nothing newer than what is already counted
            slices = screen_time.merge(piece for start, end in intervals for piece in screen_time.split(start, end, tz))
            if activity.advance(account.id, current.version, after, slices):
                return dataclasses.replace(after, version=current.version + 1)
        raise errors.Busy(f"account {account.id!r}: the activity clock kept changing under {_RETRIES} attempts")

    def admit(self, account: model.Account, now: dt.datetime) -> Admission:
        """Before a page: count the request as screen time, then gate it; one read of each piece of state."""
        current = self.observe(account, [now])
        controls = self.guardians.family_controls(account)
        return Admission(pairing.overlay(account, controls), self._gate(account, now, controls, current))

    def gate(self, account: model.Account, now: dt.datetime) -> prompts.Prompt | None:
        """The prompt to show before the next page, if any; a blocking one means no videos."""
        return self._gate(
            account, now, self.guardians.family_controls(account), self.ctx.store.activity.clock(account.id)
        )

    def _gate(
        self, account: model.Account, now: dt.datetime, controls: family.Controls, current: screen_time.Clock
    ) -> prompts.Prompt | None:
        if self.ctx.policy.kind == "engagement":
            return None
        store = self.ctx.store
        band, tz, here = self.ctx.band(account, now)
        today = here.date()
        has_guardian = bool(controls.guardians)

        if controls.time_away:
            until = schedule.active(controls.time_away, now, tz)
            if until is not None and store.unlocks.pass_until(account.id, now) is None:
                return prompts.time_away(until, has_guardian=has_guardian)

        limit = context.limit(account, band, controls)
        used = self.ctx.today_seconds(account.id, current, now, tz, today)
        if limit.minutes is not None and limits.reached(limit, used, store.unlocks.granted_minutes(account.id, today)):
            return prompts.daily_limit(
                limit.minutes,
                clock.next_midnight(now, tz),
                by_guardian=limit.source is limits.Source.GUARDIAN,
                has_passcode=account.id in store.unlocks.passcodes(account.id),
                has_guardian=has_guardian,
            )

        night = wind_down.night(band, here)
        if night is not None and store.marks.marked(account.id, WIND_DOWN_CONFIRMED, night.isoformat()) is None:
            ends = wind_down.ends(band, night, tz)
            dismissed = store.marks.marked(account.id, WIND_DOWN_DISMISSED, night.isoformat())
            if dismissed is None:
                return prompts.wind_down(ends)
            if now >= dismissed + dt.timedelta(minutes=band.wind_down_repeat_minutes):
                shown = store.marks.mark(account.id, WIND_DOWN_CONFIRM_SHOWN, night.isoformat(), now)
                return prompts.wind_down_confirm(ends, shown + dt.timedelta(seconds=band.wind_down_confirm_seconds))

        interval = context.session_minutes(band, account.settings)
        if interval is not None:
            seconds = self.ctx.session_seconds(current, now)
            if seconds - current.acked_seconds >= interval * 60:
                return prompts.session(seconds / 60)

        threshold = band.own_limit_prompt_minutes
        if (
            limit.opted_out
            and threshold is not None
            and used >= threshold * 60
            and store.marks.marked(account.id, OWN_LIMIT_DISMISSED, today.isoformat()) is None
        ):
            return prompts.set_own_limit(used / 60)
        return None

    def acknowledge(self, account: model.Account, kind: prompts.PromptKind, now: dt.datetime) -> None:
        """Answer a dismissible prompt: "keep going", the first wind-down screen, "set your own limit"."""
        band, _tz, here = self.ctx.band(account, now)
        store = self.ctx.store
        if kind is prompts.PromptKind.SESSION:
            current = store.activity.clock(account.id)
            if current.session_start is not None:
                seconds = self.ctx.session_seconds(current, now)
                store.activity.acknowledge_session(account.id, current.session_start, seconds)
        elif kind is prompts.PromptKind.WIND_DOWN:
            night = wind_down.night(band, here)
            if night is not None:
                store.marks.mark(account.id, WIND_DOWN_DISMISSED, night.isoformat(), now)
        elif kind is prompts.PromptKind.SET_OWN_LIMIT:
            store.marks.mark(account.id, OWN_LIMIT_DISMISSED, here.date().isoformat(), now)
        else:
            how = {
                prompts.PromptKind.DAILY_LIMIT: "enter the passcode (unlock) or ask a guardian for more time",
                prompts.PromptKind.WIND_DOWN_CONFIRM: "confirm it (confirm_wind_down) once its delay has passed",
                prompts.PromptKind.TIME_AWAY: "ask a guardian for more time (request_more_time)",
            }[kind]
            raise errors.NotDismissible(f"the {kind.value} prompt cannot be acknowledged: {how}")

    def confirm_wind_down(self, account: model.Account, now: dt.datetime) -> None:
        """The deliberate second answer at night; afterwards no wind-down screen until the next night."""
        band, _tz, here = self.ctx.band(account, now)
        night = wind_down.night(band, here)
        if night is None:
            return  # the night is over: nothing left to confirm
        shown = self.ctx.store.marks.marked(account.id, WIND_DOWN_CONFIRM_SHOWN, night.isoformat())
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
        self.ctx.store.marks.mark(account.id, WIND_DOWN_CONFIRMED, night.isoformat(), now)
