from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safefeed.wellbeing import clock, screen_time
from tests.wellbeing import clocks

T0 = dt.datetime(2026, 5, 4, 8, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)
CUTOFF = dt.timedelta(minutes=5)
BREAK = dt.timedelta(minutes=10)


def oracle(start: dt.datetime, end: dt.datetime, tz: dt.tzinfo) -> dict[tuple[dt.date, int], float]:
    """Cut at every UTC minute: every offset since 1990 is whole minutes, so each piece has one local hour."""
    cuts = [start]
    minute = start.replace(second=0, microsecond=0) + MINUTE
    while minute < end:
        cuts.append(minute)
        minute += MINUTE
    cuts.append(end)
    found: dict[tuple[dt.date, int], float] = {}
    for a, b in itertools.pairwise(cuts):
        if a == b:
            continue
        here = a.astimezone(tz)
        found[here.date(), here.hour] = found.get((here.date(), here.hour), 0.0) + (b - a).total_seconds()
    return found


def as_dict(slices: list[screen_time.Slice]) -> dict[tuple[dt.date, int], float]:
    return {(s.day, s.hour): s.seconds for s in slices}


def test_split_across_local_midnight_in_nairobi() -> None:
    # 20:50-21:10 UTC is 23:50-00:10 in Nairobi (+03:00): 10 minutes on each local day.
    nairobi = clock.zone("Africa/Nairobi")
    start = dt.datetime(2026, 5, 4, 20, 50, tzinfo=dt.UTC)
    slices = screen_time.split(start, start + 20 * MINUTE, nairobi)
    assert as_dict(slices) == {(dt.date(2026, 5, 4), 23): 600.0, (dt.date(2026, 5, 5), 0): 600.0}


def test_split_in_a_half_hour_zone() -> None:
    # Kolkata is +05:30: 08:00-09:00 UTC is 13:30-14:30 local, half in hour 13, half in hour 14.
    slices = screen_time.split(T0, T0 + 60 * MINUTE, clock.zone("Asia/Kolkata"))
    assert as_dict(slices) == {(dt.date(2026, 5, 4), 13): 1800.0, (dt.date(2026, 5, 4), 14): 1800.0}


def test_split_over_spring_forward_skips_the_missing_hour() -> None:
    # New York, 8 Mar 2026: 06:30-07:30 UTC is 01:30 EST - 03:30 EDT; local 02:00-02:59 never happens.
    start = dt.datetime(2026, 3, 8, 6, 30, tzinfo=dt.UTC)
    slices = screen_time.split(start, start + 60 * MINUTE, clock.zone("America/New_York"))
    assert as_dict(slices) == {(dt.date(2026, 3, 8), 1): 1800.0, (dt.date(2026, 3, 8), 3): 1800.0}


def test_split_over_lord_howes_half_hour_fall_back() -> None:
    # Lord Howe, 5 Apr 2026 02:00 +11:00 (15:00 UTC 4 Apr) goes back to 01:30 +10:30.
    # 14:45-15:15 UTC = 01:45-02:00 (+11) then 01:30-01:45 (+10:30): all 30 minutes in local hour 1.
    start = dt.datetime(2026, 4, 4, 14, 45, tzinfo=dt.UTC)
    slices = screen_time.split(start, start + 30 * MINUTE, clock.zone("Australia/Lord_Howe"))
    assert as_dict(slices) == {(dt.date(2026, 4, 5), 1): 1800.0}


@given(zone=clocks.zones, start=clocks.instants, seconds=st.floats(0, 3 * 3600))
def test_split_agrees_with_minute_by_minute_counting(zone: str, start: dt.datetime, seconds: float) -> None:
    tz = clock.zone(zone)
    end = start + dt.timedelta(seconds=seconds)
    slices = screen_time.split(start, end, tz)
    expected = oracle(start, end, tz)
    got = as_dict(slices)
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        assert abs(got[key] - value) < 1e-3
    assert abs(sum(got.values()) - (end - start).total_seconds()) < 1e-3
    assert all(0 <= hour < 24 and 0 < s <= 7200 + 1e-6 for (_day, hour), s in got.items())


