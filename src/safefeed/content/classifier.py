"""What a video is about: mental-health relevance, sensitive theme and harm level, with the reasons.

The default classifier combines two kinds of evidence a trust-and-safety team
expects: the lexicon (readable, fixable, catches coded words) and a learned
model on sentence embeddings (generalises to wording no list anticipates).
A small stacked logistic regression weighs them into a calibrated probability;
its weights, the embedding heads, the operating points for minors and adults
and a few synthetic exemplars ship in `data/classifier.npz`
(content/classifier_weights.py), which `safefeed classify train`
(content/training/) reproduces. Texts without any
lexicon evidence skip the embedding model (see `has_evidence`): that is what
makes classifying a whole feed cheap. The model reads `model_text`, the caption
with hashtags split into words and generic tags (#fyp) dropped.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

from safefeed import model
from safefeed.content import classifier_weights, embedding, lexicon
from safefeed.content.classifier_weights import DEFAULT_WEIGHTS as DEFAULT_WEIGHTS
from safefeed.content.classifier_weights import FEATURES as FEATURES
from safefeed.content.classifier_weights import THEMES as THEMES
from safefeed.content.classifier_weights import OperatingPoint as OperatingPoint
from safefeed.content.classifier_weights import Weights as Weights
from safefeed.content.classifier_weights import load as load
from safefeed.content.classifier_weights import save as save

NEAREST = 3

Vectors = npt.NDArray[np.float32]
Embedder = Callable[[Sequence[str]], Vectors]

# Themes whose terms say "mental health" without saying which struggle.
_GENERAL = frozenset((model.Theme.OTHER_MH.value,))
# Themes whose videos carry the most risk for a vulnerable viewer: `Classification.risk`.
_RISK_THEMES = [THEMES.index(model.Theme.SUICIDE), THEMES.index(model.Theme.SELF_HARM)]
_SUPPORT = frozenset((model.Theme.THERAPY_RECOVERY_SUPPORT.value,))


class Classifier(Protocol):
    """Labels videos (or raw caption text) in batches; one call, no hidden state between calls."""

    def classify(self, items: Sequence[model.Video | str]) -> list[Classification]: ...


@dataclasses.dataclass(frozen=True, slots=True)
class Neighbour:
    """A labelled exemplar close to the text, shown to reviewers as a reason."""

    text: str
    theme: model.Theme | None
    harm: model.Harm
    similarity: float


@dataclasses.dataclass(frozen=True, slots=True)
class Classification:
    """The verdict on one video and why."""

    mh_probability: float
    mh_related: bool
    theme: model.Theme | None
    harm: model.Harm
    matched_terms: tuple[str, ...] = ()
    nearest_examples: tuple[Neighbour, ...] = ()
    threshold: float = 0.5
    embedded: bool = False  # the lexicon gate let it through to the embedding model
    # P(mental-health related and about suicide or self-harm): orders videos by risk within the
    # topic (checked against psychiatrists' suicide-risk levels in `safefeed classify eval`).
    risk: float = 0.0

    @property
    def margin(self) -> float:
        """Distance of the probability from the decision threshold: small means a reviewer should look."""
        return abs(self.mh_probability - self.threshold)

    def label(self) -> model.Label:
        if not self.mh_related:
            return model.Label(mh_related=False, probability=self.mh_probability, source=model.LabelSource.CLASSIFIER)
        return model.Label(
            mh_related=True,
            theme=self.theme or model.Theme.OTHER_MH,
            harm=self.harm if self.harm is not model.Harm.NONE else model.Harm.NEUTRAL,
            probability=self.mh_probability,
            source=model.LabelSource.CLASSIFIER,
        )


def text_of(item: model.Video | str) -> str:
    """What the lexicon reads: `Video.text` (caption plus the hashtags it does not carry inline)."""
    return item if isinstance(item, str) else item.text


def model_text(text: str, terms: lexicon.Lexicon | None = None) -> str:
    """What the embedding model reads: `lexicon.readable(text)`, or the text itself if nothing is left."""
    return lexicon.readable(text, terms) or text


def features(matches: Sequence[lexicon.Match], text_head: float, caption_head: float) -> npt.NDArray[np.float64]:
    """The stacker's inputs for one text (see FEATURES): head logits and counts of distinct lexicon terms."""

    def count(predicate: Callable[[lexicon.Match], bool]) -> float:
        return math.log1p(len({match.term for match in matches if predicate(match)}))

    def theme(strength: str, names: frozenset[str] | None = None, *, exclude: frozenset[str] = frozenset()) -> float:
        return count(
            lambda m: (
                m.kind == "theme"
                and m.strength == strength
                and (names is None or m.name in names)
                and m.name not in exclude
            )
        )

    strong_specific = theme("strong", exclude=_GENERAL | _SUPPORT)
    strong_general = theme("strong", _GENERAL)
    strong_support = theme("strong", _SUPPORT)
    weak = theme("weak", exclude=_SUPPORT)
    entertainment = count(lambda m: m.kind == "context" and m.name == "entertainment")
    personal = count(lambda m: m.kind == "context" and m.name == "personal")
    values = (
        text_head,
        caption_head,
        strong_specific,
        strong_general,
        strong_support,
        weak,
        theme("weak", _SUPPORT),
        count(lambda m: m.kind == "harm" and m.name in ("potentially_harmful", "violative")),
        count(lambda m: m.kind == "harm" and m.name == "supportive"),
        entertainment,
        personal,
        weak * personal,
        weak * entertainment,
        float(strong_specific + strong_general + strong_support > 0),
    )
    return np.asarray(values, dtype=np.float64)


