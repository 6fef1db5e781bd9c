"""The model-selection script's own arithmetic: its average precision is sklearn's (without ties),
its hindsight F1 that of the best threshold the false-positive ceiling allows."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import average_precision_score, f1_score

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import classifier_designs  # bench/ holds scripts, not a package


@given(st.lists(st.booleans(), min_size=2, max_size=40).filter(lambda t: any(t)), st.integers(0, 2**32 - 1))
def test_average_precision_matches_sklearn(truth: list[bool], seed: int) -> None:
    probability = np.random.default_rng(seed).permutation(len(truth)) / len(truth)  # distinct scores
    y = np.array(truth)
    assert np.isclose(classifier_designs._average_precision(probability, y), average_precision_score(y, probability))


@settings(max_examples=50, deadline=None)  # 91 thresholds scored twice per example
@given(st.lists(st.tuples(st.booleans(), st.booleans()), min_size=2, max_size=40), st.integers(0, 2**32 - 1))
def test_best_f1_is_the_best_threshold_within_the_false_positive_ceiling(
    rows: list[tuple[bool, bool]], seed: int
) -> None:
    truth = np.array([t for t, _ in rows])
    random = np.array([r for _, r in rows])
    probability = np.random.default_rng(seed).random(len(rows))
    data = SimpleNamespace(truth=truth, random=random)
    allowed = [
        f1_score(truth, probability >= t, zero_division=0.0)
        for t in np.arange(0.05, 0.96, 0.01)
        if (probability >= t)[random & ~truth].sum() <= 0.008 * max((random & ~truth).sum(), 1)
    ]
    assert np.isclose(classifier_designs._best_f1(data, probability), max(allowed, default=0.0), atol=1e-4)  # type: ignore[arg-type]
