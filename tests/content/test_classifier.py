from __future__ import annotations

import dataclasses
import datetime as dt
import math
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from safefeed import model
from safefeed.content import classifier, embedding, lexicon, training
from safefeed.datasets import labelled_text

DIM = embedding.DIMENSIONS
STRONG = classifier.FEATURES.index("strong_specific")


def fake_embed(texts: Sequence[str]) -> classifier.Vectors:
    """Deterministic unit vectors, one per distinct text: no model to load."""
    rows = [np.random.default_rng(zlib.crc32(text.encode())).normal(size=DIM) for text in texts]
    vectors = np.asarray(rows, dtype=np.float32).reshape(-1, DIM)
    return np.asarray(vectors / np.linalg.norm(vectors, axis=1, keepdims=True), dtype=np.float32)


def make_weights(**changes: Any) -> classifier.Weights:
    """Only strong specific terms count: p = sigmoid(4 * log(1 + n) - 2)."""
    stack = np.zeros(len(classifier.FEATURES), dtype=np.float32)
    stack[STRONG] = 4.0
    texts = ("nobody would miss me", "new dance challenge")
    weights = classifier.Weights(
        text_coef=np.zeros(DIM, dtype=np.float32),
        text_intercept=0.0,
        caption_coef=np.zeros(DIM, dtype=np.float32),
        caption_intercept=0.0,
        stack_coef=stack,
        stack_intercept=-2.0,
        threshold=0.5,
        theme_coef=np.zeros((len(classifier.THEMES), DIM), dtype=np.float32),
        theme_intercept=np.zeros(len(classifier.THEMES), dtype=np.float32),
        exemplar_vectors=fake_embed(texts),
        exemplar_texts=texts,
        exemplar_themes=("loneliness", "none"),
        exemplar_harms=("neutral", "none"),
    )
    return dataclasses.replace(weights, **changes)


def make_video(
    video_id: str, caption: str, hashtags: tuple[str, ...] = (), label: model.Label | None = None
) -> model.Video:
    return model.Video(
        id=video_id,
        creator_id="c1",
        caption=caption,
        hashtags=hashtags,
        duration_s=15,
        created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        label=label,
    )


def test_known_answer_from_one_strong_term() -> None:
    # One strong specific term: p = sigmoid(4 * log(2) - 2) = sigmoid(0.7726) = 0.684 >= 0.5.
    predictor = classifier.Default(make_weights(), embed=fake_embed)
    [result] = predictor.classify(["i want to unalive #sewerslide"])
    # Two distinct strong terms (unalive, sewerslide): sigmoid(4 * log(3) - 2) = 0.918.
    assert result.mh_probability == pytest.approx(1 / (1 + math.exp(-(4 * math.log(3) - 2))))
    assert result.mh_related
    assert result.theme is model.Theme.SUICIDE  # the lexicon's bonus decides when the head is flat
    assert result.harm is model.Harm.POTENTIALLY_HARMFUL
    assert result.matched_terms == ("unalive", "sewerslide")
    [one] = predictor.classify(["unalive"])
    assert one.mh_probability == pytest.approx(1 / (1 + math.exp(-(4 * math.log(2) - 2))))


def test_look_alikes_are_not_mental_health() -> None:
    # No lexicon evidence: the gate answers without embedding, with the ungated probability.
    def refuse(texts: Sequence[str]) -> classifier.Vectors:
        assert not texts, f"{texts} should not have been embedded"
        return fake_embed(texts)

    weights = make_weights(ungated_probability=0.01)
    [result] = classifier.Default(weights, embed=refuse).classify(["crypto quesadilla #numberone"])
    assert result.mh_probability == 0.01
    assert not result.mh_related
    assert result.theme is None
    assert result.harm is model.Harm.NONE
    assert result.matched_terms == ()
    assert result.nearest_examples == ()


def test_the_model_reads_gated_captions_as_sentences() -> None:
    seen: list[str] = []

    def recording(texts: Sequence[str]) -> classifier.Vectors:
        seen.extend(texts)
        return fake_embed(texts)

    results = classifier.Default(make_weights(), embed=recording).classify(
        ["so sad today #fyp #sadvibes", "crypto news #fyp #bitcoinprice"]
    )
    assert seen == ["so sad today sad vibes"]  # the look-alike never reaches the model
    assert [r.embedded for r in results] == [True, False]


