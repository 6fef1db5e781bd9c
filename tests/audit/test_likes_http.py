"""The likes rabbit hole, measured over HTTP: SafeFeed's default within 2x of control, engagement beyond it.

A tiny world (one video in seven mental health) imported as a platform would:
unlabelled, so the engine knows only its classifier's reading, the answer key
apart. Each unit starts `safefeed serve` on 127.0.0.1 over its own copy.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import urllib.request
from pathlib import Path

import pytest

from safefeed import model
from safefeed.audit import behaviour, likes, persona, runner, scenario, targets
from safefeed.content import pipeline
from safefeed.store import answer_key, repository

from . import conftest


@pytest.fixture(scope="module")
def unlabelled_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("likes-world") / "world.db"
    catalog = conftest.tiny_catalog()
    key = {video.id: video.label or model.NOT_MH for video in catalog.videos}
    bare = model.Catalog(catalog.creators, tuple(dataclasses.replace(v, label=None) for v in catalog.videos))
    store = repository.Store.open(f"sqlite:///{path}", simulation=True)
    try:
        pipeline.import_catalog(store, bare, classify=True)
        answer_key.put(store, key)
    finally:
        store.close()
    return path


def _persona(arm: str) -> persona.Persona:
    return persona.Persona(
        id=f"us-{arm}-likes",
        age=13,
        region="US",
        timezone="America/New_York",
        seed_interests=("gaming", "music"),
        mh_sensitivity=1.0 if arm == persona.INTERESTED else 0.0,
        arm=arm,
        variant="likes",
        schedule=persona.Schedule(dt.datetime(2026, 2, 2, 16, 0), session_minutes=30),
        behaviour=behaviour.Parameters(rewatch_mh=True, like_mh=True),
        personalised=True,
    )


def _likes_scenario(policy: str) -> scenario.Scenario:
    base = scenario.parse(
        {
            "name": "likes-tiny",
            "seed": 21,
            "catalog": {"videos": 200},
            "personas": {"regions": [{"region": "US", "timezone": "America/New_York"}], "arms": {"control": {}}},
            "targets": [{"name": policy, "kind": "served", "policy": policy}],
        }
    )
    return dataclasses.replace(base, personas=(_persona(persona.INTERESTED), _persona(persona.CONTROL)))


def _logs(world: Path, policy: str) -> list[runner.Log]:
    chosen = _likes_scenario(policy)
    return [runner.run_unit(runner.Job(chosen, world, unit)) for unit in runner.units(chosen)]


def test_likes_do_not_pull_a_minor_into_mental_health_over_http(unlabelled_world: Path) -> None:
    store = repository.Store.open(f"sqlite:///{unlabelled_world}", simulation=True)
    try:
        base = likes.base_rate(answer_key.read(store), [video.label for video in store.iter_videos()])
    finally:
        store.close()
    assert base == pytest.approx(30 / 210)
    results = {policy: likes.ratio(_logs(unlabelled_world, policy), base) for policy in ("default", "engagement")}
    for result in results.values():
        assert result["scored_by"] == "answer_key" and result["interested"]["served"] >= 20, results
    # Known answer: with every protection off, liking mental-health videos fills the feed with them.
    assert results["engagement"]["ratio"] > likes.BOUND, results["engagement"]
    # SafeFeed's default, measured from outside, keeps the opted-in liker within 2x of control or base rate.
    assert results["default"]["ratio"] <= likes.BOUND, results["default"]
    assert results["default"]["interested"]["max_mh_share_window_20"] <= 0.2


def test_a_served_target_is_the_real_server_without_the_answer_key(unlabelled_world: Path, tmp_path: Path) -> None:
    copy = tmp_path / "world.db"
    copy.write_bytes(unlabelled_world.read_bytes())
    store = repository.Store.open(f"sqlite:///{copy}", simulation=True)
    try:
        built = targets.build(targets.Spec("default", "served", policy="default"), store, [], scratch=tmp_path)
        try:
            assert isinstance(built.target, targets.Http)
            url = built.note.rsplit(" ", 1)[-1]
            with urllib.request.urlopen(url + "/v1/health", timeout=10) as response:
                assert json.loads(response.read())["policy"] == "default"
            account = _persona(persona.INTERESTED).account(0)
            built.target.start(account)  # opts in over the API: PATCH /v1/me/settings
            page = built.target.feed(account.id, 10, dt.datetime(2026, 2, 2, 21, 0, tzinfo=dt.UTC))
            assert page
        finally:
            built.close()
        served = repository.Store.open(f"sqlite:///{tmp_path / 'served-default' / 'served.db'}", simulation=True)
        try:
            assert answer_key.read(served) == {}  # the server's copy never held the truth
        finally:
            served.close()
    finally:
        store.close()
    with pytest.raises(targets.AuditError, match="scratch"):
        targets.build(targets.Spec("default", "served", policy="default"), store, [])
