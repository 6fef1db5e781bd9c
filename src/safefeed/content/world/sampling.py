"""Vectorised sampling helpers shared by the generator's parts."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]


def quotas(total: int, shares: Sequence[float]) -> IntArray:
    """Split `total` by `shares` with the largest-remainder method, so proportions hold exactly.

    >>> quotas(10, [0.5, 0.3, 0.2]).tolist()
    [5, 3, 2]
    >>> quotas(7, [0.5, 0.3, 0.2]).tolist()
    [4, 2, 1]
    """
    weights = np.asarray(shares, dtype=np.float64)
    raw = total * weights / weights.sum()
    counts: IntArray = np.floor(raw).astype(np.int64)
    remainder = raw - counts
    order = np.argsort(-remainder, kind="stable")
    counts[order[: total - int(counts.sum())]] += 1
    return counts


def uniform_index(rng: np.random.Generator, sizes: IntArray) -> IntArray:
    """One index in range(sizes[i]) for every row, whatever each row's size."""
    return np.minimum((rng.random(len(sizes)) * sizes).astype(np.int64), sizes - 1)


def distinct(rng: np.random.Generator, sizes: IntArray, counts: IntArray) -> IntArray:
    """Per row, `counts[i]` distinct indices in range(sizes[i]) (a row of -1 where unused)."""
    rows = len(sizes)
    width = int(sizes.max()) if rows else 0
    keys = rng.random((rows, width))
    keys[np.arange(width)[None, :] >= sizes[:, None]] = np.inf
    picked = np.argsort(keys, axis=1)[:, : int(counts.max()) if rows else 0].astype(np.int64)
    picked[np.arange(picked.shape[1])[None, :] >= counts[:, None]] = -1
    return picked