def test_without_the_gate_the_stacker_decides() -> None:
    # No strong term: p = sigmoid(-2) = 0.119 < 0.5.
    predictor = classifier.Default(make_weights(), embed=fake_embed, embed_all=True)
    [result] = predictor.classify(["crypto quesadilla #numberone"])
    assert result.mh_probability == pytest.approx(1 / (1 + math.exp(2)))
    assert not result.mh_related
    assert len(result.nearest_examples) == 2  # every exemplar there is


def test_nearest_examples_are_the_most_similar_exemplars() -> None:
    predictor = classifier.Default(make_weights(), embed=fake_embed, nearest=2, embed_all=True)
    [result] = predictor.classify(["nobody would miss me"])
    assert [n.text for n in result.nearest_examples] == ["nobody would miss me", "new dance challenge"]
    assert result.nearest_examples[0].similarity == pytest.approx(1.0, abs=1e-3)
    assert result.nearest_examples[0].theme is model.Theme.LONELINESS
    assert result.nearest_examples[1].theme is None


def test_label_carries_the_verdict_and_the_classifier_as_source() -> None:
    predictor = classifier.Default(make_weights(), embed=fake_embed)
    related, unrelated = predictor.classify(["#proana goals", "cat video"])
    label = related.label()
    assert (label.mh_related, label.theme, label.harm, label.source) == (
        True,
        model.Theme.EATING_BODY_IMAGE,
        model.Harm.POTENTIALLY_HARMFUL,
        model.LabelSource.CLASSIFIER,
    )
    assert label.probability == related.mh_probability
    assert unrelated.label() == model.Label(
        mh_related=False, probability=unrelated.mh_probability, source=model.LabelSource.CLASSIFIER
    )


def test_a_violative_cue_makes_it_mental_health_whatever_the_model_says() -> None:
    # No strong term: p = sigmoid(-2) = 0.119, under the threshold, but the cue decides.
    [result] = classifier.Default(make_weights(), embed=fake_embed).classify(["how to hide cuts from mum"])
    assert result.mh_probability == pytest.approx(1 / (1 + math.exp(2)))
    assert result.mh_related
    assert result.harm is model.Harm.VIOLATIVE
    assert result.label().harm is model.Harm.VIOLATIVE


def test_the_theme_head_decides_when_the_lexicon_is_silent() -> None:
    theme_intercept = np.zeros(len(classifier.THEMES), dtype=np.float32)
    theme_intercept[classifier.THEMES.index(model.Theme.ANXIETY_STRESS)] = 5.0
    weights = make_weights(theme_intercept=theme_intercept, stack_intercept=3.0)
    predictor = classifier.Default(weights, embed=fake_embed, embed_all=True)
    [result] = predictor.classify(["my chest is tight before every exam"])
    assert result.theme is model.Theme.ANXIETY_STRESS
    assert result.harm is model.Harm.NEUTRAL


@pytest.mark.parametrize(
    ("text", "theme", "harm"),
    [
        ("how to hide cuts, thinspo", None, model.Harm.VIOLATIVE),
        ("#sadtok nothing gets better", None, model.Harm.POTENTIALLY_HARMFUL),
        ("unalive thoughts? call 988, you are not alone", None, model.Harm.SUPPORTIVE),
        ("my adhd brain today", None, model.Harm.NEUTRAL),
        ("my adhd brain today", model.Theme.THERAPY_RECOVERY_SUPPORT, model.Harm.SUPPORTIVE),
    ],
)
def test_harm_policy(text: str, theme: model.Theme | None, harm: model.Harm) -> None:
    assert classifier.choose_harm(lexicon.match(text), theme) is harm


def test_features_count_distinct_terms() -> None:
    x = classifier.features(lexicon.match("sad sad crying #depression lol"), 1.5, -2.0)
    named = dict(zip(classifier.FEATURES, x, strict=True))
    assert named["text_head"] == 1.5
    assert named["caption_head"] == -2.0
    assert named["strong_specific"] == pytest.approx(math.log(2))  # depression
    assert named["weak_theme"] == pytest.approx(math.log(3))  # sad, crying
    assert named["entertainment"] == pytest.approx(math.log(2))  # lol
    assert named["weak_x_entertainment"] == pytest.approx(math.log(3) * math.log(2))
    assert named["any_strong"] == 1.0


