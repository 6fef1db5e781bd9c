from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from safefeed import model
from safefeed.content import classifier, training
from safefeed.content.training import fitting
from safefeed.datasets import labelled_text
from tests.content.test_classifier import fake_embed

# A tiny world with a known answer: mental-health texts point one way in embedding space.
DIRECTION = np.eye(384, dtype=np.float32)[0]
# Distinct words, not numbers: captions differing only in a number are near-duplicates.
WORDS = tuple(f"{a}{b}" for a in "bcdfgh" for b in ("alo", "eri", "ump"))


def part(texts: Sequence[tuple[str, model.Theme | None]], source: str, *, group: str = "") -> training.Part:
    examples = tuple(
        labelled_text.LabelledText(
            id=f"{source}-{index}",
            text=text,
            mh_related=theme is not None,
            theme=theme,
            harm=model.Harm.NEUTRAL if theme is not None else model.Harm.NONE,
            source=source,
            group=group or ("random" if index % 2 else "keyword"),
        )
        for index, (text, theme) in enumerate(texts)
    )
    vectors = fake_embed([e.text for e in examples]) * 0.3
    vectors[[e.mh_related for e in examples]] += DIRECTION
    return training.Part(examples, vectors / np.linalg.norm(vectors, axis=1, keepdims=True))


def tiny_corpus() -> training.Corpus:
    sad, suicide, anxiety = model.Theme.SADNESS_DEPRESSION, model.Theme.SUICIDE, model.Theme.ANXIETY_STRESS
    tiktok = part(
        [(f"so depressed today {WORDS[i]}", sad) for i in range(12)]
        + [(f"so sad the match ended {WORDS[i]}", None) for i in range(12)]
        + [(f"new dance video {WORDS[i]}", None) for i in range(18)],
        labelled_text.TIKTOK_LABELS,
    )
    sdcnl = part(
        [(f"i want to end it {i}", suicide) for i in range(10)]
        + [(f"depressed for months {i}", sad) for i in range(10)],
        labelled_text.SDCNL,
    )
    dreaddit = part(
        [(f"panic before exams {i}", anxiety) for i in range(10)] + [(f"moving house {i}", None) for i in range(10)],
        labelled_text.DREADDIT,
        group="anxiety",
    )
    cssrs = part([(f"thinking of ending it {i}", suicide) for i in range(6)], labelled_text.CSSRS, group="Ideation")
    exemplars = part([(e.text, e.theme) for e in training.exemplars()], "exemplars")
    return training.Corpus(tiktok, sdcnl, dreaddit, cssrs, fake_embed([f"ordinary {i}" for i in range(40)]), exemplars)


def test_fit_learns_the_direction_of_the_tiny_world() -> None:
    corpus = tiny_corpus()
    weights = training.fit(corpus, options=training.Options(folds=3))
    predictor = classifier.Default(weights)
    results = predictor.classify_embedded([e.text for e in corpus.tiktok.examples], corpus.tiktok.vectors)
    assert [r.mh_related for r in results] == [e.mh_related for e in corpus.tiktok.examples]
    assert 0.1 <= weights.threshold <= 0.9
    assert float(corpus.tiktok.vectors[0] @ weights.text_coef) > 0  # the text head points along DIRECTION


def test_evaluate_reports_every_set_with_cross_validated_figures() -> None:
    corpus = tiny_corpus()
    options = training.Options(folds=3)
    result = training.evaluate(corpus, training.fit(corpus, options=options), options=options)
    tiktok = result[labelled_text.TIKTOK_LABELS]
    assert tiktok["method"].startswith("3-fold")
    assert tiktok["mh_related"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 12}
    assert tiktok["mh_confusion"] == {"0": {"0": 30}, "1": {"1": 12}}
    assert tiktok["by_group"]["random"]["false_positive_rate"] == 0.0
    assert set(result) >= {labelled_text.SDCNL, labelled_text.DREADDIT, labelled_text.CSSRS}
    assert result[labelled_text.CSSRS]["mh_related"]["support"] == 6
    assert tiktok["calibration"]["expected_calibration_error"] <= 0.5
    assert set(tiktok["operating_points"]) == {"adults", "minors"}
    minors, adults = tiktok["operating_points"]["minors"], tiktok["operating_points"]["adults"]
    assert minors["threshold"] <= adults["threshold"]
    assert minors["cross_validated"]["recall"] >= adults["cross_validated"]["recall"]
    # Every C-SSRS text of the tiny world has one level, so the rank correlation is undefined, not 0.
    assert result[labelled_text.CSSRS]["risk_order"]["spearman_risk"] is None


