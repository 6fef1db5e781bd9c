"""Training and evaluating the default classifier on the labelled sets in ../shared/data.

Training data, by role:
- positives for their themes: Reddit r/SuicideWatch and r/Depression posts
  (SDCNL), stressed Dreaddit segments from mental-health subreddits;
- negatives: Dreaddit segments without stress (hard negatives from the same
  subreddits) and ordinary TikTok captions that match no lexicon term;
- short-video calibration: the hand-labelled TikTok captions that pass the
  lexicon gate train the caption head and the stacker (the stacker on
  out-of-fold head logits);
- the synthetic exemplars in data/exemplars.toml cover themes Reddit lacks.

Every text is embedded as the classifier reads it (`classifier.model_text`).
Evaluation cross-validates every set the model trains on (the same split for
all heads; TikTok folds keep near-duplicate captions together) and scores sets
it never sees (C-SSRS) with the given weights.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.linear_model import LogisticRegression

from safefeed import model
from safefeed.content import classifier, embedding, lexicon
from safefeed.datasets import labelled_text

EXEMPLARS = Path(__file__).with_name("data") / "exemplars.toml"
# Stressed Dreaddit segments count as mental-health text only from these subreddits;
# stress about rent or a partner (homeless, relationships, ...) is left out of training.
MH_SUBREDDITS = frozenset(("ptsd", "anxiety", "stress", "domesticviolence", "survivorsofabuse"))

Vectors = npt.NDArray[np.float32]
Mask = npt.NDArray[np.bool_]
Progress = Callable[[str], None]


@dataclasses.dataclass(frozen=True)
class Options:
    """Hyperparameters; the defaults are what the shipped weights were trained with."""

    seed: int = 0
    folds: int = 5
    text_c: float = 0.3
    caption_c: float = 1.0
    theme_c: float = 1.0
    stack_c: float = 1.0
    ordinary_negatives: int = 5000  # ordinary captions sampled as negatives
    ordinary_weight: float = 0.2
    exemplar_weight: float = 5.0
    caption_exemplar_weight: float = 1.0  # in the caption head, beside real captions
    lexicon_bonus: float = 0.35
    # In-sample ceiling on false positives among randomly sampled feed videos, below the 1% target
    # (0.005 buys precision 0.83 for recall 0.55 cross-validated; 0.008 gives P 0.78, R 0.75).
    max_false_positive_rate: float = 0.008


@dataclasses.dataclass(frozen=True)
class Part:
    """One labelled set with its embeddings."""

    examples: tuple[labelled_text.LabelledText, ...]
    vectors: Vectors

    def take(self, mask: Mask) -> Part:
        return Part(tuple(e for e, keep in zip(self.examples, mask, strict=True) if keep), self.vectors[mask])

    @property
    def mh(self) -> Mask:
        return np.array([e.mh_related for e in self.examples], dtype=bool)


@dataclasses.dataclass(frozen=True)
class Corpus:
    """Everything training and evaluation read, embedded once."""

    tiktok: Part
    sdcnl: Part
    dreaddit: Part
    cssrs: Part
    ordinary: Vectors  # captions of ordinary feed videos that match no lexicon term
    exemplars: Part


def exemplars() -> list[labelled_text.LabelledText]:
    """The synthetic exemplars that ship with the package."""
    with EXEMPLARS.open("rb") as handle:
        rows = tomllib.load(handle)["exemplars"]
    return [
        labelled_text.LabelledText(
            id=f"exemplar-{index}",
            text=text,
            mh_related=theme != "none",
            theme=None if theme == "none" else model.Theme(theme),
            harm=model.Harm(harm),
            source="exemplars",
        )
        for index, (text, theme, harm) in enumerate(rows)
    ]


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _embed_cached(
    name: str, texts: Sequence[str], embed: classifier.Embedder, cache: dict[str, Any], progress: Progress
) -> Vectors:
    """Embeddings of `texts`, computed once: the cache is keyed by the text itself, so a changed
    `lexicon.readable` re-embeds exactly the texts it changed."""
    keys = [_key(text) for text in texts]
    known_keys = [str(k) for k in cache.get("text__keys", np.zeros(0, dtype=str))]
    known = dict(
        zip(known_keys, np.asarray(cache.get("text__vectors", np.zeros((0, embedding.DIMENSIONS)))), strict=True)
    )
    missing = list({key: index for index, key in enumerate(keys) if key not in known}.values())
    if missing:
        progress(f"embedding {len(missing):,} texts of {name}")
        fresh = embed([texts[index] for index in missing])
        for index, vector in zip(missing, fresh, strict=True):
            known[keys[index]] = vector
        cache["text__keys"] = np.asarray(list(known))
        cache["text__vectors"] = np.asarray(list(known.values()), dtype=np.float16).reshape(-1, embedding.DIMENSIONS)
    if not texts:
        return np.zeros((0, embedding.DIMENSIONS), dtype=np.float32)
    return np.asarray([known[key] for key in keys], dtype=np.float32)


def load_corpus(
    root: Path | None = None,
    *,
    options: Options = Options(),
    embed: classifier.Embedder = embedding.embed,
    cache: Path | None = None,
    limit: int | None = None,
    progress: Progress = lambda _: None,
) -> Corpus:
    """Read and embed the labelled sets as the classifier reads them (`classifier.model_text`);
    `limit` keeps the first n of each (for quick checks).

    Embeddings are kept in `cache` (an .npz outside the repository) so a second run skips them.
    """
    stored: dict[str, Any] = {}
    if cache is not None and cache.is_file():
        with np.load(cache, allow_pickle=False) as data:
            stored = {name: data[name] for name in data.files}

    def vectors(name: str, texts: Sequence[str]) -> Vectors:
        return _embed_cached(name, [classifier.model_text(text) for text in texts], embed, stored, progress)

    def part(name: str, examples: Sequence[labelled_text.LabelledText]) -> Part:
        examples = tuple(examples[:limit])
        return Part(examples, vectors(name, [e.text for e in examples]))

    tiktok = part("tiktok", labelled_text.tiktok_captions(root))
    labelled = {e.id for e in tiktok.examples}
    ordinary = [
        c
        for c in labelled_text.ordinary_captions(root)
        if c.video_id not in labelled and not any(m.kind == "theme" for m in lexicon.match(c.text))
    ]
    rng = np.random.default_rng(options.seed)
    picked = sorted(rng.choice(len(ordinary), size=min(options.ordinary_negatives, len(ordinary)), replace=False))
    ordinary = [ordinary[index] for index in picked][:limit]
    corpus = Corpus(
        tiktok=tiktok,
        sdcnl=part("sdcnl", labelled_text.sdcnl(root)),
        dreaddit=part("dreaddit", labelled_text.dreaddit(root)),
        cssrs=part("cssrs", labelled_text.cssrs(root)),
        ordinary=vectors("ordinary", [c.text for c in ordinary]),
        exemplars=part("exemplars", exemplars()),
    )
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez(cache, **stored)
    return corpus


def _logistic(
    x: Vectors | npt.NDArray[np.float64], y: npt.NDArray[Any], weight: npt.NDArray[np.float64], c: float
) -> LogisticRegression:
    return LogisticRegression(C=c, max_iter=5000).fit(x, y, sample_weight=weight)


def _fold_ids(n: int, folds: int, seed: int) -> npt.NDArray[np.int64]:
    return np.random.default_rng(seed).permutation(np.arange(n) % folds)


_MENTION = re.compile(r"(?:replying to )?@\S+")
_NOT_WORD = re.compile(r"[^\w#]+|\d+")


def duplicate_groups(texts: Sequence[str]) -> npt.NDArray[np.int64]:
    """A group id per text; near-duplicates share one, so cross-validation never splits them.

    Two captions are near-duplicates when, without handles, digits and punctuation,
    they are the same, carry the same three or more hashtags (a creator's series:
    "Part 2", "Part 3"), or open with the same words before their hashtags.

    >>> duplicate_groups(["Part 1 #a #b #c", "Part 2 #a #b #c", "dinner #a", "Mental health #x", "Mental health #y"])
    array([0, 0, 2, 3, 3])
    """
    parent = list(range(len(texts)))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    first: dict[tuple[str, str], int] = {}
    for index, text in enumerate(texts):
        plain = " ".join(_NOT_WORD.sub(" ", _MENTION.sub(" ", lexicon.normalise(text))).split())
        words = [word for word in plain.split() if not word.startswith("#")]
        tags = sorted({word for word in plain.split() if word.startswith("#")})
        keys = [("text", plain)]
        if len(tags) >= 3:
            keys.append(("tags", " ".join(tags)))
        if len(words) >= 2:
            keys.append(("opening", " ".join(words[:6])))
        for key in keys:
            if key in first:
                parent[root(index)] = root(first[key])
            else:
                first[key] = index
    roots = [root(index) for index in range(len(texts))]
    return np.asarray([min(i for i, r in enumerate(roots) if r == own) for own in roots], dtype=np.int64)


def _grouped_fold_ids(groups: npt.NDArray[np.int64], folds: int, seed: int) -> npt.NDArray[np.int64]:
    """Folds over whole groups: every member of a group lands in the same fold."""
    unique = np.unique(groups)
    fold_of_group = dict(zip(unique.tolist(), _fold_ids(len(unique), folds, seed).tolist(), strict=True))
    return np.asarray([fold_of_group[group] for group in groups.tolist()], dtype=np.int64)


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


def _best_threshold(
    probability: npt.NDArray[np.float64], truth: Mask, ordinary: Mask, *, max_false_positive_rate: float
) -> float:
    """The threshold with the best F1 whose false-positive rate on ordinary (randomly sampled) videos is
    at most `max_false_positive_rate`; ties go to the higher, more precise threshold.

    A feed shows mostly ordinary videos, so their false positives cost the most.
    """
    best, chosen = -1.0, 0.9
    negatives = max(int((ordinary & ~truth).sum()), 1)
    for threshold in np.arange(0.10, 0.91, 0.01):
        predicted = probability >= threshold
        if float((predicted & ordinary & ~truth).sum()) / negatives > max_false_positive_rate:
            continue
        f1 = 2 * float((predicted & truth).sum()) / max(int(predicted.sum() + truth.sum()), 1)
        if f1 >= best:
            best, chosen = f1, float(threshold)
    return round(chosen, 2)


def _stack(x: npt.NDArray[np.float64], truth: Mask, options: Options) -> tuple[npt.NDArray[np.float64], float]:
    """Stacker weights over FEATURES (unconstrained: on captions the Reddit-trained head earns a small
    negative weight, as it also fires on long first-person text that is not about mental health)."""
    fitted = _logistic(x, truth, np.ones(len(truth)), options.stack_c)
    return fitted.coef_[0].astype(np.float64), float(fitted.intercept_[0])


def fit(corpus: Corpus, train: dict[str, Mask] | None = None, *, options: Options = Options()) -> classifier.Weights:
    """All heads, trained on the rows `train` keeps (default: all) of each labelled set."""
    if train is None:
        train = {
            name: np.ones(len(getattr(corpus, name).examples), dtype=bool) for name in ("tiktok", "sdcnl", "dreaddit")
        }
    text_coef, text_intercept = _text_head(corpus, train, options)
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
    groups = duplicate_groups([corpus.tiktok.examples[row].text for row in rows])
    inner = _grouped_fold_ids(groups, options.folds, options.seed + 1)
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
    # Laplace-smoothed share of mental-health captions among those the gate stops.
    ungated = (float(truth[~gate].sum()) + 1) / (float((~gate).sum()) + 2)

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
        ungated_probability=round(ungated, 4),
    )


# -------------------------------------------------------------- evaluation


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


def cross_validate(
    corpus: Corpus, *, options: Options = Options(), progress: Progress = lambda _: None
) -> dict[str, list[classifier.Classification]]:
    """Out-of-fold classifications for every trained-on set (TikTok labels, SDCNL, Dreaddit).

    TikTok folds keep near-duplicate captions together (`duplicate_groups`): a repeated
    caption on both sides would be remembered, not predicted.
    """
    names = ("tiktok", "sdcnl", "dreaddit")
    fold_of = {name: _fold_ids(len(getattr(corpus, name).examples), options.folds, options.seed) for name in names}
    tiktok_groups = duplicate_groups([e.text for e in corpus.tiktok.examples])
    fold_of["tiktok"] = _grouped_fold_ids(tiktok_groups, options.folds, options.seed)
    out: dict[str, list[classifier.Classification | None]] = {
        name: [None] * len(getattr(corpus, name).examples) for name in names
    }
    for fold in range(options.folds):
        progress(f"fold {fold + 1} of {options.folds}")
        weights = fit(corpus, {name: fold_of[name] != fold for name in names}, options=options)
        predictor = classifier.Default(weights)
        for name in names:
            part: Part = getattr(corpus, name)
            rows = np.flatnonzero(fold_of[name] == fold)
            results = predictor.classify_embedded([part.examples[row].text for row in rows], part.vectors[rows])
            for row, result in zip(rows, results, strict=True):
                out[name][row] = result
    return {name: [r for r in results if r is not None] for name, results in out.items()}


def evaluate(
    corpus: Corpus,
    weights: classifier.Weights,
    *,
    options: Options = Options(),
    progress: Progress = lambda _: None,
) -> dict[str, Any]:
    """The evaluation report: cross-validated on trained-on sets, `weights` on the others."""
    folded = cross_validate(corpus, options=options, progress=progress)
    method = f"{options.folds}-fold cross-validation (seed {options.seed}; TikTok folds grouped by near-duplicate)"
    result = {
        labelled_text.TIKTOK_LABELS: report(corpus.tiktok.examples, folded["tiktok"], method=method),
        labelled_text.SDCNL: report(corpus.sdcnl.examples, folded["sdcnl"], method=method),
        labelled_text.DREADDIT: report(corpus.dreaddit.examples, folded["dreaddit"], method=method),
    }
    shipped = classifier.Default(weights)
    cssrs = shipped.classify_embedded([e.text for e in corpus.cssrs.examples], corpus.cssrs.vectors)
    result[labelled_text.CSSRS] = report(corpus.cssrs.examples, cssrs, method="given weights (never trained on)")
    tiktok = shipped.classify_embedded([e.text for e in corpus.tiktok.examples], corpus.tiktok.vectors)
    result[labelled_text.TIKTOK_LABELS + " (given weights, in-sample)"] = report(
        corpus.tiktok.examples, tiktok, method="given weights (trained on this set: optimistic)"
    )
    return result
