"""The wind-down night: from the policy's `wind_down_after` until `wind_down_until`, local time.

A night is named by the local date it began on, so 00:30 belongs to the night of
the day before; dismissals and confirmations are remembered per night.
"""

from __future__ import annotations

import datetime as dt

from safefeed.policy import rules
from safefeed.wellbeing import clock


def night(band: rules.Band, local: dt.datetime) -> dt.date | None:
    """The night `local` (a wall-clock time) falls in, or None outside wind-down hours.

    >>> band = rules.built_in("default").bands[rules.model.AgeBand.U16]  # 22:00-06:00
    >>> night(band, dt.datetime(2026, 5, 2, 0, 30)), night(band, dt.datetime(2026, 5, 2, 12))
    (datetime.date(2026, 5, 1), None)
    """
    start = band.wind_down_after
    if start is None or not clock.within(local.time(), start, band.wind_down_until):
        return None
    crosses = band.wind_down_until <= start
    if crosses and local.time() < band.wind_down_until:
        return local.date() - clock.DAY
    return local.date()


def ends(band: rules.Band, started: dt.date, tz: dt.tzinfo) -> dt.datetime:
    """When the night that began on `started` is over (UTC)."""
    assert band.wind_down_after is not None
    crosses = band.wind_down_until <= band.wind_down_after
    return clock.at(started + clock.DAY if crosses else started, band.wind_down_until, tz)
