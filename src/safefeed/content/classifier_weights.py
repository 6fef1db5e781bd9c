"""What the default classifier learned, its file format and its operating points.

The weights ship in `data/classifier.npz`: plain arrays, no pickle, well under a
megabyte. `safefeed classify train` (content/training) reproduces them from the
same seed. Besides the model they carry the two thresholds the feed acts on:
one for adults (the best F1 the false-positive ceiling allows) and a lower one
for minors, where a missed mental-health video costs more than a needless
protection (see `operating_point`).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import numpy.typing as npt

from safefeed import model
from safefeed.content import embedding

DEFAULT_WEIGHTS = Path(__file__).with_name("data") / "classifier.npz"
THEMES: tuple[model.Theme, ...] = tuple(model.Theme)

Vectors = npt.NDArray[np.float32]

# The stacker's inputs, in order; training and inference share `classifier.features`.
FEATURES: tuple[str, ...] = (
    "text_head",  # embedding model trained on long-form Reddit text and ordinary captions
    "caption_head",  # embedding model trained on labelled short-video captions
    "strong_specific",
    "strong_general",
    "strong_support",
    "weak_theme",
    "weak_support",
    "harmful_cues",
    "supportive_cues",
    "entertainment",
    "personal",
    "weak_x_personal",
    "weak_x_entertainment",
    "any_strong",
)


@dataclasses.dataclass(frozen=True)
class Weights:
    """Everything the default classifier learned; small enough to ship in the package."""

    text_coef: Vectors  # (384,)
    text_intercept: float
    caption_coef: Vectors  # (384,)
    caption_intercept: float
    stack_coef: Vectors  # (len(FEATURES),)
    stack_intercept: float
    threshold: float  # the adults' operating point; `Classification.mh_related` uses it
    theme_coef: Vectors  # (len(THEMES), 384)
    theme_intercept: Vectors  # (len(THEMES),)
    exemplar_vectors: Vectors  # (n, 384)
    exemplar_texts: tuple[str, ...]
    exemplar_themes: tuple[str, ...]  # a Theme value or "none"
    exemplar_harms: tuple[str, ...]
    lexicon_bonus: float = 0.35  # added to a theme's probability when the lexicon names it
    ungated_probability: float = 0.0  # for texts without lexicon evidence (see `classifier.has_evidence`)
    minor_threshold: float = -1.0  # the minors' operating point; -1 means "as adults" (hand-made weights)

    def __post_init__(self) -> None:
        assert self.stack_coef.shape == (len(FEATURES),), f"stack_coef must have {len(FEATURES)} weights"
        assert self.theme_coef.shape == (len(THEMES), embedding.DIMENSIONS), "theme_coef must be themes x 384"
        assert len(self.exemplar_texts) == len(self.exemplar_vectors) == len(self.exemplar_themes)
        assert self.minor_threshold <= self.threshold, "minors are protected at a threshold no higher than adults'"


@dataclasses.dataclass(frozen=True, slots=True)
class OperatingPoint:
    """The probability from which the feed treats a video as mental-health related for an age band."""

    band: model.AgeBand
    threshold: float
    rule: str  # how training chose it, for the transparency page


ADULT_RULE = "highest F1 on the labelled captions with at most 0.8% false positives among random feed videos"
MINOR_RULE = "recall of at least 90% on the labelled captions with at most 3% false positives among random feed videos"


def operating_point(weights: Weights, band: model.AgeBand) -> OperatingPoint:
    """Minors (13-15, 16-17, and unknown ages, which policy treats as the youngest) get the higher-recall point.

    The probabilities are calibrated (expected calibration error is reported by
    `safefeed classify eval`), so either threshold reads as "at least this likely".
    """
    if band is model.AgeBand.ADULT or weights.minor_threshold < 0:
        return OperatingPoint(band, weights.threshold, ADULT_RULE)
    return OperatingPoint(band, weights.minor_threshold, MINOR_RULE)


def save(weights: Weights, path: Path) -> None:
    arrays = {field.name: getattr(weights, field.name) for field in dataclasses.fields(weights)}
    arrays["exemplar_vectors"] = weights.exemplar_vectors.astype(np.float16)
    arrays["features"] = list(FEATURES)
    arrays["themes"] = [theme.value for theme in THEMES]
    np.savez_compressed(path, allow_pickle=False, **{name: np.asarray(value) for name, value in arrays.items()})


def load(path: Path | None = None) -> Weights:
    """Weights from `path`, or those that ship with SafeFeed."""
    with np.load(path or DEFAULT_WEIGHTS, allow_pickle=False) as data:
        if tuple(str(name) for name in data["features"]) != FEATURES:
            raise ValueError(f"{path} was trained for other features; retrain with `safefeed classify train`")
        if tuple(str(name) for name in data["themes"]) != tuple(theme.value for theme in THEMES):
            raise ValueError(f"{path} was trained for other themes; retrain with `safefeed classify train`")

        def vector(name: str) -> Vectors:
            return np.asarray(data[name], dtype=np.float32)

        return Weights(
            text_coef=vector("text_coef"),
            text_intercept=float(data["text_intercept"]),
            caption_coef=vector("caption_coef"),
            caption_intercept=float(data["caption_intercept"]),
            stack_coef=vector("stack_coef"),
            stack_intercept=float(data["stack_intercept"]),
            threshold=float(data["threshold"]),
            theme_coef=vector("theme_coef"),
            theme_intercept=vector("theme_intercept"),
            exemplar_vectors=vector("exemplar_vectors"),
            exemplar_texts=tuple(str(text) for text in data["exemplar_texts"]),
            exemplar_themes=tuple(str(theme) for theme in data["exemplar_themes"]),
            exemplar_harms=tuple(str(harm) for harm in data["exemplar_harms"]),
            lexicon_bonus=float(data["lexicon_bonus"]),
            ungated_probability=float(data["ungated_probability"]),
            minor_threshold=float(data["minor_threshold"]) if "minor_threshold" in data.files else -1.0,
        )
