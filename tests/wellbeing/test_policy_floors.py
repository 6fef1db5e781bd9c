"""The well-being floors in the policy file (safefeed.policy.rules): what no safe policy may drop."""

from __future__ import annotations

import importlib.resources

import pytest

from safefeed import model
from safefeed.policy import rules

DEFAULT_TEXT = importlib.resources.files("safefeed.policy").joinpath("data/default.toml").read_text("utf-8")


def test_the_default_policy_has_the_numbers_tiktok_and_young_people_describe() -> None:
    default = rules.built_in("default")
    for band in (model.AgeBand.U16, model.AgeBand.U18):
        rules_ = default.bands[band]
        assert (rules_.daily_limit_minutes, rules_.session_prompt_minutes) == (60, 30)
        assert rules_.own_limit_prompt_minutes == 100
        assert not rules_.autoplay and not rules_.streaks and rules_.weekly_recap
    assert default.bands[model.AgeBand.U16].quiet_hours_locked
    assert not default.bands[model.AgeBand.U18].quiet_hours_locked
    assert default.bands[model.AgeBand.U18].wind_down_after is None
    adult = default.bands[model.AgeBand.ADULT]
    assert adult.daily_limit_minutes is None and adult.quiet_hours is None and adult.autoplay


def test_the_engagement_baseline_has_no_wellbeing_protection() -> None:
    for band in rules.built_in("engagement").bands.values():
        assert band.daily_limit_minutes is None and band.session_prompt_minutes is None
        assert band.wind_down_after is None and band.quiet_hours is None and not band.weekly_recap


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("quiet_hours_locked = true", "quiet_hours_locked = false", r'"13-15"\.quiet_hours_locked: under-16s'),
        ("wind_down_after = 22:00:00 ", "", r'"13-15"\.wind_down_after: under-16s get the wind-down'),
        ("daily_limit_minutes = 60\n", "", r'"13-15"\.daily_limit_minutes: under-18s need it set'),
        ("autoplay = false", "autoplay = true", r'"13-15"\.autoplay: off by default for under-18s'),
        ("weekly_recap = true", "weekly_recap = false", "weekly screen-time recap"),
        ("limit_extension_minutes = 15", "limit_extension_minutes = 0", "greater than or equal to 1"),
    ],
)
def test_a_policy_that_drops_a_wellbeing_floor_is_refused(old: str, new: str, message: str) -> None:
    assert old in DEFAULT_TEXT
    with pytest.raises(rules.InvalidPolicy, match=message):
        rules.parse(DEFAULT_TEXT.replace(old, new, 1), source="mine.toml")


def test_16_17s_quiet_hours_are_a_floor_too() -> None:
    # The second occurrence is the 16-17 band's.
    head, tail = DEFAULT_TEXT.split('[bands."16-17"]')
    tail = tail.replace("quiet_hours = [22:00:00, 07:00:00]", "", 1)
    with pytest.raises(rules.InvalidPolicy, match=r'"16-17"\.quiet_hours: under-18s need it set'):
        rules.parse(head + '[bands."16-17"]' + tail)
