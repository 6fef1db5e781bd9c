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
    similarity: float = 0.5  # cosine of item and interest vectors
    topic: float = 0.1  # squashed per-topic affinity
    popularity: float = 0.05
    freshness: float = 0.05
    following: float = 0.3
    collaborative: float = 1.0  # ALS preference of the folded-in account


@dataclasses.dataclass(frozen=True, slots=True)
class Features:
    """One row per candidate; the parts the explanation reads too."""

    similarity: Array
    topic: Array
    popularity: Array
    freshness: Array
    following: Array
    collaborative: Array


def relevance(features: Features, weights: Weights) -> Array:
    """Weighted sum of the features.

    >>> f = Features(*(np.array([x], np.float32) for x in (0.5, 0.0, 1.0, 0.0, 1.0, 0.5)))
    >>> round(float(relevance(f, Weights())[0]), 3)
    1.1
    """
    total = (
        weights.similarity * features.similarity
        + weights.topic * features.topic
        + weights.popularity * features.popularity
        + weights.freshness * features.freshness
        + weights.following * features.following
        + weights.collaborative * features.collaborative
    )
    return np.asarray(total, dtype=np.float32)


def squash_affinity(affinity: Array) -> Array:
    """Map unbounded topic affinities into (-1, 1) so no topic dominates without limit."""
    return np.asarray(np.tanh(affinity / 4.0), dtype=np.float32)


def fold_in(factors: Array, confidences: Array, gram: Array, *, regularization: float) -> Array:
    """The ALS account vector for these interactions, solved exactly as ALS would (one step).

    Minimises sum_i c_i (1 - x.y_i)^2 + sum_unseen (x.y_j)^2 + reg |x|^2, which
    is (Y'Y + Y'(C - I)Y + reg I) x = Y'C 1: the account is up to date after
    every event without retraining.

    >>> y = np.eye(2, dtype=np.float32)
    >>> fold_in(y[:1], np.array([1.0], np.float32), y.T @ y, regularization=0.0).round(3)
    array([1., 0.], dtype=float32)
    """
    a = gram + regularization * np.eye(len(gram), dtype=np.float32)
    a += (factors.T * (confidences - 1.0)) @ factors
    b = factors.T @ confidences
    return np.asarray(np.linalg.solve(a, b), dtype=np.float32)
