"""Local time for an account: its IANA zone decides the day, the hour and the night.

Every moment handed in is timezone-aware; every moment handed out is in UTC.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from safefeed import model

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


def zone(name: str) -> zoneinfo.ZoneInfo:
    """The zone for an IANA name; an unknown name is an invalid account value.

    >>> zone("Africa/Nairobi").key
    'Africa/Nairobi'
    """
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise model.InvalidValue(f"time zone {name!r} is not an IANA zone name; use e.g. 'Africa/Nairobi'") from None


def local(moment: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    assert moment.tzinfo is not None, "moments must carry a time zone (use UTC)"
    return moment.astimezone(tz)


def utc(moment: dt.datetime) -> dt.datetime:
    assert moment.tzinfo is not None, "moments must carry a time zone (use UTC)"
    return moment.astimezone(dt.UTC)


def at(day: dt.date, time: dt.time, tz: dt.tzinfo) -> dt.datetime:
    """The UTC moment a wall clock in `tz` shows `time` on `day`.

    A time the clock skips (spring forward) maps to the moment just after the gap's
    start, as the clock would read it with the old offset; a repeated time (fall
    back) maps to its first occurrence.

    >>> at(dt.date(2026, 3, 8), dt.time(2, 30), zone("America/New_York"))
    datetime.datetime(2026, 3, 8, 7, 30, tzinfo=datetime.timezone.utc)
    """
    return dt.datetime.combine(day, time, tzinfo=tz).astimezone(dt.UTC)


def next_midnight(moment: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """When the local day after `moment` begins (the daily limit resets then)."""
    return at(local(moment, tz).date() + DAY, dt.time(0), tz)


def epoch(moment: dt.datetime) -> float:
    return utc(moment).timestamp()


def moment(epoch_seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch_seconds, tz=dt.UTC)


def within(time: dt.time, start: dt.time, end: dt.time) -> bool:
    """Whether a wall time lies in [start, end), a window that may cross midnight.

    >>> within(dt.time(23), dt.time(22), dt.time(7)), within(dt.time(7), dt.time(22), dt.time(7))
    (True, False)
    """
    if start <= end:
        return start <= time < end
    return time >= start or time < end


def window_minutes(start: dt.time, end: dt.time) -> int:
    """Length of a daily window in wall-clock minutes (22:00-07:00 is 540).

    >>> window_minutes(dt.time(22), dt.time(7))
    540
    """
    minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    return minutes % 1440  # start == end is an empty window, as in `within`
