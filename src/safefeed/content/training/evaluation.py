"""Evaluating the classifier: precision and recall, calibration, operating points, harm and risk order.

Every figure on a set the model trains on is cross-validated (TikTok folds keep
near-duplicate captions together); sets it never sees (C-SSRS) are scored with
the given weights.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import stats

from safefeed import model
from safefeed.content import classifier
from safefeed.content.training import fitting, folds
from safefeed.content.training.corpus import Corpus, Part, Progress, Vectors
from safefeed.content.training.options import DEFAULT, Options
from safefeed.datasets import labelled_text

# The psychiatrists' C-SSRS levels, least to most severe ("Supportive": the user helps others).
RISK_LEVELS = ("Supportive", "Indicator", "Ideation", "Behavior", "Attempt")
# Harm as an order of risk to a vulnerable viewer: help-seeking below neutral talk below romanticising.
HARM_ORDER = (
    model.Harm.NONE,
    model.Harm.SUPPORTIVE,
    model.Harm.NEUTRAL,
    model.Harm.POTENTIALLY_HARMFUL,
    model.Harm.VIOLATIVE,
)
CALIBRATION_BINS = 10


@dataclasses.dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    support: int  # how many are truly positive


def scores(predicted: Sequence[bool], truth: Sequence[bool]) -> Scores:
    """Precision, recall and F1 of a binary decision.

    >>> scores([True, True, False, False], [True, False, True, False])
    Scores(precision=0.5, recall=0.5, f1=0.5, support=2)
    """
    tp = sum(1 for p, t in zip(predicted, truth, strict=True) if p and t)
    fp = sum(1 for p, t in zip(predicted, truth, strict=True) if p and not t)
    fn = sum(1 for p, t in zip(predicted, truth, strict=True) if not p and t)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(round(precision, 4), round(recall, 4), round(f1, 4), tp + fn)


def confusion(predicted: Sequence[str], truth: Sequence[str]) -> dict[str, dict[str, int]]:
    """Counts as {true label: {predicted label: n}}."""
    table: dict[str, dict[str, int]] = {}
    for p, t in zip(predicted, truth, strict=True):
        row = table.setdefault(t, {})
        row[p] = row.get(p, 0) + 1
    return {t: dict(sorted(row.items())) for t, row in sorted(table.items())}


def _name(theme: model.Theme | None) -> str:
    return "none" if theme is None else theme.value


def report(
    examples: Sequence[labelled_text.LabelledText],
    results: Sequence[classifier.Classification],
    *,
    method: str,
) -> dict[str, Any]:
    """Metrics of one labelled set: mh_related, per theme, harm where labelled, and the confusion matrices."""
    truth = [e.mh_related for e in examples]
    predicted = [r.mh_related for r in results]
    true_themes = [_name(e.theme) if e.mh_related else "none" for e in examples]
    predicted_themes = [_name(r.theme) for r in results]
    present = sorted({t for t in true_themes if t != "none"})
    out: dict[str, Any] = {
        "method": method,
        "n": len(examples),
        "mh_related": dataclasses.asdict(scores(predicted, truth)),
        "mh_confusion": confusion([str(int(p)) for p in predicted], [str(int(t)) for t in truth]),
        "themes": {
            theme: dataclasses.asdict(scores([p == theme for p in predicted_themes], [t == theme for t in true_themes]))
            for theme in present
        },
        "theme_confusion": confusion(predicted_themes, true_themes),
    }
    stopped = sum(1 for e, r in zip(examples, results, strict=True) if e.mh_related and not r.embedded)
    out["gate"] = {
        "embedded_share": round(sum(r.embedded for r in results) / max(len(results), 1), 4),
        "mh_stopped": stopped,  # mental-health texts the lexicon gate never showed the model
        "recall_ceiling": round(1 - stopped / max(sum(truth), 1), 4),
    }
    if all(e.harm is not None for e in examples):
        out["harm_confusion"] = confusion(
            [r.harm.value for r in results], [(e.harm or model.Harm.NONE).value for e in examples]
        )
    confident = [i for i, e in enumerate(examples) if e.confidence == "high"]
    if 0 < len(confident) < len(examples):
        # One annotator marked some labels as guesses; how the model does on the rest.
        out["high_confidence_labels"] = dataclasses.asdict(
            scores([predicted[i] for i in confident], [truth[i] for i in confident])
        )
    groups = sorted({e.group for e in examples})
    if 1 < len(groups) <= 12:
        out["by_group"] = {}
        for group in groups:
            chosen = [i for i, e in enumerate(examples) if e.group == group]
            negatives = [i for i in chosen if not truth[i]]
            out["by_group"][group] = {
                "n": len(chosen),
                "mh_related": dataclasses.asdict(scores([predicted[i] for i in chosen], [truth[i] for i in chosen])),
                "false_positive_rate": round(sum(predicted[i] for i in negatives) / len(negatives), 4)
                if negatives
                else None,
            }
    return out


def calibration_error(probability: Sequence[float], truth: Sequence[bool], *, bins: int = CALIBRATION_BINS) -> float:
    """Expected calibration error: the gap between predicted probability and observed share in
    equal-width bins, weighted by how many predictions fall in each.

    >>> calibration_error([0.1, 0.1, 0.9, 0.9], [False, False, True, False])
    0.25
    """
    p = np.asarray(probability, dtype=np.float64)
    y = np.asarray(truth, dtype=np.float64)
    if not len(p):
        return 0.0
    which = np.minimum((p * bins).astype(np.int64), bins - 1)
    gap = sum(abs(p[which == b].mean() - y[which == b].mean()) * (which == b).sum() for b in np.unique(which))
    return round(float(gap) / len(p), 4)


def reliability(probability: Sequence[float], truth: Sequence[bool], *, bins: int = 5) -> list[dict[str, Any]]:
    """Predicted against observed per probability bin, for a reader to check the calibration."""
    p = np.asarray(probability, dtype=np.float64)
    y = np.asarray(truth, dtype=np.float64)
    which = np.minimum((p * bins).astype(np.int64), bins - 1)
    return [
        {
            "bin": f"{b / bins:.1f}-{(b + 1) / bins:.1f}",
            "n": int((which == b).sum()),
            "mean_probability": round(float(p[which == b].mean()), 4),
            "observed_share": round(float(y[which == b].mean()), 4),
        }
        for b in range(bins)
        if (which == b).any()
    ]


def _operating(
    examples: Sequence[labelled_text.LabelledText], predicted: Sequence[bool], threshold: float, rule: str
) -> dict[str, Any]:
    truth = [e.mh_related for e in examples]
    negatives = [i for i, e in enumerate(examples) if e.group == "random" and not e.mh_related]
    return {
        "threshold": threshold,
        "rule": rule,
        "cross_validated": dataclasses.asdict(scores(predicted, truth)),
        "false_positive_rate_random": round(sum(predicted[i] for i in negatives) / max(len(negatives), 1), 4),
    }


def _spearman(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Spearman's rank correlation, or None where it is undefined (a constant side)."""
    if len(set(x)) < 2 or len(set(y)) < 2:
        return None
    return round(float(stats.spearmanr(x, y).statistic), 4)


