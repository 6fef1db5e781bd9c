"""Time Away: recurring local windows, set by a guardian, when the feed is unavailable.

A window starts on each of its `days` (ISO weekdays, 1 = Monday) at `start` and
ends at `end` the same day, or the next day when `end` is not after `start`
(21:00-07:00 on school nights). Windows are read on the teen's wall clock, so
"21:00" stays 21:00 across DST changes and travel.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from safefeed.wellbeing import clock, errors

MAX_WINDOWS = 28


@dataclasses.dataclass(frozen=True, slots=True)
class Window:
    days: frozenset[int]
    start: dt.time
    end: dt.time

    def __post_init__(self) -> None:
        if not self.days or not self.days <= frozenset(range(1, 8)):
            raise errors.InvalidSetting(
                f"Time Away days must be ISO weekdays 1-7 (1 = Monday), got {sorted(self.days)}"
            )
        if self.start == self.end:
            raise errors.InvalidSetting(f"a Time Away window needs different start and end, got {self.start} twice")
        if any(t.second or t.microsecond for t in (self.start, self.end)):
            raise errors.InvalidSetting(f"Time Away runs in whole minutes, got {self.start}-{self.end}")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise errors.InvalidSetting("Time Away times are local wall-clock times, without a time zone")

    @property
    def crosses_midnight(self) -> bool:
        return self.end < self.start

    def started_on(self, local: dt.datetime) -> dt.date | None:
        """The local date of the occurrence of this window that contains `local`, if any.

        >>> nights = Window(frozenset({7}), dt.time(21), dt.time(7))  # Sunday nights
        >>> nights.started_on(dt.datetime(2026, 5, 4, 6, 59))  # Monday 06:59
        datetime.date(2026, 5, 3)
        """
        time, day = local.time(), local.date()
        if self.crosses_midnight:
            if time >= self.start and day.isoweekday() in self.days:
                return day
            yesterday = day - clock.DAY
            if time < self.end and yesterday.isoweekday() in self.days:
                return yesterday
            return None
        if self.start <= time < self.end and day.isoweekday() in self.days:
            return day
        return None

    def ends(self, started: dt.date, tz: dt.tzinfo) -> dt.datetime:
        """When the occurrence that began on `started` ends (UTC)."""
        return clock.at(started + clock.DAY if self.crosses_midnight else started, self.end, tz)

    def to_json(self) -> dict[str, Any]:
        return {"days": sorted(self.days), "start": self.start.strftime("%H:%M"), "end": self.end.strftime("%H:%M")}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Window:
        return cls(frozenset(int(day) for day in data["days"]), parse_time(data["start"]), parse_time(data["end"]))


def parse_time(text: str) -> dt.time:
    """A local "HH:MM" wall time.

    >>> parse_time("21:30")
    datetime.time(21, 30)
    """
    try:
        return dt.time.fromisoformat(text)
    except (TypeError, ValueError):
        raise errors.InvalidSetting(
            f"time {text!r} is not a wall-clock time; write it as HH:MM, e.g. '21:30'"
        ) from None


def check(windows: Sequence[Window]) -> tuple[Window, ...]:
    if len(windows) > MAX_WINDOWS:
        raise errors.InvalidSetting(f"at most {MAX_WINDOWS} Time Away windows, got {len(windows)}; merge some")
    return tuple(windows)


def active(windows: Iterable[Window], now: dt.datetime, tz: dt.tzinfo) -> dt.datetime | None:
    """When the Time Away going on at `now` ends (the latest end among overlapping windows), or None."""
    here = clock.local(now, tz)
    ends = [window.ends(started, tz) for window in windows if (started := window.started_on(here)) is not None]
    # A window whose end falls in a skipped hour can end "before" now; it is over then.
    ends = [end for end in ends if end > now]
    return max(ends) if ends else None
