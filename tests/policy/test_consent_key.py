"""`default_feed_without_consent` and the ny-ca policy, written as the default plus that key (`base`)."""

from __future__ import annotations

import pytest

from safefeed import model
from safefeed.policy import rules


def test_ny_ca_is_the_default_with_following_for_minors_without_consent() -> None:
    default, strict = rules.built_in("default"), rules.built_in("ny-ca")
    for band in model.AgeBand:
        wanted = "following" if band in rules.MINOR_BANDS else "for_you"
        assert strict.bands[band].default_feed_without_consent == wanted
        assert default.bands[band].default_feed_without_consent == "for_you"
        same = strict.bands[band].model_copy(update={"default_feed_without_consent": "for_you"})
        assert same == default.bands[band]
    assert strict.regions == default.regions and strict.kind == "safe"


def test_a_variant_changes_one_key_and_keeps_its_neighbours() -> None:
    text = 'name = "x"\nbase = "default"\n[bands."13-15".dispersion]\nthemes.suicide = { window = 80, max = 1 }\n'
    variant, default = rules.parse(text), rules.built_in("default")
    dispersion = variant.bands[model.AgeBand.U16].dispersion
    assert dispersion.themes[model.Theme.SUICIDE].window == 80
    assert dispersion.all_mental_health == default.bands[model.AgeBand.U16].dispersion.all_mental_health
    assert variant.bands[model.AgeBand.U16].daily_limit_minutes == 60


def test_a_variant_still_meets_the_floors() -> None:
    with pytest.raises(rules.InvalidPolicy, match="autoplay"):
        rules.parse('name = "x"\nbase = "default"\n[bands."13-15"]\nautoplay = true\n')


def test_only_minors_bands_may_set_the_key_and_only_built_in_bases_exist() -> None:
    with pytest.raises(rules.InvalidPolicy, match="default_feed_without_consent"):
        rules.parse('name = "x"\nbase = "default"\n[bands."18+"]\ndefault_feed_without_consent = "following"\n')
    with pytest.raises(rules.InvalidPolicy, match="base"):
        rules.parse('name = "x"\nbase = "nope"\n')
    with pytest.raises(rules.InvalidPolicy, match="default_feed_without_consent"):
        rules.parse('name = "x"\nbase = "default"\n[bands."13-15"]\ndefault_feed_without_consent = "chronological"\n')
