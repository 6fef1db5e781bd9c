"""The honest-figure statistics: exact bounds, Rogan-Gladen and its bootstrap, checked by hand and by property."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safefeed.audit import estimates

shares = st.floats(min_value=0.0, max_value=1.0)
accuracies = st.floats(min_value=0.55, max_value=1.0)


@given(hits=st.integers(0, 500), extra=st.integers(0, 500))
def test_the_exact_interval_holds_the_share_and_the_upper_bound_lies_above_it(hits: int, extra: int) -> None:
    served = hits + extra
    low, high = estimates.clopper_pearson(hits, served)
    share = hits / served if served else 0.0
    assert 0.0 <= low <= share <= high <= 1.0
    assert share <= estimates.upper_bound(hits, served) <= 1.0
    # One more hit in the same number of items can only raise the bound.
    if hits < served:
        assert estimates.upper_bound(hits + 1, served) >= estimates.upper_bound(hits, served)


@given(served=st.integers(30, 100_000))
def test_a_zero_count_gets_about_the_rule_of_three(served: int) -> None:
    # Exact: 1 - 0.05^(1/n); the rule of three says 3/n; they agree within a few percent for n >= 30.
    bound = estimates.upper_bound(0, served)
    assert bound == pytest.approx(1 - 0.05 ** (1 / served))
    assert bound == pytest.approx(3 / served, rel=0.06)
    rate = estimates.rate(0, served)
    assert rate.value == 0.0 and rate.upper is not None and rate.upper > 0


@given(prevalence=shares, sensitivity=accuracies, specificity=accuracies)
def test_rogan_gladen_undoes_the_classifier_error(prevalence: float, sensitivity: float, specificity: float) -> None:
    # What a classifier of this sensitivity and specificity reports when the truth is `prevalence`.
    apparent = prevalence * sensitivity + (1 - prevalence) * (1 - specificity)
    assert estimates.rogan_gladen(apparent, sensitivity, specificity) == pytest.approx(prevalence, abs=1e-9)


@given(apparent=shares, sensitivity=accuracies, specificity=accuracies)
def test_the_correction_always_lies_in_zero_one(apparent: float, sensitivity: float, specificity: float) -> None:
    assert 0.0 <= estimates.rogan_gladen(apparent, sensitivity, specificity) <= 1.0


@settings(max_examples=30, deadline=None)
@given(
    hits=st.lists(st.integers(0, 40), min_size=2, max_size=12),
    tp=st.integers(20, 200),
    fn=st.integers(0, 20),  # with tp >= 20 and tn >= 200: always better than chance
    tn=st.integers(200, 2000),
    fp=st.integers(0, 40),
    seed=st.integers(0, 2**16),
)
def test_the_corrected_interval_holds_its_estimate(
    hits: list[int], tp: int, fn: int, tn: int, fp: int, seed: int
) -> None:
    error = estimates.ClassifierError(tp, fn, tn, fp)
    served = np.full(len(hits), 40.0)
    corrected = estimates.corrected_share(np.asarray(hits, np.float64), served, error, seed=seed, resamples=400)
    assert corrected.value is not None and corrected.low is not None and corrected.high is not None
    assert 0.0 <= corrected.low <= corrected.high <= 1.0
    assert corrected.high > 0.0  # never a bare zero, even when the correction clips every draw at 0
    # The point estimate can sit at the interval's edge when it is clipped at 0, never far outside.
    assert corrected.low - 0.02 <= corrected.value <= corrected.high + 0.02


def test_a_share_below_the_false_positive_rate_still_gets_an_upper_bound() -> None:
    # 1 flagged item in 1,000 with a specificity of about 0.994: every draw corrects to 0.
    error = estimates.ClassifierError(43, 16, 338, 2)
    corrected = estimates.corrected_share(np.array([1.0, 0.0]), np.array([500.0, 500.0]), error, seed=0)
    assert corrected.value == 0.0
    # Exact bound of 1 in 1,000 (about 0.0047) over the sensitivity 43/59.
    assert corrected.high == pytest.approx(estimates.upper_bound(1, 1000) / (43 / 59))


def test_uncertain_sensitivity_widens_the_interval() -> None:
    hits, served = np.full(20, 10.0), np.full(20, 100.0)  # apparent 10%: corrected (0.10 - 0.05) / 0.75
    sharp = estimates.corrected_share(hits, served, estimates.ClassifierError(800, 200, 9500, 500), seed=1)
    vague = estimates.corrected_share(hits, served, estimates.ClassifierError(8, 2, 95, 5), seed=1)
    assert sharp.value == pytest.approx(vague.value)
    assert sharp.low is not None and sharp.high is not None and vague.low is not None and vague.high is not None
    assert vague.high - vague.low > 1.5 * (sharp.high - sharp.low)


def test_nothing_served_gives_no_share_rather_than_zero() -> None:
    corrected = estimates.corrected_share(np.zeros(0), np.zeros(0), estimates.ClassifierError(1, 1, 1, 1))
    assert corrected.value is None and corrected.apparent is None
    assert estimates.rate(0, 0).value is None
