from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safefeed import model
from safefeed.policy import rules
from safefeed.wellbeing import clock, errors, notifications
from tests.wellbeing import clocks

DEFAULT = rules.built_in("default")
U16 = DEFAULT.bands[model.AgeBand.U16]
U18 = DEFAULT.bands[model.AgeBand.U18]
ADULT = DEFAULT.bands[model.AgeBand.ADULT]
NIGHT = (dt.time(22), dt.time(7))


def test_under_16s_cannot_move_quiet_hours() -> None:
    moved = model.AccountSettings(quiet_hours=("01:00", "02:00"))
    assert notifications.quiet_hours(U16, moved) == NIGHT
    with pytest.raises(errors.QuietHoursLocked, match="cannot be changed"):
        notifications.check_own(U16, (dt.time(23), dt.time(8)))


def test_16_17s_may_move_quiet_hours_but_not_shorten_them() -> None:
    notifications.check_own(U18, (dt.time(23), dt.time(8)))  # 9 hours, like 22-07
    with pytest.raises(errors.InvalidSetting, match="shorter than the 9h 0m"):
        notifications.check_own(U18, (dt.time(0), dt.time(6)))
    # A short window stored under an older policy is not honoured.
    assert notifications.quiet_hours(U18, model.AccountSettings(quiet_hours=("00:00", "06:00"))) == NIGHT


def test_a_malformed_stored_window_falls_back_to_the_policys() -> None:
    assert notifications.quiet_hours(U18, model.AccountSettings(quiet_hours=("late", "early"))) == NIGHT


def test_adults_have_none_unless_they_choose() -> None:
    assert notifications.quiet_hours(ADULT, model.AccountSettings()) is None
    chosen = model.AccountSettings(quiet_hours=("13:00", "14:00"))
    assert notifications.quiet_hours(ADULT, chosen) == (dt.time(13), dt.time(14))


@given(zone=clocks.zones, now=clocks.instants)
def test_quiet_hours_across_midnight_hold_from_22_to_7_local(zone: str, now: dt.datetime) -> None:
    tz = clock.zone(zone)
    local = clock.local(now, tz).time()
    assert notifications.is_quiet(NIGHT, now, tz) == (local >= dt.time(22) or local < dt.time(7))
    assert not notifications.is_quiet(None, now, tz)


@given(day=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1)))
def test_week_start_is_a_monday_within_the_week(day: dt.date) -> None:
    monday = notifications.week_start(day)
    assert monday.isoweekday() == 1
    assert 0 <= (day - monday).days < 7
    assert notifications.recap_key(monday) == notifications.recap_key(
        notifications.week_start(monday + dt.timedelta(6))
    )


def test_recap_text_works_out_the_numbers() -> None:
    # 95 minutes over the week: 1h 35m, 14 minutes a day (95 / 7 = 13.6), 5 more than the 90 before.
    title, body = notifications.recap(dt.date(2026, 12, 28), 95.0, 90.0)
    assert title == "Your week on SafeFeed"
    assert body == (
        "From 28 Dec to 3 Jan you spent 1h 35m here, 0h 14m a day on average: 5 minutes more than the week before."
    )