def test_text_of_a_video_adds_only_hashtags_not_already_inline() -> None:
    video = make_video("v1", "so tired #sleep", ("sleep", "mood", "mood"))
    assert classifier.text_of(video) == "so tired #sleep #mood"


def test_label_videos_keeps_ground_truth_and_reviewed_labels() -> None:
    reviewed = model.Label(mh_related=False, source=model.LabelSource.REVIEW)
    truth = model.Label(mh_related=True, theme=model.Theme.LONELINESS, harm=model.Harm.NEUTRAL)
    videos = [
        make_video("a", "i want to unalive"),
        make_video("b", "i want to unalive", label=reviewed),
        make_video("c", "dance", label=truth),
    ]
    out = classifier.label_videos(videos, classifier.Default(make_weights(), embed=fake_embed))
    assert out[0].label is not None
    assert out[0].label.source is model.LabelSource.CLASSIFIER
    assert out[0].label.mh_related
    assert out[1].label == reviewed
    assert out[2].label == truth


def test_weights_round_trip(tmp_path: Path) -> None:
    weights = make_weights(minor_threshold=0.3)
    classifier.save(weights, tmp_path / "w.npz")
    loaded = classifier.load(tmp_path / "w.npz")
    assert loaded.exemplar_texts == weights.exemplar_texts
    assert loaded.threshold == weights.threshold
    assert loaded.minor_threshold == 0.3
    np.testing.assert_allclose(loaded.stack_coef, weights.stack_coef)
    np.testing.assert_allclose(loaded.exemplar_vectors, weights.exemplar_vectors, atol=1e-3)  # stored as float16


def test_minors_get_the_higher_recall_operating_point() -> None:
    weights = make_weights(minor_threshold=0.3)
    assert classifier.operating_point(model.AgeBand.ADULT, weights).threshold == 0.5
    for band in (model.AgeBand.U16, model.AgeBand.U18):
        point = classifier.operating_point(band, weights)
        assert (point.band, point.threshold) == (band, 0.3)
        assert "recall" in point.rule
    # Hand-made weights without a minors' point protect everyone at the one threshold they have.
    assert classifier.operating_point(model.AgeBand.U16, make_weights()).threshold == 0.5
    with pytest.raises(AssertionError):
        make_weights(minor_threshold=0.6)


def test_risk_is_the_probability_of_a_suicide_or_self_harm_video() -> None:
    # The theme head puts log-odds 2 on suicide and self-harm and 0 on the other 9 themes:
    # P(suicide or self-harm) = 2e^2 / (2e^2 + 9) = 0.6215; the stacker gives sigmoid(3) = 0.9526.
    theme_intercept = np.zeros(len(classifier.THEMES), dtype=np.float32)
    for theme in (model.Theme.SUICIDE, model.Theme.SELF_HARM):
        theme_intercept[classifier.THEMES.index(theme)] = 2.0
    weights = make_weights(theme_intercept=theme_intercept, stack_intercept=3.0)
    [result] = classifier.Default(weights, embed=fake_embed, embed_all=True).classify(["a quiet evening"])
    share = 2 * math.exp(2) / (2 * math.exp(2) + len(classifier.THEMES) - 2)
    assert result.risk == pytest.approx(share / (1 + math.exp(-3)), rel=1e-5)
    # A text the gate stops is never read by the model: no risk claimed.
    [stopped] = classifier.Default(weights, embed=fake_embed).classify(["a quiet evening"])
    assert stopped.risk == 0.0


def test_shipped_weights_are_small_and_complete() -> None:
    assert classifier.DEFAULT_WEIGHTS.stat().st_size < 1_000_000
    weights = classifier.load()
    assert 0.05 < weights.threshold < 0.95
    assert 0.05 < weights.minor_threshold <= weights.threshold
    assert classifier.operating_point(model.AgeBand.U16).threshold == weights.minor_threshold
    assert len(weights.exemplar_texts) >= 50
    assert set(weights.exemplar_themes) >= {theme.value for theme in model.Theme}


