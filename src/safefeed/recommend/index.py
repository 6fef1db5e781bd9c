"""Nearest-neighbour search over item vectors (inner product on unit vectors).

Below `exact_below` items the index is exact (a flat scan); above, it is an
inverted file with 8-bit scalar quantisation: a quarter of the memory of
float32 and a scan of only `nprobe` of its lists per query.
"""

from __future__ import annotations

from typing import Protocol

import faiss
import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float32]
Ids = npt.NDArray[np.int64]


class VectorIndex(Protocol):
    """Item positions nearest to each query, best first."""

    def search(self, queries: Matrix, k: int) -> tuple[Matrix, Ids]:
        """Scores and positions, shape (len(queries), k); position -1 where fewer than k exist."""
        ...

    def add(self, vectors: Matrix) -> None:
        """Append items; they get the next positions."""
        ...

    def reconstruct(self, positions: Ids) -> Matrix:
        """The stored (possibly quantised) vectors at these positions."""
        ...

    @property
    def size(self) -> int: ...


class FaissIndex:
    """A faiss index that is exact for small catalogs and approximate for big ones."""

    def __init__(self, dimensions: int, *, exact_below: int = 20_000, nprobe: int = 24, seed: int = 0) -> None:
        self.dimensions = dimensions
        self.exact_below = exact_below
        self.nprobe = nprobe
        self.seed = seed
        self._index: faiss.Index = faiss.IndexFlatIP(dimensions)

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    @property
    def exact(self) -> bool:
        return isinstance(self._index, faiss.IndexFlat)

    def build(self, vectors: Matrix) -> None:
        """Replace the contents, choosing exact or approximate search by size."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        count = len(vectors)
        if count < self.exact_below:
            self._index = faiss.IndexFlatIP(self.dimensions)
        else:
            lists = int(4 * np.sqrt(count))
            quantiser = faiss.IndexFlatIP(self.dimensions)
            index = faiss.IndexIVFScalarQuantizer(
                quantiser, self.dimensions, lists, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
            )
            sample = np.random.default_rng(self.seed).choice(count, size=min(count, lists * 64), replace=False)
            index.cp.seed = self.seed
            index.train(vectors[np.sort(sample)])
            index.nprobe = self.nprobe
            index.set_direct_map_type(faiss.DirectMap.Array)  # type: ignore[attr-defined]
            self._index = index
        self._index.add(vectors)
        # Serving asks one query at a time: OpenMP threads would cost more than they save.
        faiss.omp_set_num_threads(1)

    def add(self, vectors: Matrix) -> None:
        self._index.add(np.ascontiguousarray(vectors, dtype=np.float32))

    def search(self, queries: Matrix, k: int) -> tuple[Matrix, Ids]:
        scores, positions = self._index.search(np.ascontiguousarray(queries, dtype=np.float32), k)
        return scores, positions

    def reconstruct(self, positions: Ids) -> Matrix:
        return np.asarray(self._index.reconstruct_batch(np.asarray(positions, dtype=np.int64)), dtype=np.float32)

    def memory_bytes(self) -> int:
        """Bytes the index holds, as faiss serialises it."""
        return int(faiss.serialize_index(self._index).nbytes)
