from __future__ import annotations

import datetime as dt
import importlib.resources
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safefeed import model
from safefeed.policy import help, rules

TODAY = dt.date(2026, 6, 1)
DEFAULT_TEXT = importlib.resources.files("safefeed.policy").joinpath("data/default.toml").read_text("utf-8")


def test_built_in_policies_load() -> None:
    default = rules.built_in("default")
    teen = default.bands[model.AgeBand.U16]
    assert model.Harm.POTENTIALLY_HARMFUL not in teen.recommend_harm
    assert teen.dispersion.all_mental_health == rules.Cap(window=10, max=1, max_consecutive=1)
    assert teen.passive_sensitive_weight == 0.0
    assert not teen.personalised_by_default
    assert teen.ad_targeting is rules.AdTargeting.CONTEXTUAL
    assert rules.built_in("engagement").kind == "engagement"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'recommend_harm = ["none", "supportive", "neutral"]',
            'recommend_harm = ["none", "potentially_harmful"]',
            r'bands\."13-15"\.recommend_harm: potentially harmful videos are never recommended to under-18s',
        ),
        (
            'recommend_enforcement = ["allowed"]',
            'recommend_enforcement = ["allowed", "restricted"]',
            "'restricted' videos are for adults only",
        ),
        (
            'recommend_enforcement = ["allowed"]',
            'recommend_enforcement = ["allowed", "not_allowed"]',
            "'not_allowed' videos are removed everywhere",
        ),
        ('ad_targeting = "contextual"', 'ad_targeting = "profile"', "no profile-based ads"),
        (
            "all_mental_health = { window = 10, max = 1, max_consecutive = 1 }",
            "",
            r"dispersion\.all_mental_health: under-18s need a dispersion cap",
        ),
        ("passive_sensitive_weight = 0.0", "passive_sensitive_weight = 2.0", "less than or equal to 1"),
        (
            "all_mental_health = { window = 10, max = 1",
            "all_mental_health = { window = 10, max = 11",
            "cannot exceed",
        ),
        ("stem_feed = true", "stem_feeed = true", "stem_feeed: Extra inputs are not permitted"),
    ],
)
def test_a_policy_that_weakens_a_protection_is_refused(old: str, new: str, message: str) -> None:
    assert old in DEFAULT_TEXT
    with pytest.raises(rules.InvalidPolicy, match=message):
        rules.parse(DEFAULT_TEXT.replace(old, new, 1), source="mine.toml")


def test_violative_is_refused_for_adults_too() -> None:
    text = DEFAULT_TEXT.replace(
        'recommend_harm = ["none", "supportive", "neutral", "potentially_harmful"]',
        'recommend_harm = ["none", "violative"]',
    )
    with pytest.raises(rules.InvalidPolicy, match=r'bands\."18\+"\.recommend_harm: violative'):
        rules.parse(text)


def test_broken_toml_and_missing_files_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(rules.InvalidPolicy, match=r"mine\.toml: not valid TOML"):
        rules.parse("name = ", source="mine.toml")
    with pytest.raises(rules.InvalidPolicy, match="no policy file at"):
        rules.load(tmp_path / "missing.toml")
    with pytest.raises(rules.InvalidPolicy, match=r"bands.*missing"):
        rules.parse(
            'name = "x"\n[bands."18+"]\nrecommend_harm = []\nrecommend_enforcement = []\n'
            "privacy = { private_account = true, direct_messages = false, "
            "recommend_to_strangers = false, downloadable = false }\n"
        )


def test_a_region_can_only_choose_a_language() -> None:
    with pytest.raises(rules.InvalidPolicy, match=r"regions\.KE\.recommend_harm: Extra inputs"):
        rules.parse(DEFAULT_TEXT.replace('[regions.KE]\nlanguage = "sw"', '[regions.KE]\nrecommend_harm = ["none"]'))


def test_unknown_age_gets_the_youngest_bands_rules() -> None:
    default = rules.built_in("default")
    assert default.band(model.Account("a"), TODAY) == default.bands[model.AgeBand.U16]


regions = st.sampled_from(sorted(help.regions() | {"", "KE", "PH", "US", "DE", "ZZ"})) | st.text(max_size=8)


@given(region=regions, birth_year=st.none() | st.integers(1930, 2013), policy=st.sampled_from(rules.BUILT_IN))
def test_region_never_weakens_a_protection(region: str, birth_year: int | None, policy: str) -> None:
    """The same person gets the same rules in Nairobi, Manila, Ohio and Berlin."""
    chosen = rules.built_in(policy)
    home = model.Account("a", birth_year=birth_year, region="US")
    elsewhere = model.Account("a", birth_year=birth_year, region=region)
    assert chosen.band(elsewhere, TODAY) == chosen.band(home, TODAY)


def test_help_lines_exist_for_the_studys_countries_and_name_their_sources() -> None:
    for region in ("KE", "PH", "US", "GB", "DE", "FR"):
        lines = help.lines_for(region)
        assert len(lines) >= 2
        assert all(line.source.startswith("https://") for line in lines)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("threshold = 0.3  ", "threshold = 0.7  ", r"sensitivity\.threshold: at most 0\.5 for under-18s"),
        ("harmful_threshold = 0.3", "harmful_threshold = 0.9", r"sensitivity\.harmful_threshold: at most 0\.5"),
        ("propagate = true  ", "propagate = false  ", r"sensitivity\.propagate: under-18s are protected"),
        ("explicit_weight = 0.0", "explicit_weight = 0.5", r"sensitivity\.explicit_weight: likes on sensitive"),
        ('exposure = "explore_slots"', 'exposure = "ranked"', r"sensitivity\.exposure: under-18s get sensitive"),
        ("hold_unclassified = true", "hold_unclassified = false", r"sensitivity\.hold_unclassified: unlabelled"),
        ('exposure = "explore_slots"', 'exposure = "everywhere"', r"sensitivity\.exposure: Input should be"),
        ("passive_sensitive_weight = 0.0", "passive_sensitive_weight = 0.5", "watching sensitive videos never"),
        ("hold_threshold = 0.10  ", "hold_threshold = 0.40  ", r"sensitivity\.hold_threshold: under-18s are kept"),
        ("hold_threshold = 0.10  ", "# no hold  ", r"sensitivity\.hold_threshold: under-18s are kept"),
    ],
)
def test_minors_floors_on_imperfect_labels(old: str, new: str, message: str) -> None:
    """Each stage that acts on labels that may be wrong has a hard floor for under-18s, as the older keys do."""
    assert old in DEFAULT_TEXT
    with pytest.raises(rules.InvalidPolicy, match=message):
        rules.parse(DEFAULT_TEXT.replace(old, new, 1), source="mine.toml")


def test_adults_may_loosen_what_minors_may_not() -> None:
    adult = rules.built_in("default").bands[model.AgeBand.ADULT].sensitivity
    assert adult.exposure == "ranked" and adult.explicit_weight == 1.0 and not adult.hold_unclassified
    engagement = rules.built_in("engagement").bands[model.AgeBand.U16].sensitivity
    assert not engagement.propagate and engagement.exposure == "ranked"  # the baseline keeps no floor
