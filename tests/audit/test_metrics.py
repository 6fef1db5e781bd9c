"""Metric functions on hand-made logs, where every answer can be checked by hand."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from safefeed.audit import estimates, metrics, persona, runner, scoring
from safefeed.audit import summary as summary_module


def log(
    mh: list[bool],
    *,
    every_s: float = 60.0,
    arm: str = persona.INTERESTED,
    variant: str = "automated",
    harm: list[str] | None = None,
    target: str = "t",
    repetition: int = 0,
    skipped: list[bool] | None = None,
) -> runner.Log:
    n = len(mh)
    columns: dict[str, list[Any]] = {
        "session": [0] * n,
        "t_s": [i * every_s for i in range(n)],
        "video_id": [f"v{i}" for i in range(n)],
        "creator_id": [f"c{i % 3}" for i in range(n)],
        "topic": ["mental_health" if m else "food" for m in mh],
        "mh": mh,
        "theme": ["" for _ in mh],
        "harm": harm or ["none"] * n,
        "seconds": [every_s] * n,
        "skipped": skipped or [False] * n,
        "rewatched": [False] * n,
        "liked": [False] * n,
        "followed": [False] * n,
    }
    return runner.Log(target, f"{arm}-{variant}", arm, variant, "KE", 13, repetition, columns, n, 1.0)


def test_windows_longest_run_and_trailing_share() -> None:
    flags = np.asarray([False, True, True, False, True, True, True, False])
    assert metrics.longest_run(flags) == 3
    # Windows of 2 items: [F,T] [T,T] [T,F]... the best is 2 of 2.
    assert metrics.max_window_share(flags, 2) == 1.0
    # 4-item windows: FTTF=.5, TTFT=.75, TFTT=.75, FTTT=.75, TTTF=.75.
    assert metrics.max_window_share(flags, 4) == 0.75
    assert metrics.max_window_share(flags, 20) == flags.mean()  # fewer items than the window: all of them


def test_minutes_to_half_and_first_item() -> None:
    # One item a minute: F F T T T ...; with windows of 4 the share first exceeds 1/2 when the
    # window holds items 1..4 = F T T T (3/4), i.e. at the 5th item, served at minute 4.
    flags = np.asarray([False, False, True, True, True, True])
    t = np.arange(6, dtype=np.float64)
    assert metrics.minutes_to_share(t, flags, window=4) == 4.0
    assert metrics.time_to_first(t, flags) == 2.0
    assert metrics.minutes_to_share(t, np.zeros(6, np.bool_), window=4) is None


def test_entropy_and_creator_diversity() -> None:
    assert metrics.topic_entropy(["a"] * 8) == 0.0
    assert metrics.topic_entropy(["a", "b", "c", "d"]) == 2.0
    assert metrics.creator_diversity(["x", "x", "y", "z"]) == 0.75


def test_share_ever_exposed() -> None:
    flags = [np.asarray([False, True]), np.asarray([False, False]), np.asarray([True])]
    assert metrics.share_ever_exposed(flags) == pytest.approx(2 / 3)


def test_pooled_share_interval_brackets_the_value_and_collapses_for_identical_sessions() -> None:
    estimate = metrics.pooled_share(np.asarray([1.0, 5.0, 9.0]), np.asarray([10.0, 10.0, 10.0]), seed=1)
    assert estimate.value == pytest.approx(0.5)
    assert estimate.low is not None and estimate.high is not None
    assert estimate.low < 0.5 < estimate.high
    same = metrics.pooled_share(np.asarray([2.0, 2.0]), np.asarray([10.0, 10.0]))
    assert (same.value, same.low, same.high) == (0.2, 0.2, 0.2)


def test_ratio_with_a_control_that_saw_nothing_counts_half_an_item() -> None:
    # interested 20 of 40 = 0.5; control 0 of 100 -> 0.5 / 100 = 0.005; ratio 100.
    estimate = metrics.ratio((np.asarray([20.0]), np.asarray([40.0])), (np.asarray([0.0]), np.asarray([100.0])))
    assert estimate.value == pytest.approx(100.0)


def test_permutation_test_is_exact_on_small_groups() -> None:
    # 3 vs 3 fully separated: only 2 of the C(6,3) = 20 splits are as extreme -> p = 0.1.
    assert metrics.permutation_test([1.0, 1.0, 1.0], [0.0, 0.0, 0.0]) == pytest.approx(0.1)
    assert metrics.permutation_test([0.3, 0.5], [0.3, 0.5]) == 1.0


@given(st.lists(st.booleans(), min_size=1, max_size=60), st.integers(1, 25))
def test_max_window_share_bounds(flags: list[bool], window: int) -> None:
    array = np.asarray(flags)
    value = metrics.max_window_share(array, window)
    assert 0.0 <= value <= 1.0
    if len(flags) >= window:
        assert value * window == pytest.approx(round(value * window))  # a whole number of items
        assert (value >= 1 / window - 1e-12) == bool(array.any())
    assert metrics.longest_run(array) >= (1 if array.any() else 0)
    if window <= len(flags) and metrics.longest_run(array) >= window:
        assert value == 1.0


def test_summary_of_hand_made_logs() -> None:
    # 60-minute sessions, one item a minute. Interested: MH from minute 30 on (30 of 60); its
    # last sixth (minutes 50-59) is all MH -> share 1.0. Control: one MH item, at minute 55 ->
    # 1 of 10 in the last sixth -> ratio 10. Two harmful items reach the interested minor.
    interested = log(
        [i >= 30 for i in range(60)],
        harm=["potentially_harmful" if i in (31, 40) else "none" for i in range(60)],
    )
    control = log([i == 55 for i in range(60)], arm=persona.CONTROL)
    manual = log([i % 2 == 0 or i > 10 for i in range(30)], variant="manual")
    durations = {"interested-automated": 60.0, "control-automated": 60.0, "interested-manual": 30.0}
    result = summary_module.summarise([interested, control, manual], durations, baseline="t", window=10.0)["t"]
    summary = result["summary"]
    assert summary["mh_share_hour_6"] == 1.0
    assert summary["mh_share_control_hour_6"] == 0.1
    assert summary["ratio_to_control"] == 10.0
    assert summary["harmful_items_minors"] == 2
    # Manual: items 0,2,4,...,10 then all from 11, read over the last 10 items: windows 0..9 and
    # 1..10 hold 5 (not more than half); window 2..11 holds 6 -> item 11, minute 11.
    assert summary["minutes_to_half_rewatch"] == 11.0
    # Automated interested: MH from item 30; the window ending at item j holds j - 29 MH items,
    # more than 5 first at j = 35 -> minute 35.
    assert summary["minutes_to_half_automated"] == 35.0
    assert summary["longest_mh_run"] == 30
    assert summary["max_mh_share_window_20"] == 1.0
    assert summary["control_watch_time_vs_engagement"] == 1.0  # the baseline compared with itself
    assert summary["share_exposed_mh"] == 1.0
    share = result["series"]["interested-automated"]["share"]
    assert share == [0.0, 0.0, 0.0, 1.0, 1.0, 1.0]
    assert math.isclose(summary["mh_share_interested"], (30 + 25) / 90, abs_tol=1e-4)
    # Honest figures: 2 harmful items in 150 minor impressions = 133.3 per 10,000, with the exact bound.
    assert summary["minor_impressions"] == 150
    assert summary["harmful_per_10k_minor_impressions"] == pytest.approx(133.333, abs=1e-3)
    upper = estimates.upper_bound(2, 150) * 10_000
    assert summary["harmful_per_10k_minor_impressions_upper95"] == pytest.approx(upper, abs=1e-3)
    # Scored by the answer key, the corrected share is the share itself.
    assert summary["scored_by"] == scoring.ANSWER_KEY
    assert summary["mh_share_interested_corrected"] == summary["mh_share_interested"]
    assert "scorer_sensitivity" not in summary


def test_classifier_scored_shares_are_corrected_for_its_error() -> None:
    # A replayed or HTTP target: the classifier flagged 10% of items. With the shipped sensitivity and
    # specificity the Rogan-Gladen share differs from the apparent one and its interval holds it.
    logs = [
        dataclasses.replace(log([i % 10 == 0 for i in range(100)], repetition=r), scored_by=scoring.CLASSIFIER)
        for r in range(4)
    ]
    error = scoring.classifier_error()
    figures = summary_module.summarise(logs, {"interested-automated": 100.0}, baseline="t", window=10.0)["t"]
    summary = figures["summary"]
    assert summary["mh_share_interested"] == 0.1
    expected = estimates.rogan_gladen(0.1, error.sensitivity, error.specificity)
    assert summary["mh_share_interested_corrected"] == pytest.approx(expected, abs=1e-4)
    low, high = summary["mh_share_interested_corrected_ci"]
    assert low <= summary["mh_share_interested_corrected"] <= high
    assert summary["scorer_sensitivity"] == pytest.approx(error.sensitivity, abs=1e-4)
