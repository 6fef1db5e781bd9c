from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from safefeed import model
from safefeed.policy import rules
from safefeed.wellbeing import clock, wind_down
from tests.wellbeing import clocks

DEFAULT = rules.built_in("default")
U16 = DEFAULT.bands[model.AgeBand.U16]  # 22:00-06:00
U18 = DEFAULT.bands[model.AgeBand.U18]  # no wind-down


def test_the_night_is_named_after_the_evening_it_began() -> None:
    assert wind_down.night(U16, dt.datetime(2026, 5, 1, 21, 59)) is None
    assert wind_down.night(U16, dt.datetime(2026, 5, 1, 22, 0)) == dt.date(2026, 5, 1)
    assert wind_down.night(U16, dt.datetime(2026, 5, 2, 5, 59)) == dt.date(2026, 5, 1)
    assert wind_down.night(U16, dt.datetime(2026, 5, 2, 6, 0)) is None
    assert wind_down.night(U18, dt.datetime(2026, 5, 1, 23, 0)) is None


def test_the_night_ends_at_six_local_even_across_a_dst_change() -> None:
    # Berlin, night of 28 March 2026: clocks jump 02:00 -> 03:00, so 06:00 CEST is 04:00 UTC.
    berlin = clock.zone("Europe/Berlin")
    assert wind_down.ends(U16, dt.date(2026, 3, 28), berlin) == dt.datetime(2026, 3, 29, 4, tzinfo=dt.UTC)


@given(zone=clocks.zones, now=clocks.instants)
def test_a_night_contains_the_moment_and_ends_after_it(zone: str, now: dt.datetime) -> None:
    tz = clock.zone(zone)
    here = clock.local(now, tz)
    night = wind_down.night(U16, here)
    assert (night is not None) == (here.time() >= dt.time(22) or here.time() < dt.time(6))
    if night is not None:
        assert night in (here.date(), here.date() - clock.DAY)
        assert now < wind_down.ends(U16, night, tz) <= now + dt.timedelta(hours=9)


@given(after=st.times(), until=st.times(), local=st.datetimes())
def test_any_policy_window_gives_a_night_only_inside_it(after: dt.time, until: dt.time, local: dt.datetime) -> None:
    band = U16.model_copy(update={"wind_down_after": after, "wind_down_until": until})
    night = wind_down.night(band, local)
    assert (night is not None) == clock.within(local.time(), after, until)