def test_empty_batch() -> None:
    assert classifier.Default(make_weights(), embed=fake_embed).classify([]) == []


# ------------------------------------------------------------ real data and the real model


def test_shipped_classifier_on_synthetic_captions() -> None:
    predictor = classifier.default()
    results = predictor.classify(
        [
            "i just want to unalive myself, nobody would notice #sewerslide",
            "what i eat in a day at 600 calories #edtwt #thinspo",
            "best quesadilla recipe for a busy weeknight #foodtok",
            "bitcoin and crypto news for today #crypto",
        ]
    )
    assert [r.mh_related for r in results] == [True, True, False, False]
    assert results[0].theme is model.Theme.SUICIDE
    assert results[1].theme is model.Theme.EATING_BODY_IMAGE
    assert results[1].harm is model.Harm.POTENTIALLY_HARMFUL


@pytest.fixture(scope="module")
def dev_corpus(data_dir: Path) -> training.Corpus:
    """The dev labels as the shipped classifier sees them: the captions its lexicon gate passes are
    embedded (the rest never are, so they stay zero), beside the exemplars the weights carry."""
    examples = tuple(labelled_text.tiktok_captions(data_dir))
    weights = classifier.load()
    gated = [i for i, e in enumerate(examples) if classifier.has_evidence(lexicon.match(e.text))]
    vectors = np.zeros((len(examples), DIM), dtype=np.float32)
    vectors[gated] = embedding.embed([classifier.model_text(examples[i].text) for i in gated])
    exemplars = tuple(training.exemplars())
    assert tuple(e.text for e in exemplars) == weights.exemplar_texts, "retrain: the exemplars changed"
    empty = training.Part((), np.zeros((0, DIM), dtype=np.float32))
    return training.Corpus(
        training.Part(examples, vectors),
        empty,
        empty,
        empty,
        empty.vectors,
        training.Part(exemplars, weights.exemplar_vectors),
    )


@pytest.fixture(scope="module")
def on_dev_labels(dev_corpus: training.Corpus) -> tuple[training.Scores, float]:
    """Shipped weights on the dev labels: (scores, false-positive rate on the random sample).

    In-sample for the caption head and the stacker (they were fit on these labels), so optimistic.
    """
    examples = dev_corpus.tiktok.examples
    results = classifier.default().classify_embedded([e.text for e in examples], dev_corpus.tiktok.vectors)
    scores = training.scores([r.mh_related for r in results], [e.mh_related for e in examples])
    random = [r.mh_related for r, e in zip(results, examples, strict=True) if e.group == "random" and not e.mh_related]
    return scores, sum(random) / len(random)


@pytest.mark.data
def test_no_regression_on_the_labelled_tiktok_captions(on_dev_labels: tuple[training.Scores, float]) -> None:
    scores, false_positive_rate = on_dev_labels
    # In-sample (optimistic) the shipped weights give P 0.89, R 0.85, F1 0.87, 0.3% on the random part.
    assert scores.f1 >= 0.84
    assert scores.precision >= 0.85
    assert false_positive_rate <= 0.01


@pytest.mark.data
@pytest.mark.xfail(
    strict=True,
    reason="issue 22 target not met: grouped cross-validated F1 0.79 at precision 0.85 (classify eval)",
)
def test_targets_on_the_labelled_tiktok_captions(dev_corpus: training.Corpus) -> None:
    """Issue 22's targets, cross-validated in groups of near-duplicates as `safefeed classify eval` does.

    The Reddit head is the shipped one: it never reads these labels, so holding it fixed leaks nothing;
    everything that learns from the captions (caption head, stacker, thresholds) is refit per fold.
    """
    weights = classifier.load()
    folded = training.cross_validate(dev_corpus, text_head=(weights.text_coef, weights.text_intercept))
    examples, results = dev_corpus.tiktok.examples, folded.results["tiktok"]
    truth = [e.mh_related for e in examples]
    scores = training.scores([r.mh_related for r in results], truth)
    random = [r.mh_related for r, e in zip(results, examples, strict=True) if e.group == "random" and not e.mh_related]
    assert training.calibration_error([r.mh_probability for r in results], truth) <= 0.05
    assert sum(random) / len(random) <= 0.01
    assert scores.precision >= 0.85
    assert scores.f1 >= 0.88
