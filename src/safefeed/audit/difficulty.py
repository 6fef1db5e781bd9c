"""Is the generated world as hard as reality? The classifier scored on generated captions as on real ones.

The real labelled captions (../shared/data/tiktok-captions-mh-labels) were
drawn in two strata: every video whose text contains one of a naive list of
mental-health substrings (full of look-alikes: "cry" in crypto, "sad" in
quesadilla) plus a random sample of the rest. Precision and F1 depend on that
design, so the generated side is sampled the same way: the keyword stratum
of a generated catalog plus a random sample of the rest at the real set's
ratio of keyword to random rows (225 to 345). Recall and F1 on that sample
are then comparable with the classifier's grouped cross-validation on the
real set.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

KEYWORDS = (
    "depress", "anxiety", "anxious", "mentalhealth", "mental health", "suicid", "selfharm", "self harm",
    "self-harm", "sad", "cry", "lonely", "alone", "therapy", "therapist", "trauma", "grief", "healing",
    "numb", "empty", "broken", "hurt", "pain", "panic", "ptsd", "adhd", "bipolar", "ocd", "eating disorder",
    "anorexi", "bulimi", "selfcare", "self care", "cutting", "heartbreak", "tears", "worthless", "hopeless",
    "stress", "overthink", "insecure", "unalive", "vent", "mental", "wellbeing", "recovery", "heal", "lost",
)  # fmt: skip
"""An approximation of the real set's 48 naive substrings (its PROVENANCE names about half of them)."""

REAL_KEYWORD_ROWS, REAL_RANDOM_ROWS = 225, 345
"""The real development split's strata (PROVENANCE.md of tiktok-captions-mh-labels)."""


def keyword_hit(text: str) -> bool:
    """Whether a naive substring search would have put the text in the keyword stratum.

    >>> keyword_hit("the cheesiest quesadilla"), keyword_hit("new bike day")
    (True, False)
    """
    lowered = text.lower()
    return any(keyword in lowered for keyword in KEYWORDS)


def stratified_sample(texts: Sequence[str], *, seed: int, keyword_rows: int | None = None) -> list[int]:
    """Row indices drawn like the real labelled set: keyword hits (at most `keyword_rows`) plus random others.

    >>> stratified_sample(["so sad", "bike", "car", "boat"], seed=0, keyword_rows=1)[:1]
    [0]
    """
    rng = np.random.default_rng(seed)
    hits = [i for i, text in enumerate(texts) if keyword_hit(text)]
    others = [i for i, text in enumerate(texts) if not keyword_hit(text)]
    if keyword_rows is not None and len(hits) > keyword_rows:
        hits = sorted(rng.choice(hits, size=keyword_rows, replace=False).tolist())
    wanted = min(len(others), round(len(hits) * REAL_RANDOM_ROWS / REAL_KEYWORD_ROWS))
    randoms = sorted(rng.choice(others, size=wanted, replace=False).tolist()) if wanted else []
    return hits + randoms


@dataclasses.dataclass(frozen=True, slots=True)
class Scores:
    precision: float
    recall: float
    f1: float
    support: int  # positives in the sample
    n: int


def scores(predicted: Sequence[bool], truth: Sequence[bool]) -> Scores:
    """Precision, recall and F1 of the positive class.

    >>> scores([True, True, False, False], [True, False, True, False])
    Scores(precision=0.5, recall=0.5, f1=0.5, support=2, n=4)
    """
    tp = sum(p and t for p, t in zip(predicted, truth, strict=True))
    fp = sum(p and not t for p, t in zip(predicted, truth, strict=True))
    fn = sum(t and not p for p, t in zip(predicted, truth, strict=True))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(round(precision, 4), round(recall, 4), round(f1, 4), tp + fn, len(truth))
