"""Fitting the default classifier: three logistic heads on embeddings, a stacker, two operating points."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.linear_model import LogisticRegression

from safefeed import model
from safefeed.content import classifier, embedding, lexicon
from safefeed.content.training import folds
from safefeed.content.training.corpus import Corpus, Mask, Vectors
from safefeed.content.training.options import DEFAULT, Options
from safefeed.datasets import labelled_text

# Stressed Dreaddit segments count as mental-health text only from these subreddits;
# stress about rent or a partner (homeless, relationships, ...) is left out of training.
MH_SUBREDDITS = frozenset(("ptsd", "anxiety", "stress", "domesticviolence", "survivorsofabuse"))


def _logistic(
    x: Vectors | npt.NDArray[np.float64], y: npt.NDArray[Any], weight: npt.NDArray[np.float64], c: float
) -> LogisticRegression:
    return LogisticRegression(C=c, max_iter=5000).fit(x, y, sample_weight=weight)


def _text_head(corpus: Corpus, train: dict[str, Mask], options: Options) -> tuple[Vectors, float]:
    dreaddit = corpus.dreaddit.take(train["dreaddit"])
    mh_subreddit = np.array([e.group in MH_SUBREDDITS for e in dreaddit.examples], dtype=bool)
    positives = np.vstack([corpus.sdcnl.vectors[train["sdcnl"]], dreaddit.vectors[dreaddit.mh & mh_subreddit]])
    negatives = np.vstack([dreaddit.vectors[~dreaddit.mh], corpus.ordinary])
    x = np.vstack([positives, negatives, corpus.exemplars.vectors])
    y = np.concatenate([np.ones(len(positives)), np.zeros(len(negatives)), corpus.exemplars.mh])
    weight = np.concatenate(
        [
            np.ones(len(positives) + int((~dreaddit.mh).sum())),
            np.full(len(corpus.ordinary), options.ordinary_weight),
            np.full(len(corpus.exemplars.examples), options.exemplar_weight),
        ]
    )
    fitted = _logistic(x, y, weight, options.text_c)
    return fitted.coef_[0].astype(np.float32), float(fitted.intercept_[0])


def _caption_head(corpus: Corpus, rows: Mask, options: Options) -> tuple[Vectors, float]:
    """Logistic regression on the embeddings of the labelled captions in `rows` (those the gate passes)
    and the synthetic exemplars: the hard cases, "sad" about a song beside "sad" about oneself."""
    tiktok = corpus.tiktok.take(rows)
    x = np.vstack([tiktok.vectors, corpus.exemplars.vectors])
    y = np.concatenate([tiktok.mh, corpus.exemplars.mh])
    weight = np.concatenate(
        [np.ones(len(tiktok.examples)), np.full(len(corpus.exemplars.examples), options.caption_exemplar_weight)]
    )
    fitted = _logistic(x, y, weight, options.caption_c)
    return fitted.coef_[0].astype(np.float32), float(fitted.intercept_[0])


def _theme_head(corpus: Corpus, train: dict[str, Mask], options: Options) -> tuple[Vectors, Vectors]:
    parts = [
        (corpus.sdcnl.take(train["sdcnl"]), 1.0),
        (corpus.dreaddit.take(train["dreaddit"]), 1.0),
        (corpus.tiktok.take(train["tiktok"]), 3.0),
        (corpus.exemplars, options.exemplar_weight),
    ]
    vectors, labels, weights = [], [], []
    for part, weight in parts:
        for example, vector in zip(part.examples, part.vectors, strict=True):
            if example.theme is None or (
                example.source == labelled_text.DREADDIT and example.group not in MH_SUBREDDITS
            ):
                continue
            vectors.append(vector)
            labels.append(classifier.THEMES.index(example.theme))
            weights.append(weight)
    fitted = _logistic(np.vstack(vectors), np.array(labels), np.array(weights), options.theme_c)
    coef = np.zeros((len(classifier.THEMES), embedding.DIMENSIONS), dtype=np.float32)
    intercept = np.full(len(classifier.THEMES), -30.0, dtype=np.float32)  # a theme never seen is never chosen
    for row, label in enumerate(fitted.classes_):
        coef[label] = fitted.coef_[row] if len(fitted.classes_) > 2 else (1 if row else -1) * fitted.coef_[0] / 2
        intercept[label] = fitted.intercept_[row] if len(fitted.classes_) > 2 else 0.0
    return coef, intercept


def _false_positive_rate(predicted: Mask, truth: Mask, ordinary: Mask) -> float:
    return float((predicted & ordinary & ~truth).sum()) / max(int((ordinary & ~truth).sum()), 1)


def _best_threshold(
    probability: npt.NDArray[np.float64], truth: Mask, ordinary: Mask, *, max_false_positive_rate: float
) -> float:
    """The adults' threshold: the best F1 whose false-positive rate on ordinary (randomly sampled) videos
    is at most `max_false_positive_rate`; ties go to the higher, more precise threshold.

    A feed shows mostly ordinary videos, so their false positives cost the most.
    """
    best, chosen = -1.0, 0.9
    for threshold in np.round(np.arange(0.10, 0.91, 0.01), 2):
        predicted = probability >= threshold
        if _false_positive_rate(predicted, truth, ordinary) > max_false_positive_rate:
            continue
        f1 = 2 * float((predicted & truth).sum()) / max(int(predicted.sum() + truth.sum()), 1)
        if f1 >= best:
            best, chosen = f1, float(threshold)
    return round(chosen, 2)


def _recall_threshold(
    probability: npt.NDArray[np.float64],
    truth: Mask,
    ordinary: Mask,
    *,
    recall: float,
    max_false_positive_rate: float,
    ceiling: float,
) -> float:
    """The minors' threshold: the highest (at most `ceiling`) that finds `recall` of the positives,
    or, when the false-positive ceiling forbids that, the lowest it allows."""
    allowed = [
        float(threshold)
        for threshold in np.round(np.arange(0.05, ceiling + 0.001, 0.01), 2)
        if _false_positive_rate(probability >= threshold, truth, ordinary) <= max_false_positive_rate
    ]
    if not allowed:
        return ceiling
    positives = max(int(truth.sum()), 1)
    reaching = [t for t in allowed if float((probability >= t)[truth].sum()) / positives >= recall]
    return round(max(reaching) if reaching else min(allowed), 2)


def _stack(x: npt.NDArray[np.float64], truth: Mask, options: Options) -> tuple[npt.NDArray[np.float64], float]:
    """Stacker weights over FEATURES (unconstrained: on captions the Reddit-trained head earns a small
    negative weight, as it also fires on long first-person text that is not about mental health)."""
    fitted = _logistic(x, truth, np.ones(len(truth)), options.stack_c)
    return fitted.coef_[0].astype(np.float64), float(fitted.intercept_[0])


def fit(
    corpus: Corpus,
    train: dict[str, Mask] | None = None,
    *,
    options: Options = DEFAULT,
    text_head: tuple[Vectors, float] | None = None,
) -> classifier.Weights:
    """All heads, trained on the rows `train` keeps (default: all) of each labelled set.

    `text_head` (coefficients, intercept) reuses a trained Reddit head instead of fitting one: it never
    reads the TikTok labels, so cross-validating the caption model with it fixed leaks nothing.
    """
    if train is None:
        train = {
            name: np.ones(len(getattr(corpus, name).examples), dtype=bool) for name in ("tiktok", "sdcnl", "dreaddit")
        }
    text_coef, text_intercept = text_head or _text_head(corpus, train, options)
    theme_coef, theme_intercept = _theme_head(corpus, train, options)

    # Only the captions the lexicon gate lets through are ever embedded, so the caption head and
    # the stacker learn from those; the stacker from caption-head logits the head did not see
    # (inner folds over groups of near-duplicates).
    rows = np.flatnonzero(train["tiktok"])
    matches = [lexicon.match(corpus.tiktok.examples[row].text) for row in rows]
    gate = np.array([classifier.has_evidence(found) for found in matches], dtype=bool)
    gated = np.zeros(len(corpus.tiktok.examples), dtype=bool)
    gated[rows[gate]] = True
    caption_coef, caption_intercept = _caption_head(corpus, gated, options)
    truth = corpus.tiktok.mh[rows]
    groups = folds.duplicate_groups([corpus.tiktok.examples[row].text for row in rows])
    inner = folds.grouped_fold_ids(groups, options.folds, options.seed + 1)
    caption_heads = np.zeros(len(rows))
    for fold in range(options.folds):
        keep = np.zeros(len(corpus.tiktok.examples), dtype=bool)
        keep[rows[(inner != fold) & gate]] = True
        coef, intercept = _caption_head(corpus, keep, options)
        caption_heads[inner == fold] = corpus.tiktok.vectors[rows[inner == fold]] @ coef + intercept
    text_heads = corpus.tiktok.vectors[rows] @ text_coef + text_intercept
    x = np.vstack(
        [
            classifier.features(found, float(t), float(c))
            for found, t, c in zip(matches, text_heads, caption_heads, strict=True)
        ]
    )
    stack_coef, stack_intercept = _stack(x[gate], truth[gate], options)
    probability = np.zeros(len(rows))
    probability[gate] = 1 / (1 + np.exp(-(x[gate] @ stack_coef + stack_intercept)))
    ordinary = np.array([corpus.tiktok.examples[row].group == "random" for row in rows], dtype=bool)
    threshold = _best_threshold(probability, truth, ordinary, max_false_positive_rate=options.max_false_positive_rate)
    probability[~gate] = ungated_probability(truth, gate)
    minor_threshold = _recall_threshold(
        probability,
        truth,
        ordinary,
        recall=options.minor_recall,
        max_false_positive_rate=options.minor_max_false_positive_rate,
        ceiling=threshold,
    )

    ex = corpus.exemplars
    return classifier.Weights(
        text_coef=text_coef,
        text_intercept=text_intercept,
        caption_coef=caption_coef,
        caption_intercept=caption_intercept,
        stack_coef=stack_coef.astype(np.float32),
        stack_intercept=stack_intercept,
        threshold=threshold,
        theme_coef=theme_coef,
        theme_intercept=theme_intercept,
        exemplar_vectors=ex.vectors,
        exemplar_texts=tuple(e.text for e in ex.examples),
        exemplar_themes=tuple("none" if e.theme is None else e.theme.value for e in ex.examples),
        exemplar_harms=tuple((e.harm or model.Harm.NONE).value for e in ex.examples),
        lexicon_bonus=options.lexicon_bonus,
        ungated_probability=ungated_probability(truth, gate),
        minor_threshold=minor_threshold,
    )


def ungated_probability(truth: Mask, gate: Mask) -> float:
    """The Laplace-smoothed share of mental-health captions among those the lexicon gate stops:
    the calibrated probability of a caption the model never reads."""
    return round((float(truth[~gate].sum()) + 1) / (float((~gate).sum()) + 2), 4)