def risk_order(
    examples: Sequence[labelled_text.LabelledText], results: Sequence[classifier.Classification]
) -> dict[str, Any]:
    """How well the classifier orders texts by the psychiatrists' suicide-risk level: Spearman's rho of
    `Classification.risk` and of the predicted harm (in `HARM_ORDER`) with the level (in `RISK_LEVELS`)."""
    level = [float(RISK_LEVELS.index(e.group)) for e in examples]
    risk = [r.risk for r in results]
    return {
        "levels": list(RISK_LEVELS),
        "spearman_risk": _spearman(risk, level),
        "spearman_harm": _spearman([float(HARM_ORDER.index(r.harm)) for r in results], level),
        "mean_risk_by_level": {
            name: round(float(np.mean([r for r, v in zip(risk, level, strict=True) if v == index])), 4)
            for index, name in enumerate(RISK_LEVELS)
            if index in level
        },
    }


@dataclasses.dataclass(frozen=True)
class Folded:
    """Out-of-fold classifications per trained-on set, and each TikTok row's fold weights' minor threshold."""

    results: dict[str, list[classifier.Classification]]
    minor_thresholds: npt.NDArray[np.float64]


def cross_validate(
    corpus: Corpus,
    *,
    options: Options = DEFAULT,
    progress: Progress = lambda _: None,
    text_head: tuple[Vectors, float] | None = None,
) -> Folded:
    """Out-of-fold classifications for every trained-on set (TikTok labels, SDCNL, Dreaddit).

    TikTok folds keep near-duplicate captions together (`folds.duplicate_groups`): a repeated
    caption on both sides would be remembered, not predicted. `text_head` is passed to `fitting.fit`.
    """
    names = ("tiktok", "sdcnl", "dreaddit")
    fold_of = {name: folds.fold_ids(len(getattr(corpus, name).examples), options.folds, options.seed) for name in names}
    tiktok_groups = folds.duplicate_groups([e.text for e in corpus.tiktok.examples])
    fold_of["tiktok"] = folds.grouped_fold_ids(tiktok_groups, options.folds, options.seed)
    out: dict[str, list[classifier.Classification | None]] = {
        name: [None] * len(getattr(corpus, name).examples) for name in names
    }
    minor = np.zeros(len(corpus.tiktok.examples))
    for fold in range(options.folds):
        progress(f"fold {fold + 1} of {options.folds}")
        train = {name: fold_of[name] != fold for name in names}
        weights = fitting.fit(corpus, train, options=options, text_head=text_head)
        minor[fold_of["tiktok"] == fold] = weights.minor_threshold
        predictor = classifier.Default(weights)
        for name in names:
            part: Part = getattr(corpus, name)
            rows = np.flatnonzero(fold_of[name] == fold)
            results = predictor.classify_embedded([part.examples[row].text for row in rows], part.vectors[rows])
            for row, result in zip(rows, results, strict=True):
                out[name][row] = result
    return Folded({name: [r for r in results if r is not None] for name, results in out.items()}, minor)


