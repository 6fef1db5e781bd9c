from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safefeed import model
from safefeed.policy import rules
from safefeed.wellbeing import errors, limits

DEFAULT = rules.built_in("default")
TEEN = DEFAULT.bands[model.AgeBand.U16]
ADULT = DEFAULT.bands[model.AgeBand.ADULT]


def test_precedence_guardian_then_own_then_policy() -> None:
    assert limits.effective(TEEN, model.AccountSettings(), None) == limits.Limit(60, limits.Source.POLICY)
    assert limits.effective(TEEN, model.AccountSettings(daily_limit_minutes=90), None) == limits.Limit(
        90, limits.Source.OWN
    )
    off = limits.effective(TEEN, model.AccountSettings(daily_limit_minutes=limits.OFF), None)
    assert off == limits.Limit(None, limits.Source.OWN)
    assert off.opted_out
    # A guardian's 45 minutes wins even over an opt-out.
    assert limits.effective(TEEN, model.AccountSettings(daily_limit_minutes=0), 45) == limits.Limit(
        45, limits.Source.GUARDIAN
    )


def test_adults_have_no_default_limit_and_have_not_opted_out() -> None:
    limit = limits.effective(ADULT, model.AccountSettings(), None)
    assert limit.minutes is None
    assert not limit.opted_out


@given(minutes=st.integers(1, 1440), extra=st.integers(0, 300), used=st.floats(0, 200_000))
def test_reached_exactly_when_the_minutes_and_extensions_are_used(minutes: int, extra: int, used: float) -> None:
    limit = limits.Limit(minutes, limits.Source.POLICY)
    assert limits.reached(limit, used, extra) == (used >= (minutes + extra) * 60)
    assert not limits.reached(limits.Limit(None, limits.Source.OWN), used, extra)


@pytest.mark.parametrize("minutes", [0, -5, 1441])
def test_out_of_range_minutes_are_refused(minutes: int) -> None:
    with pytest.raises(errors.InvalidSetting, match=f"got {minutes}"):
        limits.check_minutes(minutes)
