"""Replay on the real KInIT TikTok feeds (skips when ../shared/data is absent)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from safefeed import model
from safefeed.audit import checks, estimates, replay, scoring, targets

pytestmark = pytest.mark.data


@pytest.fixture(scope="module")
def kinit(data_dir: Path) -> Path:
    folder = data_dir / "tiktok-fyp-audit-kinit"
    if not folder.is_dir():
        pytest.skip(f"KInIT data not found at {folder}: set SAFEFEED_DATA to the shared data folder")
    return folder


@pytest.fixture(scope="module")
def result(kinit: Path) -> dict[str, object]:
    return replay.analyse(kinit, label=replay.lexicon_labels)


def test_watch_longer_on_cats_drifts_the_experiment_feed_toward_its_hashtags(
    result: dict[str, object],
) -> None:
    scenarios = result["scenarios"]
    assert isinstance(scenarios, dict)
    assert len(scenarios) == 21
    cats = scenarios["39"]["target_hashtag_share"]
    assert "catsoftiktok" in scenarios["39"]["target_hashtags"]
    experiment, control = cats["experiment"], cats["control"]
    # The treatment arm sees its hashtags about twice as often as control (0.28 vs 0.13 in the data).
    assert experiment["share"] > 1.5 * control["share"]
    assert experiment["low"] <= experiment["share"] <= experiment["high"]
    assert 0 < cats["p_value"] < 0.1
    assert cats["by_position"][0]["from"] == 0 and cats["by_position"][0]["experiment"]["served"] > 0
    # Scenarios without target hashtags have no hashtag share, but still a mental-health share.
    assert scenarios["9"]["target_hashtag_share"] is None
    assert scenarios["9"]["mental_health_share"]["control"]["share"] is not None


def test_the_natural_mental_health_base_rate_is_about_one_percent(result: dict[str, object]) -> None:
    overall = result["mental_health_share_overall"]
    assert isinstance(overall, dict)
    # PROVENANCE.md: a crude keyword search matches ~1% of rows.
    assert 0.003 < overall["share"] < 0.03


def test_replay_json_is_written(result: dict[str, object], tmp_path: Path) -> None:
    path = replay.write(result, tmp_path)
    assert json.loads(path.read_text())["sessions"] == result["sessions"]


def test_the_recorded_feeds_pass_the_target_contract(kinit: Path) -> None:
    target = replay.replay_target(kinit)
    account_id = next(iter(target.sessions))
    served = checks.check_target(target, model.Account(account_id), n=8)
    assert [v.id for v in served] == [v.id for v in target.sessions[account_id][:24]]
    assert isinstance(target, targets.Replay)


def test_classifier_shares_come_corrected_and_a_zero_with_its_bound() -> None:
    # No data needed: the estimate of a few hand-made sessions, as `analyse` builds it per arm.
    error = scoring.classifier_error()
    sessions = [[True] + [False] * 49, [False] * 50, [True, True] + [False] * 48]
    estimate = replay._estimate(sessions, seed=0, error=error)
    assert estimate["share"] == 0.02 and estimate["hits"] == 3 and estimate["served"] == 150
    corrected = estimate["corrected"]
    assert corrected["share"] == pytest.approx(
        estimates.rogan_gladen(0.02, error.sensitivity, error.specificity), abs=1e-4
    )
    assert corrected["low"] <= corrected["share"] <= corrected["high"]
    nothing = replay._estimate([[False] * 100, [False] * 100], seed=0, error=error)
    assert nothing["share"] == 0.0
    assert nothing["upper95"] == pytest.approx(estimates.upper_bound(0, 200), abs=1e-4)  # never a bare 0
    assert nothing["corrected"]["high"] > 0.0
    # The lexicon has no measured error, so its shares stay apparent.
    assert "corrected" not in replay._estimate(sessions, seed=0)
