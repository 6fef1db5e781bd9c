from __future__ import annotations

from pathlib import Path

import pytest

from safefeed import model
from safefeed.audit import persona, scenario


def test_the_amnesty_scenario_ships_and_expands_its_grid() -> None:
    amnesty = scenario.load("scenarios/amnesty-2023.toml")
    # 3 regions x 2 arms x 2 variants.
    assert len(amnesty.personas) == 12
    assert {p.region for p in amnesty.personas} == {"KE", "PH", "US"}
    assert {p.age for p in amnesty.personas} == {13}
    assert all(p.minor for p in amnesty.personas)
    assert [t.name for t in amnesty.targets] == ["engagement", "default", "implicit-als", "null"]
    automated = [p for p in amnesty.personas if p.variant == "automated"]
    manual = [p for p in amnesty.personas if p.variant == "manual"]
    assert {p.schedule.session_minutes for p in automated} == {360.0}
    assert all(p.behaviour.rewatch_mh for p in manual) and not any(p.behaviour.rewatch_mh for p in automated)
    interested = [p for p in amnesty.personas if p.arm == persona.INTERESTED]
    assert {p.mh_sensitivity for p in interested} == {1.0}


def test_personas_start_after_school_in_their_own_time_zone() -> None:
    amnesty = scenario.load("amnesty-2023")
    starts = {p.region: p.session_starts()[0].hour for p in amnesty.personas}
    # 16:00 in Nairobi (UTC+3), Manila (UTC+8) and New York in February (UTC-5).
    assert starts == {"KE": 13, "PH": 8, "US": 21}
    account = amnesty.personas[0].account(1)
    assert account.age_band(account.created_at.date()) is model.AgeBand.U16
    assert account.id.endswith("-r1")


def test_scale_shrinks_sessions_and_catalog() -> None:
    small = scenario.load("amnesty-2023", scale=0.1, repetitions=1)
    assert small.repetitions == 1
    assert max(p.schedule.session_minutes for p in small.personas) == pytest.approx(36.0)
    assert small.catalog.videos < scenario.load("amnesty-2023").catalog.videos


def test_bad_scenarios_say_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="amnesty-2023"):
        scenario.load(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'name = "x"\n[personas]\nregions = [{region = "KE", timezone = "Mars/Olympus"}]\n'
        '[personas.arms.control]\n[[targets]]\nname = "n"\nkind = "null"\n',
        encoding="utf-8",
    )
    with pytest.raises(model.InvalidValue, match="time zone"):
        scenario.load(bad)
    bad.write_text(
        'name = "x"\n[personas]\nregions = [{region = "KE", timezone = "UTC"}]\n'
        '[personas.arms.control]\nbehaviour = { blink_rate = 3 }\n[[targets]]\nname = "n"\nkind = "null"\n',
        encoding="utf-8",
    )
    with pytest.raises(model.InvalidValue, match="blink_rate"):
        scenario.load(bad)


def test_the_likes_scenarios_opt_both_arms_in_and_serve_safefeed_over_http() -> None:
    for name, source in (("likes-minor", "generated"), ("likes-minor-kinit", "kinit")):
        likes = scenario.load(name)
        assert likes.catalog.source == source
        assert {p.personalised for p in likes.personas} == {True}
        assert {p.arm for p in likes.personas} == set(persona.ARMS)
        interested = [p for p in likes.personas if p.arm == persona.INTERESTED]
        assert all(p.behaviour.like_mh and p.behaviour.rewatch_mh for p in interested)
        assert [(t.kind, t.policy) for t in likes.targets] == [("served", "engagement"), ("served", "default")]
        assert likes.personas[0].account(0).settings.personalised is True


def test_personalised_and_over_http_override_the_file() -> None:
    amnesty = scenario.load("amnesty-2023")
    assert {p.personalised for p in amnesty.personas} == {None}  # the policy's default
    assert amnesty.personas[0].account(0).settings == model.AccountSettings()
    opted = scenario.load("amnesty-2023", personalised=True, over_http=True)
    assert {p.personalised for p in opted.personas} == {True}
    assert [t.kind for t in opted.targets] == ["served", "served", "als", "null"]


def test_a_bad_personalised_value_or_catalog_source_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'name = "x"\n[personas]\npersonalised = "yes"\nregions = [{region = "KE", timezone = "UTC"}]\n'
        '[personas.arms.control]\n[[targets]]\nname = "n"\nkind = "null"\n',
        encoding="utf-8",
    )
    with pytest.raises(model.InvalidValue, match="personalised must be true or false"):
        scenario.load(bad)
    with pytest.raises(model.InvalidValue, match="catalog source"):
        scenario.CatalogSpec(source="myspace")
