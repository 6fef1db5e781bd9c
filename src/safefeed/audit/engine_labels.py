"""Which labels the engine under audit saw: its classifier's, reviewed ones, or a noisy oracle of known quality.

A platform never has the truth. An audit says which labels the engine acted
on, and can sweep their quality to show where each protection gives way:

- `classifier`: what the classifier said at import, with its probability (the default);
- `reviewed`: every video reviewed by a human who is always right (a ceiling no platform reaches);
- `oracle:recall=R,fpr=F`: labels the AUDITOR derives from the answer key, seeded: each
  mental-health video is found with chance R, each other video falsely flagged with chance F.
  They reach the engine as classifier labels with a probability, as a real classifier's would.

>>> parse("oracle:recall=0.6,fpr=0.01").name
'oracle:recall=0.6,fpr=0.01'
>>> parse("classifier") == EngineLabels()
True
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping

import numpy as np

from safefeed import model

KINDS = ("classifier", "reviewed", "oracle")
DEFAULT_FPR = 0.005
"""False-positive rate of a noisy oracle when a sweep gives only recalls (about the real classifier's on a feed)."""


@dataclasses.dataclass(frozen=True, slots=True)
class EngineLabels:
    kind: str = "classifier"
    recall: float = 1.0
    false_positive_rate: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise model.InvalidValue(f"engine labels must be one of {KINDS}, got {self.kind!r}")
        if not (0.0 <= self.recall <= 1.0 and 0.0 <= self.false_positive_rate <= 1.0):
            raise model.InvalidValue(
                f"oracle recall and fpr must lie in [0, 1], got recall={self.recall}, fpr={self.false_positive_rate}"
            )

    @property
    def name(self) -> str:
        if self.kind != "oracle":
            return self.kind
        return f"oracle:recall={self.recall:g},fpr={self.false_positive_rate:g}"

    @property
    def slug(self) -> str:
        """A file-name-safe form, e.g. for a world's file."""
        return self.name.replace(":", "-").replace("=", "").replace(",", "-")


def parse(text: str) -> EngineLabels:
    """`classifier`, `reviewed` or `oracle:recall=0.6,fpr=0.01` (fpr defaults to `DEFAULT_FPR`)."""
    kind, _, rest = text.strip().partition(":")
    if kind != "oracle":
        if rest:
            raise model.InvalidValue(f"engine labels {text!r}: only 'oracle' takes parameters")
        return EngineLabels(kind)
    values = {"recall": 1.0, "fpr": DEFAULT_FPR}
    for part in filter(None, rest.split(",")):
        key, _, value = part.partition("=")
        if key.strip() not in values:
            raise model.InvalidValue(f"engine labels {text!r}: unknown oracle parameter {key!r}; use recall=, fpr=")
        try:
            values[key.strip()] = float(value)
        except ValueError:
            raise model.InvalidValue(f"engine labels {text!r}: {key} must be a number, got {value!r}") from None
    return EngineLabels("oracle", values["recall"], values["fpr"])


def seen_by(target_kind: str, scenario_labels: str) -> str:
    """What a target acted on: the scenario's engine labels for SafeFeed, else what the audit knows of it."""
    if target_kind in ("engine", "served"):
        return parse(scenario_labels).name
    if target_kind == "http":
        return "the service's own (unknown to the audit)"
    return "none (this peer reads no labels)"


def _seed(*parts: object) -> int:
    return int.from_bytes(hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=8).digest(), "little")


def derive(labels: EngineLabels, answer_key: Mapping[str, model.Label], *, seed: int) -> dict[str, model.Label]:
    """The labels to hand the engine for `reviewed` or `oracle` (empty for `classifier`: import already labelled).

    Oracle probabilities: a found video scores U(0.5, 1); a missed one U(0.1, 0.5) (a real
    classifier's misses sit below its threshold, not at zero); a false alarm U(0.5, 0.8), with
    theme `other_mh` and harm `neutral`; every other video 0.5 x Beta(1, 6): mostly near zero, never 0.5.
    """
    if labels.kind == "classifier":
        return {}
    if labels.kind == "reviewed":
        return {
            video_id: dataclasses.replace(truth, probability=1.0, source=model.LabelSource.REVIEW)
            for video_id, truth in answer_key.items()
        }
    rng = np.random.default_rng(_seed(seed, labels.name))
    ids = sorted(answer_key)
    roll, spread, low = rng.random(len(ids)), rng.random(len(ids)), 0.5 * rng.beta(1.0, 6.0, len(ids))
    out: dict[str, model.Label] = {}
    classifier = model.LabelSource.CLASSIFIER
    for index, video_id in enumerate(ids):
        truth = answer_key[video_id]
        if truth.mh_related and roll[index] < labels.recall:
            out[video_id] = dataclasses.replace(truth, probability=0.5 + 0.5 * spread[index], source=classifier)
        elif truth.mh_related:
            out[video_id] = model.Label(False, probability=0.1 + 0.4 * spread[index], source=classifier)
        elif roll[index] < labels.false_positive_rate:
            out[video_id] = model.Label(
                True, model.Theme.OTHER_MH, model.Harm.NEUTRAL, 0.5 + 0.3 * spread[index], classifier
            )
        else:
            out[video_id] = model.Label(False, probability=float(low[index]), source=classifier)
    return out