def union_seconds(moments: list[dt.datetime], cutoff: dt.timedelta) -> float:
    """Oracle: the length of the union of [m, min(m + cutoff, next m)) over distinct sorted moments."""
    ordered = sorted(set(moments))
    return sum(min(b - a, cutoff).total_seconds() for a, b in itertools.pairwise(ordered))


def test_advance_counts_gaps_up_to_the_idle_cutoff() -> None:
    # Moments at 0, 1, 3 and 13 minutes: gaps 1 + 2 + min(10, 5) = 8 minutes.
    moments = [T0 + n * MINUTE for n in (0, 1, 3, 13)]
    after, intervals = screen_time.advance(screen_time.Clock(), moments, idle_cutoff=CUTOFF, session_break=BREAK)
    assert sum((b - a).total_seconds() for a, b in intervals) == 8 * 60
    assert after.last == T0 + 13 * MINUTE
    # The 10-minute gap is not longer than the break: still one session of 8 minutes.
    assert (after.session_start, after.session_seconds) == (T0, 480.0)


def test_a_long_break_starts_a_new_session() -> None:
    moments = [T0, T0 + 2 * MINUTE, T0 + 20 * MINUTE]
    after, _ = screen_time.advance(screen_time.Clock(), moments, idle_cutoff=CUTOFF, session_break=BREAK)
    assert (after.session_start, after.session_seconds) == (T0 + 20 * MINUTE, 0.0)


def count(moments: list[dt.datetime], cuts: list[int], *, replay: bool) -> float:
    """Screen time after advancing through `moments` cut into batches at `cuts` (and all of it again)."""
    bounds = [0, *sorted(cuts), len(moments)]
    batches = [moments[a:b] for a, b in itertools.pairwise(bounds)]
    if replay:
        batches.append(moments)  # a client retrying everything
    current, total = screen_time.Clock(), 0.0
    for batch in batches:
        current, intervals = screen_time.advance(current, batch, idle_cutoff=CUTOFF, session_break=BREAK)
        total += sum((b - a).total_seconds() for a, b in intervals)
    return total


offsets = st.lists(st.integers(0, 4 * 3600), min_size=1, max_size=40)
cut_points = st.lists(st.integers(0, 40), max_size=5)


@given(offsets=offsets, cuts=cut_points, replay=st.booleans())
def test_moments_in_time_order_count_the_union_once_however_batched(
    offsets: list[int], cuts: list[int], replay: bool
) -> None:
    moments = sorted(T0 + dt.timedelta(seconds=s) for s in offsets)
    assert count(moments, cuts, replay=replay) == pytest.approx(union_seconds(moments, CUTOFF))


@given(offsets=offsets, cuts=cut_points, replay=st.booleans())
def test_late_moments_never_add_time(offsets: list[int], cuts: list[int], replay: bool) -> None:
    # Batches out of time order: moments older than the newest seen are dropped, so the
    # count never exceeds the union, and the first batch alone is always counted in full.
    moments = [T0 + dt.timedelta(seconds=s) for s in offsets]
    total = count(moments, cuts, replay=replay)
    assert total <= union_seconds(moments, CUTOFF) + 1e-6
    first = moments[: sorted(cuts)[0]] if cuts else moments
    assert total >= union_seconds(first, CUTOFF) - 1e-6


def test_pending_time_is_counted_until_the_next_moment_closes_it() -> None:
    current, _ = screen_time.advance(screen_time.Clock(), [T0], idle_cutoff=CUTOFF, session_break=BREAK)
    assert screen_time.pending(current, T0 + 2 * MINUTE, idle_cutoff=CUTOFF) == (T0, T0 + 2 * MINUTE)
    assert screen_time.pending(current, T0 + 9 * MINUTE, idle_cutoff=CUTOFF) == (T0, T0 + CUTOFF)
    # 30 minutes later the session is over.
    assert screen_time.session_seconds(current, T0 + 30 * MINUTE, idle_cutoff=CUTOFF, session_break=BREAK) == 0.0


def test_usage_fills_days_without_use_with_zeros() -> None:
    day = dt.date(2026, 5, 4)
    usage = screen_time.usage({(day, 21): 1800.0}, [day - clock.DAY, day])
    assert [u.minutes for u in usage] == [0.0, 30.0]
    assert usage[1].by_hour[21] == 30.0
    assert len(usage[0].by_hour) == 24
