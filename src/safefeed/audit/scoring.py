"""How the audit scores what a target served: the answer key where the world has one, else the classifier.

Scoring is the auditor's side, apart from what the engine saw. A generated
world carries its answer key (`store.answer_key`), and then every served
item is scored by the truth. A target serving videos the key does not know
(an HTTP service with its own catalog, a replay of a real platform's feed)
is scored by SafeFeed's classifier, whose error on real labelled captions
(`classifier_error()`) the estimates then correct for (`audit.estimates`).
"""

from __future__ import annotations

import functools
import importlib.resources
import json
from collections.abc import Callable, Mapping, Sequence

from safefeed import model
from safefeed.audit import estimates
from safefeed.content import classifier as content_classifier

LabelFn = Callable[[Sequence[model.Video]], list[model.Label]]

ANSWER_KEY, CLASSIFIER, MIXED = "answer_key", "classifier", "answer_key+classifier"


def classify(videos: Sequence[model.Video]) -> list[model.Label]:
    """SafeFeed's default classifier, for videos the audit's world has no answer for."""
    return [result.label() for result in content_classifier.default().classify(list(videos))]


class Labeller:
    """The audit's label for a served video: the answer key's where known, else `fallback` (the classifier)."""

    def __init__(self, answer_key: Mapping[str, model.Label], *, fallback: LabelFn = classify) -> None:
        self.answer_key = answer_key
        self.fallback = fallback
        self._cache: dict[str, model.Label] = {}
        self.from_key = 0
        self.from_fallback = 0

    def labels(self, videos: Sequence[model.Video]) -> list[model.Label]:
        missing = [v for v in videos if v.id not in self.answer_key and v.id not in self._cache]
        if missing:
            unique = list({v.id: v for v in missing}.values())
            self._cache.update(zip((v.id for v in unique), self.fallback(unique), strict=True))
        known = sum(1 for v in videos if v.id in self.answer_key)
        self.from_key += known
        self.from_fallback += len(videos) - known
        return [self.answer_key.get(v.id) or self._cache[v.id] for v in videos]

    @property
    def scored_by(self) -> str:
        """Which labels scored the items seen so far: 'answer_key', 'classifier' or both."""
        if self.from_fallback and self.from_key:
            return MIXED
        return CLASSIFIER if self.from_fallback else ANSWER_KEY


@functools.cache
def classifier_error() -> estimates.ClassifierError:
    """The shipped classifier's confusion counts on the real labelled TikTok captions (`data/classifier_error.json`).

    Refresh with `python bench/world_difficulty.py --real-json EVAL.json --write-classifier-error`
    after retraining: sensitivity from the grouped cross-validation's positives, specificity from
    its random-stratum negatives (the representative sample of a feed).
    """
    raw = importlib.resources.files("safefeed.audit").joinpath("data/classifier_error.json").read_text("utf-8")
    data = json.loads(raw)
    return estimates.ClassifierError(
        true_positives=int(data["true_positives"]),
        false_negatives=int(data["false_negatives"]),
        true_negatives=int(data["true_negatives"]),
        false_positives=int(data["false_positives"]),
        source=str(data["source"]),
    )
