"""Screen time from feed activity, split by the account's local day and hour.

Definition: every activity moment (a page request, an event) counts the time up
to the next moment, but never more than an idle cut-off: someone who opened a
page and walked away is not scrolling. So screen time is the length of the union
of [m, min(m + idle_cutoff, next m)) over the moments m. The time after the last
moment is counted when the next moment arrives, or as `pending` until then.

A session is a run of moments with no gap longer than `session_break`; the
session prompt counts screen time within it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping

from safefeed.wellbeing import clock

Interval = tuple[dt.datetime, dt.datetime]


@dataclasses.dataclass(frozen=True, slots=True)
class Slice:
    """Seconds of screen time in one local hour of one local day."""

    day: dt.date
    hour: int
    seconds: float


@dataclasses.dataclass(frozen=True, slots=True)
class Clock:
    """An account's activity clock, as stored; `version` makes concurrent updates safe."""

    version: int = 0
    last: dt.datetime | None = None  # the newest activity moment seen
    session_start: dt.datetime | None = None
    session_seconds: float = 0.0  # screen time in the current session, up to `last`
    acked_seconds: float = 0.0  # session screen time when "keep going" was last answered


def split(start: dt.datetime, end: dt.datetime, tz: dt.tzinfo) -> list[Slice]:
    """Cut [start, end) at every local hour boundary, and at every change of UTC offset.

    Slices of the same local (day, hour) are merged, so a repeated DST hour adds up.

    >>> ny = clock.zone("America/New_York")
    >>> at = dt.datetime(2026, 11, 1, 5, 30, tzinfo=dt.UTC)  # 01:30 EDT; clocks fall back at 06:00Z
    >>> [(s.hour, s.seconds) for s in split(at, at + dt.timedelta(hours=2), ny)]
    [(1, 5400.0), (2, 1800.0)]
    """
    t, end = clock.utc(start), clock.utc(end)
    found: dict[tuple[dt.date, int], float] = {}
    while t < end:
        here = clock.local(t, tz)
        into_hour = dt.timedelta(minutes=here.minute, seconds=here.second, microseconds=here.microsecond)
        boundary = min(end, t + clock.HOUR - into_hour)
        offset = here.utcoffset()
        if clock.local(boundary - _TICK, tz).utcoffset() != offset:
            boundary = _offset_change(t, boundary - _TICK, tz, offset)
        key = (here.date(), here.hour)
        found[key] = found.get(key, 0.0) + (boundary - t).total_seconds()
        t = boundary
    return [Slice(day, hour, seconds) for (day, hour), seconds in found.items()]


_TICK = dt.timedelta(microseconds=1)


def _offset_change(low: dt.datetime, high: dt.datetime, tz: dt.tzinfo, offset: dt.timedelta | None) -> dt.datetime:
    """The first moment in (low, high] whose UTC offset is no longer `offset` (bisection)."""
    while high - low > _TICK:
        middle = low + (high - low) // 2
        if clock.local(middle, tz).utcoffset() == offset:
            low = middle
        else:
            high = middle
    return high


def advance(
    current: Clock, moments: Iterable[dt.datetime], *, idle_cutoff: dt.timedelta, session_break: dt.timedelta
) -> tuple[Clock, list[Interval]]:
    """The clock after these moments, and the intervals of screen time they close.

    Moments at or before the newest one already seen are ignored: a retried or
    late report never counts twice.
    """
    assert idle_cutoff <= session_break, "a session cannot end before the screen counts as idle"
    last, start = current.last, current.session_start
    seconds, acked = current.session_seconds, current.acked_seconds
    intervals: list[Interval] = []
    for moment in sorted(clock.utc(m) for m in moments):
        if last is not None and moment <= last:
            continue
        if last is not None:
            counted = min(moment - last, idle_cutoff)
            intervals.append((last, last + counted))
            seconds += counted.total_seconds()
        if last is None or moment - last > session_break:
            start, seconds, acked = moment, 0.0, 0.0
        last = moment
    return dataclasses.replace(
        current, last=last, session_start=start, session_seconds=seconds, acked_seconds=acked
    ), intervals


def pending(current: Clock, now: dt.datetime, *, idle_cutoff: dt.timedelta) -> Interval | None:
    """The screen time since the last moment that no later moment has closed yet."""
    if current.last is None or now <= current.last:
        return None
    return (current.last, current.last + min(now - current.last, idle_cutoff))


def session_seconds(
    current: Clock, now: dt.datetime, *, idle_cutoff: dt.timedelta, session_break: dt.timedelta
) -> float:
    """Screen time in the session going on at `now`; 0 once the break has been long enough."""
    if current.last is None or now - current.last > session_break:
        return 0.0
    tail = pending(current, now, idle_cutoff=idle_cutoff)
    return current.session_seconds + (0.0 if tail is None else (tail[1] - tail[0]).total_seconds())


def merge(slices: Iterable[Slice]) -> list[Slice]:
    """One slice per local (day, hour), in first-seen order."""
    found: dict[tuple[dt.date, int], float] = {}
    for piece in slices:
        found[piece.day, piece.hour] = found.get((piece.day, piece.hour), 0.0) + piece.seconds
    return [Slice(day, hour, seconds) for (day, hour), seconds in found.items()]


def day_seconds(slices: Iterable[Slice], day: dt.date) -> float:
    return sum(piece.seconds for piece in slices if piece.day == day)


@dataclasses.dataclass(frozen=True, slots=True)
class DayUsage:
    day: dt.date
    minutes: float
    by_hour: tuple[float, ...]  # 24 local hours, minutes in each


@dataclasses.dataclass(frozen=True, slots=True)
class Dashboard:
    """How and when an account used the feed, in its own local days and hours."""

    account_id: str
    timezone: str
    days: tuple[DayUsage, ...]  # oldest first, today last, days without use included
    by_hour: tuple[float, ...]  # 24 local hours, minutes summed over `days`
    today_minutes: float
    average_minutes: float  # per day over `days`
    daily_limit_minutes: int | None


def usage(seconds: Mapping[tuple[dt.date, int], float], days: Iterable[dt.date]) -> tuple[DayUsage, ...]:
    """Per-day usage from seconds keyed by (local day, local hour)."""
    result = []
    for day in days:
        by_hour = tuple(seconds.get((day, hour), 0.0) / 60 for hour in range(24))
        result.append(DayUsage(day, sum(by_hour), by_hour))
    return tuple(result)
