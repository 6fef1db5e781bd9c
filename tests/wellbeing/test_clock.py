from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safefeed import model
from safefeed.wellbeing import clock
from tests.wellbeing import clocks


def test_an_unknown_zone_is_an_invalid_value_that_names_it() -> None:
    with pytest.raises(model.InvalidValue, match="'Mars/Olympus'"):
        clock.zone("Mars/Olympus")


def test_next_midnight_on_a_day_of_23_hours() -> None:
    # Berlin springs forward on 29 March 2026: the day is 23 hours long, and the
    # next midnight (30 March 00:00 CEST, +02:00) is 2026-03-29 22:00 UTC.
    berlin = clock.zone("Europe/Berlin")
    now = dt.datetime(2026, 3, 29, 10, tzinfo=dt.UTC)
    assert clock.next_midnight(now, berlin) == dt.datetime(2026, 3, 29, 22, tzinfo=dt.UTC)


def test_next_midnight_where_midnight_is_skipped() -> None:
    # Santiago sprang forward at 24:00 on 5 Sep 2026: 00:00-00:59 on 6 Sep do not
    # exist; "midnight" read with the old offset (-04) is 04:00 UTC = 01:00 -03.
    santiago = clock.zone("America/Santiago")
    now = dt.datetime(2026, 9, 5, 20, tzinfo=dt.UTC)  # 16:00 local
    assert clock.next_midnight(now, santiago) == dt.datetime(2026, 9, 6, 4, tzinfo=dt.UTC)


@given(zone=clocks.zones, now=clocks.instants)
def test_next_midnight_is_later_and_on_the_next_local_day(zone: str, now: dt.datetime) -> None:
    tz = clock.zone(zone)
    midnight = clock.next_midnight(now, tz)
    assert midnight > now
    assert clock.local(midnight, tz).date() == clock.local(now, tz).date() + clock.DAY
    assert midnight - now <= dt.timedelta(hours=26)


@given(
    time=st.times(),
    start=st.times(),
    end=st.times(),
)
def test_within_a_window_matches_minute_counting(time: dt.time, start: dt.time, end: dt.time) -> None:
    # Oracle: the window [start, end) read as the set of seconds-of-day it covers,
    # wrapping past midnight when end <= start.
    def second(value: dt.time) -> float:
        return value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6

    s, e, t = second(start), second(end), second(time)
    expected = s <= t < e if s <= e else (t >= s or t < e)
    assert clock.within(time, start, end) == expected
