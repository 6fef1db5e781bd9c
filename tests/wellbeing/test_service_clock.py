"""Properties of the whole service over the clock: any zone, DST changes, midnight, pages, Time Away."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safefeed.store import repository
from safefeed.wellbeing import clock, prompts, schedule, service
from tests.wellbeing import clocks
from tests.wellbeing.conftest import add_account, scroll

K = prompts.PromptKind
MINUTE = dt.timedelta(minutes=1)
CUTOFF = dt.timedelta(minutes=5)  # the service's default idle cut-off
_ids = itertools.count()

on_a_database = settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


def local_day_seconds(moments: list[dt.datetime], tz: dt.tzinfo, day: dt.date) -> float:
    """Oracle: each gap counts up to the cut-off, cut at every UTC minute and given to the local day it starts in."""
    total = 0.0
    for a, b in itertools.pairwise(moments):
        end = a + min(b - a, CUTOFF)
        t = a
        while t < end:
            step = min(end, t.replace(second=0, microsecond=0) + MINUTE)
            if t.astimezone(tz).date() == day:
                total += (step - t).total_seconds()
            t = step
    return total


@on_a_database
@given(
    zone=clocks.zones,
    start=clocks.instants,
    every_s=st.integers(30, 120),
    page=st.integers(3, 20),
    limit=st.integers(1, 20),
)
def test_the_limit_blocks_the_first_page_after_it_is_reached(
    wellbeing: service.Wellbeing,
    store: repository.Store,
    zone: str,
    start: dt.datetime,
    every_s: int,
    page: int,
    limit: int,
) -> None:
    teen = add_account(store, f"teen{next(_ids)}", timezone=zone, birth_year=start.year - 14)
    wellbeing.set_daily_limit(teen, limit, start)
    wellbeing.set_session_prompt(teen, None)
    teen = store.account(teen.id)
    tz = clock.zone(zone)
    moments = [start + dt.timedelta(seconds=every_s * n) for n in range((limit + 5) * 60 // every_s)]
    ever_blocked = False
    for end in range(page, len(moments) + page, page):
        seen = moments[:end]
        now = seen[-1]
        wellbeing.observe(teen, seen[-page:])  # one page's activity, the limit may pass in its middle
        used = local_day_seconds(seen, tz, now.astimezone(tz).date())
        if abs(used - limit * 60) < 1e-3:
            continue  # exactly at the limit: float rounding may go either way
        gate = wellbeing.gate(teen, now)
        blocked = gate is not None and gate.kind is K.DAILY_LIMIT
        assert blocked == (used >= limit * 60), (used, limit)
        if blocked:
            ever_blocked = True
            assert gate is not None and gate.until == clock.next_midnight(now, tz) and gate.until > now
    # Not vacuous: without a local midnight in between, limit + 5 minutes of scrolling hits the limit.
    if moments[0].astimezone(tz).date() == moments[-1].astimezone(tz).date():
        assert ever_blocked


@on_a_database
@given(
    zone=clocks.zones,
    start=clocks.instants,
    begins_after=st.integers(1, 40),
    length=st.integers(1, 120),
)
def test_time_away_starting_mid_session_blocks_from_its_first_minute(
    wellbeing: service.Wellbeing,
    store: repository.Store,
    zone: str,
    start: dt.datetime,
    begins_after: int,
    length: int,
) -> None:
    tz = clock.zone(zone)
    teen = add_account(store, f"teen{next(_ids)}", timezone=zone, birth_year=start.year - 14)
    code = wellbeing.pairing_code("mum", start)
    wellbeing.accept_pairing(teen, code, start)
    opens = (clock.local(start, tz) + begins_after * MINUTE).time().replace(second=0, microsecond=0)
    closes = (dt.datetime.combine(dt.date(2026, 1, 1), opens) + length * MINUTE).time()
    window = schedule.Window(frozenset(range(1, 8)), opens, closes)
    wellbeing.set_time_away("mum", teen, [window], start)
    saw_inside = False
    for n in range(0, 60):  # an hour-long session, a page a minute
        now = start + n * MINUTE
        wellbeing.observe(teen, [now])
        here = clock.local(now, tz)
        ambiguous = here.replace(fold=1 - here.fold).utcoffset() != here.utcoffset()
        if ambiguous:
            continue  # a repeated wall hour: the window's end may already have passed once
        inside = clock.within(here.time().replace(tzinfo=None), opens, closes)
        gate = wellbeing.gate(teen, now)
        away = gate is not None and gate.kind is K.TIME_AWAY
        assert away == inside, (here, opens, closes)
        saw_inside = saw_inside or inside
    # Not vacuous: the window opens 1-40 minutes into the hour, unless a DST jump skipped its start.
    if clock.local(start, tz).utcoffset() == clock.local(start + 60 * MINUTE, tz).utcoffset():
        assert saw_inside
        if away:
            assert (
                gate is not None and gate.until is not None and now < gate.until <= now + length * MINUTE + clock.HOUR
            )


def test_the_dashboard_counts_a_repeated_dst_hour_twice(wellbeing: service.Wellbeing, store: repository.Store) -> None:
    # New York falls back on 1 Nov 2026 at 06:00 UTC: 05:00-07:00 UTC is 01:00-01:59 EDT, then
    # 01:00-01:59 EST. Two hours of scrolling all fall in local hour 1 of 1 November.
    teen = add_account(store, "ny", timezone="America/New_York", birth_year=2009)
    start = dt.datetime(2026, 11, 1, 5, tzinfo=dt.UTC)
    last = scroll(wellbeing, teen, start, 120)
    board = wellbeing.dashboard(teen, last, days=1)
    assert board.days[0].day == dt.date(2026, 11, 1)
    assert board.days[0].by_hour[1] == pytest.approx(120.0)
    assert board.today_minutes == pytest.approx(120.0)


def test_a_day_that_skips_midnight_still_starts_a_new_limit(
    wellbeing: service.Wellbeing, store: repository.Store
) -> None:
    # Santiago, 5-6 Sep 2026: at 24:00 (-04) clocks jump to 01:00 (-03), at 04:00 UTC on the 6th.
    # Scrolling 03:00-05:00 UTC is 23:00-23:59 local on the 5th, then 01:00-01:59 on the 6th.
    teen = add_account(store, "cl", timezone="America/Santiago")
    wellbeing.set_session_prompt(teen, None)
    wellbeing.set_daily_limit(teen, 90, dt.datetime(2026, 9, 5, tzinfo=dt.UTC))
    teen = store.account("cl")
    last = scroll(wellbeing, teen, dt.datetime(2026, 9, 6, 3, tzinfo=dt.UTC), 120)
    board = wellbeing.dashboard(teen, last - dt.timedelta(seconds=1), days=2)
    assert [(day.day.day, round(day.minutes)) for day in board.days] == [(5, 60), (6, 60)]
    assert board.days[1].by_hour[0] == 0 and board.days[1].by_hour[1] == pytest.approx(60.0)