def test_same_seed_same_weights() -> None:
    corpus = tiny_corpus()
    options = training.Options(folds=3, seed=7)
    first, second = training.fit(corpus, options=options), training.fit(corpus, options=options)
    for field in dataclasses.fields(first):
        a, b = getattr(first, field.name), getattr(second, field.name)
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, b)
        else:
            assert a == b, field.name


def test_calibration_error_known_answers() -> None:
    # Bin 0.1: predicted 0.1, observed 0 -> gap 0.1 for 2 of 4; bin 0.9: predicted 0.9, observed 0.5 -> 0.4.
    # Weighted: (2 * 0.1 + 2 * 0.4) / 4 = 0.25.
    assert training.calibration_error([0.1, 0.1, 0.9, 0.9], [False, False, True, False]) == 0.25
    assert training.calibration_error([0.0, 1.0], [False, True]) == 0.0
    assert training.calibration_error([], []) == 0.0


def test_minors_threshold_finds_the_recall_it_promises() -> None:
    # Positives at 0.9, 0.6, 0.3, 0.2: 90% recall needs all four, so a threshold <= 0.2. Random negatives at
    # 0.1 and 0.25: at 0.2 one of two is a false positive (50%), within a 60% ceiling, so 0.2 is chosen.
    probability = np.array([0.9, 0.6, 0.3, 0.2, 0.1, 0.25])
    truth = np.array([True, True, True, True, False, False])
    ordinary = np.array([False, False, False, False, True, True])
    chosen = fitting._recall_threshold(
        probability, truth, ordinary, recall=0.9, max_false_positive_rate=0.6, ceiling=0.5
    )
    assert chosen == 0.2
    # A ceiling of 0 false positives forbids every threshold at or below 0.25: the lowest allowed is 0.26.
    strict = fitting._recall_threshold(
        probability, truth, ordinary, recall=0.9, max_false_positive_rate=0.0, ceiling=0.5
    )
    assert strict == 0.26


def test_near_duplicates_share_a_group_and_a_fold() -> None:
    texts = [
        "Replying to @a PART 2: my sister cried at my wedding #reddit #story #aita",
        "Replying to @b PART 3: my sister cried at my wedding #reddit #story #aita",
        "I should have let it go. #pov #acting #skit",
        "First day at school #pov #acting #skit",  # same series: same three tags
        "Mental health 🌿 #corecore #sadcore",
        "Mental health ☘️ #mindcore #pain",  # same opening words
        "a day at the beach",
    ]
    groups = training.duplicate_groups(texts)
    assert groups.tolist() == [0, 0, 2, 2, 4, 4, 6]
    folds = training.grouped_fold_ids(np.tile(groups, 10) + np.repeat(np.arange(10) * 100, 7), 5, seed=0)
    for start in range(0, 70, 7):
        chunk = folds[start : start + 7]
        assert chunk[0] == chunk[1] and chunk[2] == chunk[3] and chunk[4] == chunk[5]
    assert set(folds.tolist()) == set(range(5))  # 40 groups spread over every fold


def test_scores_and_confusion_known_answers() -> None:
    # 2 true positives, 1 false positive, 1 false negative: P = R = 2/3.
    s = training.scores([True, True, True, False, False], [True, True, False, True, False])
    assert (s.precision, s.recall, s.f1, s.support) == (0.6667, 0.6667, 0.6667, 3)
    assert training.scores([False], [False]) == training.Scores(0.0, 0.0, 0.0, 0)
    assert training.confusion(["a", "b", "a"], ["a", "a", "b"]) == {"a": {"a": 1, "b": 1}, "b": {"a": 1}}


def test_exemplars_cover_every_theme_and_harm_level() -> None:
    examples = training.exemplars()
    assert {e.theme for e in examples if e.theme} == set(model.Theme)
    assert {e.harm for e in examples} == set(model.Harm)
