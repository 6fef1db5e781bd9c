"""Which labels the engine sees: parsing, and a noisy oracle of the quality asked for."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safefeed import model
from safefeed.audit import engine_labels

KEY = {
    **{f"mh{i:04d}": model.Label(True, model.Theme.SADNESS_DEPRESSION, model.Harm.NEUTRAL) for i in range(2000)},
    **{f"ok{i:05d}": model.NOT_MH for i in range(20000)},
}


@pytest.mark.parametrize(
    ("text", "problem"),
    [("ground_truth", "must be one of"), ("oracle:recall=2", "lie in"), ("oracle:recal=0.5", "unknown oracle"),
     ("oracle:recall=x", "must be a number"), ("classifier:recall=1", "only 'oracle'")],
)  # fmt: skip
def test_bad_label_settings_say_what_to_fix(text: str, problem: str) -> None:
    with pytest.raises(model.InvalidValue, match=problem):
        engine_labels.parse(text)


@settings(max_examples=8, deadline=None)
@given(recall=st.floats(0.0, 1.0), fpr=st.floats(0.0, 0.05), seed=st.integers(0, 1000))
def test_the_oracle_has_the_recall_and_false_positive_rate_asked_for(recall: float, fpr: float, seed: int) -> None:
    labels = engine_labels.derive(engine_labels.EngineLabels("oracle", recall, fpr), KEY, seed=seed)
    assert set(labels) == set(KEY)
    found = sum(labels[k].mh_related for k in KEY if k.startswith("mh")) / 2000
    alarms = sum(labels[k].mh_related for k in KEY if k.startswith("ok")) / 20000
    assert found == pytest.approx(recall, abs=0.04)  # binomial sd <= 0.011 at n = 2000
    assert alarms == pytest.approx(fpr, abs=0.006)
    for label in labels.values():
        # It reaches the engine as a classifier's label would: with a probability on the right side of 0.5.
        assert label.source is model.LabelSource.CLASSIFIER
        assert (label.probability >= 0.5) == label.mh_related


def test_the_oracle_is_seeded_and_reviewed_labels_are_the_truth() -> None:
    oracle = engine_labels.EngineLabels("oracle", 0.6, 0.01)
    assert engine_labels.derive(oracle, KEY, seed=3) == engine_labels.derive(oracle, KEY, seed=3)
    assert engine_labels.derive(oracle, KEY, seed=3) != engine_labels.derive(oracle, KEY, seed=4)
    reviewed = engine_labels.derive(engine_labels.EngineLabels("reviewed"), KEY, seed=0)
    assert all(reviewed[k].mh_related == KEY[k].mh_related for k in KEY)
    assert {label.source for label in reviewed.values()} == {model.LabelSource.REVIEW}
    assert engine_labels.derive(engine_labels.EngineLabels(), KEY, seed=0) == {}
