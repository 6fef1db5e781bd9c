"""Relevance: how much an account will want each candidate, from its learned state.

A pure function over arrays. Explicit signals already weigh more than passive
ones in the account state (`state.Signals`); here they meet popularity and freshness.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float32]


@dataclasses.dataclass(frozen=True, slots=True)
class Weights:
    similarity: float = 1.0  # cosine of item and interest vectors
    topic: float = 0.35  # squashed per-topic affinity
    popularity: float = 0.15
    freshness: float = 0.05
    following: float = 0.3


@dataclasses.dataclass(frozen=True, slots=True)
class Features:
    """One row per candidate; the parts the explanation reads too."""

    similarity: Array
    topic: Array
    popularity: Array
    freshness: Array
    following: Array


def relevance(features: Features, weights: Weights) -> Array:
    """Weighted sum of the features.

    >>> f = Features(*(np.array([x], np.float32) for x in (0.5, 0.0, 1.0, 0.0, 1.0)))
    >>> float(relevance(f, Weights())[0])
    0.95
    """
    total = (
        weights.similarity * features.similarity
        + weights.topic * features.topic
        + weights.popularity * features.popularity
        + weights.freshness * features.freshness
        + weights.following * features.following
    )
    return np.asarray(total, dtype=np.float32)


def squash_affinity(affinity: Array) -> Array:
    """Map unbounded topic affinities into (-1, 1) so no topic dominates without limit."""
    return np.tanh(affinity / 4.0).astype(np.float32)
