"""Honest prevalence figures: exact bounds for counts, and shares corrected for a classifier's error.

An audit that labels served videos with a classifier measures the *apparent*
share: true positives it found plus false positives it raised. With the
classifier's sensitivity and specificity measured on real labelled captions,
Rogan and Gladen's estimator turns that into the true share, and a parametric
bootstrap carries three uncertainties into its interval: which sessions were
served (a cluster bootstrap of the apparent share), the sensitivity and the
specificity (Beta posteriors of their confusion counts). A count of zero is
never reported bare: it comes with its exact one-sided 95% upper bound
(Clopper-Pearson; about the "rule of three", 3/n).

Everything here is a small pure function; randomness takes an explicit seed.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import numpy.typing as npt
import scipy.special

Floats = npt.NDArray[np.float64]

PER_10K = 10_000


def _beta_quantile(q: float, a: float, b: float) -> float:
    """The Beta(a, b) quantile (`scipy.stats.beta.ppf`, without importing scipy.stats: it slows every start)."""
    return float(scipy.special.betaincinv(a, b, q))


def upper_bound(hits: int, served: int, *, confidence: float = 0.95) -> float:
    """Exact (Clopper-Pearson) one-sided upper bound of a binomial share.

    With no hit it is 1 - (1 - confidence)^(1/n), close to the rule of three:

    >>> round(upper_bound(0, 3000), 6), round(3 / 3000, 6)
    (0.000998, 0.001)
    >>> upper_bound(5, 5)
    1.0
    >>> round(upper_bound(1, 10), 4)
    0.3942
    """
    assert 0 <= hits <= served, f"need 0 <= hits <= served, got {hits}/{served}"
    if served == 0 or hits == served:
        return 1.0
    return _beta_quantile(confidence, hits + 1, served - hits)


def clopper_pearson(hits: int, served: int, *, confidence: float = 0.95) -> tuple[float, float]:
    """Exact two-sided interval of a binomial share.

    >>> [round(x, 4) for x in clopper_pearson(0, 10)]
    [0.0, 0.3085]
    >>> [round(x, 4) for x in clopper_pearson(5, 10)]
    [0.1871, 0.8129]
    """
    assert 0 <= hits <= served, f"need 0 <= hits <= served, got {hits}/{served}"
    if served == 0:
        return 0.0, 1.0
    tail = (1.0 - confidence) / 2.0
    low = 0.0 if hits == 0 else _beta_quantile(tail, hits, served - hits + 1)
    high = 1.0 if hits == served else _beta_quantile(1.0 - tail, hits + 1, served - hits)
    return low, high


@dataclasses.dataclass(frozen=True, slots=True)
class Rate:
    """A count per `per` items with its exact one-sided 95% upper bound (never a bare zero)."""

    hits: int
    served: int
    per: int
    value: float | None  # None when nothing was served
    upper: float | None


def rate(hits: int, served: int, *, per: int = PER_10K) -> Rate:
    """Hits per `per` items and the 95% upper bound of that rate.

    >>> r = rate(0, 30_000)
    >>> r.value, round(r.upper, 3)
    (0.0, 0.999)
    >>> rate(0, 0).upper is None
    True
    """
    if served == 0:
        return Rate(hits, served, per, None, None)
    return Rate(hits, served, per, hits / served * per, upper_bound(hits, served) * per)


def rogan_gladen(apparent: float, sensitivity: float, specificity: float) -> float:
    """The true prevalence implied by an apparent one, clipped to [0, 1].

    (apparent + specificity - 1) / (sensitivity + specificity - 1); a
    classifier no better than chance (Youden's J <= 0) cannot be corrected.

    >>> round(rogan_gladen(0.10, 0.8, 0.95), 4)
    0.0667
    >>> rogan_gladen(0.01, 0.8, 0.95)
    0.0
    >>> round(rogan_gladen(0.3, 1.0, 1.0), 6)
    0.3
    """
    youden = sensitivity + specificity - 1.0
    assert youden > 0, f"sensitivity {sensitivity} + specificity {specificity} must exceed 1 to correct"
    return float(min(1.0, max(0.0, (apparent + specificity - 1.0) / youden)))


@dataclasses.dataclass(frozen=True, slots=True)
class ClassifierError:
    """A classifier's confusion counts on labelled data: sensitivity on the positives, specificity on the negatives.

    `source` says where they were measured (e.g. grouped cross-validation on
    the real labelled TikTok captions), so a report can say it.
    """

    true_positives: int
    false_negatives: int
    true_negatives: int
    false_positives: int
    source: str = ""

    def __post_init__(self) -> None:
        counts = (self.true_positives, self.false_negatives, self.true_negatives, self.false_positives)
        assert min(counts) >= 0, f"confusion counts must be >= 0, got {counts}"
        assert self.true_positives + self.false_negatives > 0, "need at least one labelled positive"
        assert self.true_negatives + self.false_positives > 0, "need at least one labelled negative"

    @property
    def sensitivity(self) -> float:
        return self.true_positives / (self.true_positives + self.false_negatives)

    @property
    def specificity(self) -> float:
        return self.true_negatives / (self.true_negatives + self.false_positives)

    def draws(self, rng: np.random.Generator, size: int) -> tuple[Floats, Floats]:
        """Plausible (sensitivity, specificity) pairs: Beta posteriors under a uniform prior."""
        sensitivity = rng.beta(self.true_positives + 1, self.false_negatives + 1, size=size)
        specificity = rng.beta(self.true_negatives + 1, self.false_positives + 1, size=size)
        return sensitivity, specificity


@dataclasses.dataclass(frozen=True, slots=True)
class Corrected:
    """An apparent share and the true share it implies, with a 95% interval carrying every uncertainty."""

    apparent: float | None
    value: float | None
    low: float | None
    high: float | None
    sensitivity: float
    specificity: float


def corrected_share(
    hits: Floats,
    served: Floats,
    error: ClassifierError,
    *,
    seed: int = 0,
    resamples: int = 2000,
) -> Corrected:
    """Rogan-Gladen share of classifier-flagged items, with a parametric bootstrap interval.

    `hits` and `served` are per session (the unit of resampling: items served
    to one account are not independent). Each resample draws sessions with
    replacement and a (sensitivity, specificity) pair from `error`; draws
    where the pair is no better than chance are dropped. A corrected share of
    zero keeps an upper bound above zero (see the code).

    >>> error = ClassifierError(80, 20, 950, 50)
    >>> c = corrected_share(np.array([10.0, 10.0]), np.array([100.0, 100.0]), error, seed=1)
    >>> round(c.apparent, 3), round(c.value, 4), c.low <= c.value <= c.high
    (0.1, 0.0667, True)
    """
    hits, served = np.asarray(hits, np.float64), np.asarray(served, np.float64)
    se, sp = error.sensitivity, error.specificity
    if served.sum() == 0:
        return Corrected(None, None, None, None, se, sp)
    apparent = float(hits.sum() / served.sum())
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(served), size=(resamples, len(served)))
    totals = served[picks].sum(axis=1)
    shares = np.divide(hits[picks].sum(axis=1), totals, out=np.zeros(resamples), where=totals > 0)
    # The session bootstrap of a pooled share misses the binomial noise within one session; a
    # binomial draw at the resampled share and total adds it (it matters when there are few sessions).
    shares = rng.binomial(totals.astype(np.int64), np.clip(shares, 0.0, 1.0)) / np.maximum(totals, 1.0)
    sens, spec = error.draws(rng, resamples)
    youden = sens + spec - 1.0
    usable = youden > 0
    corrected = np.clip((shares[usable] + spec[usable] - 1.0) / youden[usable], 0.0, 1.0)
    low, high = np.percentile(corrected, [2.5, 97.5]) if len(corrected) else (math.nan, math.nan)
    value = rogan_gladen(apparent, se, sp)
    if value == 0.0:
        # Every false positive the specificity allows can swallow a few hits, clipping the whole
        # bootstrap at 0; a zero is still never bare: at least the exact bound of the apparent share,
        # as if every flagged item were real and the classifier missed its usual share.
        floor = upper_bound(int(np.rint(hits.sum())), int(np.rint(served.sum()))) / se if se > 0 else 1.0
        high = max(float(high), min(1.0, floor))
    return Corrected(apparent, value, float(low), float(high), se, sp)
