"""The model-selection script's own arithmetic: its average precision is sklearn's (without ties)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from sklearn.metrics import average_precision_score

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import classifier_designs  # bench/ holds scripts, not a package


@given(st.lists(st.booleans(), min_size=2, max_size=40).filter(lambda t: any(t)), st.integers(0, 2**32 - 1))
def test_average_precision_matches_sklearn(truth: list[bool], seed: int) -> None:
    probability = np.random.default_rng(seed).permutation(len(truth)) / len(truth)  # distinct scores
    y = np.array(truth)
    assert np.isclose(classifier_designs._average_precision(probability, y), average_precision_score(y, probability))
