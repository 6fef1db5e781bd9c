"""What the feed answers instead of (or beside) videos, with the words a teen reads.

A blocking prompt means the page carries no videos until it is answered; the
`actions` name what the client may offer (each maps to a service call).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum


class PromptKind(enum.StrEnum):
    DAILY_LIMIT = "daily_limit"
    SET_OWN_LIMIT = "set_own_limit"
    SESSION = "session"
    WIND_DOWN = "wind_down"
    WIND_DOWN_CONFIRM = "wind_down_confirm"
    TIME_AWAY = "time_away"


@dataclasses.dataclass(frozen=True, slots=True)
class Prompt:
    kind: PromptKind
    message: str
    blocking: bool
    actions: tuple[str, ...]
    until: dt.datetime | None = None  # when it lifts by itself (UTC)
    confirm_after: dt.datetime | None = None  # the confirm button works from then on (UTC)


# Action names the client turns into calls.
ENTER_PASSCODE = "enter_passcode"  # Wellbeing.unlock
SET_PASSCODE = "set_passcode"  # Wellbeing.set_passcode
REQUEST_MORE_TIME = "request_more_time"  # Wellbeing.request_more_time
KEEP_GOING = "keep_going"  # Wellbeing.acknowledge
DISMISS = "dismiss"  # Wellbeing.acknowledge
CONFIRM = "confirm"  # Wellbeing.confirm_wind_down
SET_LIMIT = "set_limit"  # Wellbeing.set_daily_limit


def daily_limit(
    minutes: int, until: dt.datetime, *, by_guardian: bool, has_passcode: bool, has_guardian: bool
) -> Prompt:
    if by_guardian:
        message = (
            f"You've reached the {minutes}-minute daily limit your family set. "
            "Ask them for their passcode or for more time."
        )
    else:
        message = f"You've reached your {minutes}-minute daily limit. Enter your passcode to keep watching."
    actions = [ENTER_PASSCODE if has_passcode or by_guardian else SET_PASSCODE]
    if has_guardian:
        actions.append(REQUEST_MORE_TIME)
    return Prompt(PromptKind.DAILY_LIMIT, message, True, tuple(actions), until=until)


def set_own_limit(minutes_today: float) -> Prompt:
    return Prompt(
        PromptKind.SET_OWN_LIMIT,
        f"You've spent {int(minutes_today)} minutes here today. Want to set a daily limit that suits you?",
        False,
        (SET_LIMIT, DISMISS),
    )


def session(minutes: float) -> Prompt:
    return Prompt(
        PromptKind.SESSION,
        f"You've been scrolling for {int(minutes)} minutes. Keep going, or take a break?",
        True,
        (KEEP_GOING,),
    )


def wind_down(until: dt.datetime) -> Prompt:
    return Prompt(
        PromptKind.WIND_DOWN,
        "It's getting late. Time to wind down: put the phone away, breathe slowly, and rest.",
        True,
        (DISMISS,),
        until=until,
    )


def wind_down_confirm(until: dt.datetime, confirm_after: dt.datetime) -> Prompt:
    return Prompt(
        PromptKind.WIND_DOWN_CONFIRM,
        "Still here? Sleep helps you feel better tomorrow. If you really want to keep going, confirm below.",
        True,
        (CONFIRM,),
        until=until,
        confirm_after=confirm_after,
    )


def time_away(until: dt.datetime, *, has_guardian: bool) -> Prompt:
    return Prompt(
        PromptKind.TIME_AWAY,
        "It's Time Away, as your family planned. The feed is back when it ends.",
        True,
        (REQUEST_MORE_TIME,) if has_guardian else (),
        until=until,
    )