def _empty() -> Vectors:
    return np.zeros((0, embedding.DIMENSIONS), dtype=np.float32)


def _sigmoid(value: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, value))))


def choose_harm(matches: Sequence[lexicon.Match], theme: model.Theme | None) -> model.Harm:
    """Harm from cues: instructions or encouragement beat romanticising, which beats help-seeking.

    Harm has little labelled data, so this is a stated policy rather than a fit:
    violative cues -> violative; more harmful than supportive cues -> potentially
    harmful; supportive cues or a support theme -> supportive; otherwise neutral.
    """
    cues = {name: len({m.term for m in matches if m.kind == "harm" and m.name == name}) for name in model.Harm}
    if cues[model.Harm.VIOLATIVE]:
        return model.Harm.VIOLATIVE
    if cues[model.Harm.POTENTIALLY_HARMFUL] > cues[model.Harm.SUPPORTIVE]:
        return model.Harm.POTENTIALLY_HARMFUL
    if cues[model.Harm.SUPPORTIVE] or theme is model.Theme.THERAPY_RECOVERY_SUPPORT:
        return model.Harm.SUPPORTIVE
    return model.Harm.NEUTRAL


def choose_theme(probabilities: npt.NDArray[np.float64], matches: Sequence[lexicon.Match], bonus: float) -> model.Theme:
    """The theme head's choice, nudged toward themes the lexicon names (strong terms count double)."""
    scores = probabilities.copy()
    for index, theme in enumerate(THEMES):
        strengths = {m.strength for m in matches if m.kind == "theme" and m.name == theme.value}
        if "strong" in strengths:
            scores[index] += bonus
        elif "weak" in strengths:
            scores[index] += bonus / 2
    return THEMES[int(np.argmax(scores))]


def has_evidence(matches: Sequence[lexicon.Match]) -> bool:
    """Whether the lexicon found a theme term or a harm cue: the gate in front of the embedding model.

    On the labelled TikTok captions only 1 of 59 mental-health videos has no such
    evidence (and cross-validated, the embedding model never found it), while
    embedding is 95% of the cost: gating makes classification about ten times
    faster on an ordinary feed, where fewer than 1 in 10 captions pass.
    """
    return any(m.kind in ("theme", "harm") for m in matches)


