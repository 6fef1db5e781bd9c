from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safefeed.wellbeing import clock, errors, schedule
from tests.wellbeing import clocks

SCHOOL_NIGHTS = schedule.Window(frozenset({7, 1, 2, 3, 4}), dt.time(21), dt.time(7))  # Sun-Thu 21:00-07:00


def test_a_night_window_belongs_to_the_day_it_started() -> None:
    # Friday 6:30 (2026-05-08 is a Friday) is the end of Thursday's night: Time Away.
    assert SCHOOL_NIGHTS.started_on(dt.datetime(2026, 5, 8, 6, 30)) == dt.date(2026, 5, 7)
    # Friday 21:30 is not a school night; Saturday 06:00 is the end of Friday's (none).
    assert SCHOOL_NIGHTS.started_on(dt.datetime(2026, 5, 8, 21, 30)) is None
    assert SCHOOL_NIGHTS.started_on(dt.datetime(2026, 5, 9, 6, 0)) is None
    # Sunday 21:00 sharp starts one; 07:00 sharp on Monday has ended it.
    assert SCHOOL_NIGHTS.started_on(dt.datetime(2026, 5, 10, 21, 0)) == dt.date(2026, 5, 10)
    assert SCHOOL_NIGHTS.started_on(dt.datetime(2026, 5, 11, 7, 0)) is None


def test_active_says_when_time_away_ends_in_utc() -> None:
    # Manila is +08:00 without DST: Thursday 7 May 23:00 local = 15:00 UTC; it ends Friday 07:00 = Thu 23:00 UTC.
    manila = clock.zone("Asia/Manila")
    now = dt.datetime(2026, 5, 7, 15, tzinfo=dt.UTC)
    assert schedule.active([SCHOOL_NIGHTS], now, manila) == dt.datetime(2026, 5, 7, 23, tzinfo=dt.UTC)
    assert schedule.active([SCHOOL_NIGHTS], now + dt.timedelta(hours=8), manila) is None


@pytest.mark.parametrize(
    ("days", "start", "end", "message"),
    [
        (frozenset(), dt.time(9), dt.time(10), "ISO weekdays"),
        (frozenset({0}), dt.time(9), dt.time(10), r"got \[0\]"),
        (frozenset({1}), dt.time(9), dt.time(9), "different start and end"),
        (frozenset({1}), dt.time(9, 0, 30), dt.time(10), "whole minutes"),
    ],
)
def test_a_bad_window_names_what_is_wrong(days: frozenset[int], start: dt.time, end: dt.time, message: str) -> None:
    with pytest.raises(errors.InvalidSetting, match=message):
        schedule.Window(days, start, end)


def test_windows_round_trip_through_json() -> None:
    assert schedule.Window.from_json(SCHOOL_NIGHTS.to_json()) == SCHOOL_NIGHTS
    with pytest.raises(errors.InvalidSetting, match="'9pm'"):
        schedule.parse_time("9pm")


windows = st.builds(
    lambda days, start, length: schedule.Window(
        days,
        dt.time(start // 60, start % 60),
        dt.time(((start + length) % 1440) // 60, (start + length) % 60),
    ),
    st.frozensets(st.integers(1, 7), min_size=1),
    st.integers(0, 1439),
    st.integers(1, 1439),
)


@given(window=windows, local=st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 1, 1)))
def test_started_on_matches_an_oracle_over_the_week(window: schedule.Window, local: dt.datetime) -> None:
    # Oracle: the window is active at `local` iff some start among the day before and the
    # day itself satisfies start <= local < start + length (wall-clock arithmetic).
    length = dt.timedelta(minutes=clock.window_minutes(window.start, window.end))
    expected = None
    for day in (local.date() - clock.DAY, local.date()):
        begins = dt.datetime.combine(day, window.start)
        if day.isoweekday() in window.days and begins <= local < begins + length:
            expected = day
    assert window.started_on(local) == expected


@given(zone=clocks.zones, now=clocks.instants, window=windows)
def test_time_away_ends_after_now_and_no_later_than_a_day(zone: str, now: dt.datetime, window: schedule.Window) -> None:
    tz = clock.zone(zone)
    until = schedule.active([window], now, tz)
    if until is not None:
        assert now < until <= now + dt.timedelta(hours=25)
        assert window.started_on(clock.local(now, tz)) is not None
