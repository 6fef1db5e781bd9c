"""The inbox: notifications are queued at once and delivered outside quiet hours.

Quiet hours come from the policy; where the policy does not lock them (16-17s),
an account may move its window but not shorten it, and an adult may choose one.
The weekly recap is queued once per local ISO week, for the week before.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum

from safefeed import model
from safefeed.policy import rules
from safefeed.wellbeing import clock, errors, schedule


class Kind(enum.StrEnum):
    WEEKLY_RECAP = "weekly_recap"
    TIME_REQUEST = "time_request"  # to a guardian: a teen asked for more time
    TIME_DECISION = "time_decision"  # to the teen: the guardian's answer
    FAMILY_PAIRING = "family_pairing"


@dataclasses.dataclass(frozen=True, slots=True)
class Notification:
    id: int
    recipient_id: str
    kind: Kind
    title: str
    body: str
    created_at: dt.datetime
    delivered_at: dt.datetime | None


QuietHours = tuple[dt.time, dt.time]


def quiet_hours(band: rules.Band, settings: model.AccountSettings) -> QuietHours | None:
    """The window in force: the policy's, or the account's own where it may choose.

    >>> teen = rules.built_in("default").bands[model.AgeBand.U18]
    >>> quiet_hours(teen, model.AccountSettings(quiet_hours=("23:00", "08:00")))
    (datetime.time(23, 0), datetime.time(8, 0))
    """
    own = settings.quiet_hours
    if own is None or band.quiet_hours_locked:
        return band.quiet_hours
    try:
        chosen = (schedule.parse_time(own[0]), schedule.parse_time(own[1]))
    except (errors.InvalidSetting, IndexError):
        return band.quiet_hours  # not a window (written around `Wellbeing.set_quiet_hours`): the policy's
    if band.quiet_hours is not None and clock.window_minutes(*chosen) < clock.window_minutes(*band.quiet_hours):
        return band.quiet_hours  # stored before the policy grew stricter: the policy wins
    return chosen


def check_own(band: rules.Band, window: QuietHours | None) -> None:
    """Refuse a choice the policy does not allow, naming the rule."""
    if band.quiet_hours_locked:
        raise errors.QuietHoursLocked("quiet hours are fixed for this age band and cannot be changed")
    if window is None or band.quiet_hours is None:
        return  # back to the policy's window, or a band without one
    policy_minutes = clock.window_minutes(*band.quiet_hours)
    if clock.window_minutes(*window) < policy_minutes:
        raise errors.InvalidSetting(
            f"quiet hours {window[0]:%H:%M}-{window[1]:%H:%M} are shorter than the {policy_minutes // 60}h "
            f"{policy_minutes % 60}m this age band keeps; move the window, do not shorten it"
        )


def is_quiet(window: QuietHours | None, now: dt.datetime, tz: dt.tzinfo) -> bool:
    return window is not None and clock.within(clock.local(now, tz).time().replace(tzinfo=None), *window)


def week_start(day: dt.date) -> dt.date:
    """The Monday of `day`'s ISO week.

    >>> week_start(dt.date(2026, 5, 3))  # a Sunday
    datetime.date(2026, 4, 27)
    """
    return day - dt.timedelta(days=day.isoweekday() - 1)


def recap_key(monday: dt.date) -> str:
    year, week, _ = monday.isocalendar()
    return f"recap:{year}-W{week:02d}"


def recap(monday: dt.date, minutes: float, previous_minutes: float) -> tuple[str, str]:
    """Title and body of the recap of the week that began on `monday`.

    >>> recap(dt.date(2026, 4, 27), 420.0, 490.0)[1]
    'From 27 Apr to 3 May you spent 7h 0m here, 1h 0m a day on average: 70 minutes less than the week before.'
    """
    total = round(minutes)
    change = round(minutes - previous_minutes)
    if change < 0:
        trend = f"{-change} minutes less than the week before"
    elif change > 0:
        trend = f"{change} minutes more than the week before"
    else:
        trend = "the same as the week before"
    daily = round(minutes / 7)
    sunday = monday + dt.timedelta(days=6)
    body = (
        f"From {monday.day} {monday:%b} to {sunday.day} {sunday:%b} you spent {total // 60}h {total % 60}m here, "
        f"{daily // 60}h {daily % 60}m a day on average: {trend}."
    )
    return "Your week on SafeFeed", body