class Default:
    """Lexicon gate + embedding heads + stacker; the classifier SafeFeed uses unless told otherwise.

    `embed_all=True` embeds every text (nearest examples for all, 10x slower).
    """

    def __init__(
        self,
        weights: Weights,
        *,
        terms: lexicon.Lexicon | None = None,
        embed: Embedder = embedding.embed,
        nearest: int = NEAREST,
        embed_all: bool = False,
    ) -> None:
        self.weights = weights
        self.terms = terms
        self.embed = embed
        self.nearest = nearest
        self.embed_all = embed_all

    def classify(self, items: Sequence[model.Video | str]) -> list[Classification]:
        texts = [text_of(item) for item in items]
        matches = [lexicon.match(text, self.terms) for text in texts]
        gated = [row for row, found in enumerate(matches) if self.embed_all or has_evidence(found)]
        vectors = self.embed([model_text(texts[row], self.terms) for row in gated]) if gated else _empty()
        return self._decide(matches, gated, vectors)

    def classify_embedded(self, texts: Sequence[str], vectors: Vectors) -> list[Classification]:
        """As `classify`, for texts already embedded: `vectors[i]` embeds `model_text(texts[i])`
        (training and evaluation reuse their embeddings)."""
        matches = [lexicon.match(text, self.terms) for text in texts]
        gated = [row for row, found in enumerate(matches) if self.embed_all or has_evidence(found)]
        return self._decide(matches, gated, vectors[gated] if gated else _empty())

    def _decide(
        self, matches: Sequence[Sequence[lexicon.Match]], gated: Sequence[int], vectors: Vectors
    ) -> list[Classification]:
        w = self.weights
        results = [
            Classification(
                mh_probability=w.ungated_probability,
                mh_related=w.ungated_probability >= w.threshold,
                theme=None,
                harm=model.Harm.NONE,
                threshold=w.threshold,
            )
            for _ in matches
        ]
        text_heads = vectors @ w.text_coef + w.text_intercept
        caption_heads = vectors @ w.caption_coef + w.caption_intercept
        theme_logits = vectors @ w.theme_coef.T + w.theme_intercept
        theme_logits -= theme_logits.max(axis=1, keepdims=True)
        theme_probabilities = np.exp(theme_logits)
        theme_probabilities /= theme_probabilities.sum(axis=1, keepdims=True)
        similarities = vectors @ w.exemplar_vectors.T
        for index, row in enumerate(gated):
            found = matches[row]
            x = features(found, float(text_heads[index]), float(caption_heads[index]))
            probability = _sigmoid(float(x @ w.stack_coef) + w.stack_intercept)
            # Instructions or encouragement to self-harm are mental-health content whatever the model says.
            related = probability >= w.threshold or any(m.kind == "harm" and m.name == "violative" for m in found)
            theme = choose_theme(theme_probabilities[index].astype(np.float64), found, w.lexicon_bonus)
            results[row] = Classification(
                mh_probability=probability,
                mh_related=related,
                theme=theme if related else None,
                harm=choose_harm(found, theme) if related else model.Harm.NONE,
                matched_terms=tuple(dict.fromkeys(m.term for m in found if m.kind == "theme")),
                nearest_examples=self._neighbours(similarities[index]),
                threshold=w.threshold,
                embedded=True,
                risk=probability * float(theme_probabilities[index, _RISK_THEMES].sum()),
            )
        return results

    def _neighbours(self, similarities: Vectors) -> tuple[Neighbour, ...]:
        w = self.weights
        order = np.argsort(-similarities)[: self.nearest]
        return tuple(
            Neighbour(
                text=w.exemplar_texts[index],
                theme=None if w.exemplar_themes[index] == "none" else model.Theme(w.exemplar_themes[index]),
                harm=model.Harm(w.exemplar_harms[index]),
                similarity=round(float(similarities[index]), 3),
            )
            for index in order
        )


@functools.cache
def default() -> Default:
    """The classifier with the shipped weights and lexicon (loaded once per process)."""
    return Default(load())


def operating_point(band: model.AgeBand, weights: Weights | None = None) -> OperatingPoint:
    """The threshold on `Label.probability` the feed uses for `band`: minors get the higher-recall one."""
    return classifier_weights.operating_point(weights or default().weights, band)


def label_videos(
    videos: Sequence[model.Video], predictor: Classifier | None = None, *, batch: int = 1024
) -> list[model.Video]:
    """The videos with a classifier label, for catalog import; a ground-truth or reviewed label is kept."""
    predictor = predictor or default()
    pending = [
        index
        for index, video in enumerate(videos)
        if video.label is None or video.label.source is model.LabelSource.CLASSIFIER
    ]
    out = list(videos)
    for start in range(0, len(pending), batch):
        chunk = pending[start : start + batch]
        for index, result in zip(chunk, predictor.classify([videos[i] for i in chunk]), strict=True):
            out[index] = dataclasses.replace(videos[index], label=result.label())
    return out