def evaluate(
    corpus: Corpus,
    weights: classifier.Weights,
    *,
    options: Options = DEFAULT,
    progress: Progress = lambda _: None,
) -> dict[str, Any]:
    """The evaluation report: cross-validated on trained-on sets, `weights` on the others."""
    folded = cross_validate(corpus, options=options, progress=progress)
    method = f"{options.folds}-fold cross-validation (seed {options.seed}; TikTok folds grouped by near-duplicate)"
    examples = corpus.tiktok.examples
    tiktok_results = folded.results["tiktok"]
    tiktok = report(examples, tiktok_results, method=method)
    probability = [r.mh_probability for r in tiktok_results]
    truth = [e.mh_related for e in examples]
    embedded = [i for i, r in enumerate(tiktok_results) if r.embedded]
    tiktok["calibration"] = {
        "expected_calibration_error": calibration_error(probability, truth),
        "expected_calibration_error_embedded": calibration_error(
            [probability[i] for i in embedded], [truth[i] for i in embedded]
        ),
        "bins": CALIBRATION_BINS,
        "reliability": reliability(probability, truth),
    }
    minors = [p >= t for p, t in zip(probability, folded.minor_thresholds.tolist(), strict=True)]
    adult, minor = (classifier.operating_point(band, weights) for band in (model.AgeBand.ADULT, model.AgeBand.U16))
    tiktok["operating_points"] = {
        "adults": _operating(examples, [r.mh_related for r in tiktok_results], adult.threshold, adult.rule),
        "minors": _operating(examples, minors, minor.threshold, minor.rule),
    }
    result = {
        labelled_text.TIKTOK_LABELS: tiktok,
        labelled_text.SDCNL: report(corpus.sdcnl.examples, folded.results["sdcnl"], method=method),
        labelled_text.DREADDIT: report(corpus.dreaddit.examples, folded.results["dreaddit"], method=method),
    }
    shipped = classifier.Default(weights)
    cssrs = shipped.classify_embedded([e.text for e in corpus.cssrs.examples], corpus.cssrs.vectors)
    result[labelled_text.CSSRS] = report(corpus.cssrs.examples, cssrs, method="given weights (never trained on)")
    result[labelled_text.CSSRS]["risk_order"] = risk_order(corpus.cssrs.examples, cssrs)
    in_sample = shipped.classify_embedded([e.text for e in examples], corpus.tiktok.vectors)
    result[labelled_text.TIKTOK_LABELS + " (given weights, in-sample)"] = report(
        examples, in_sample, method="given weights (trained on this set: optimistic)"
    )
    return result
