"""Nearest-neighbour search over item vectors (inner product on unit vectors).

Below `exact_below` items the index is exact (a flat float32 scan: at 20k items
that is 33 MB and well under a millisecond). Above, it is an inverted file
(IVF, about 4 sqrt(N) lists, `nprobe` of them scanned per query) over compact
codes: 8-bit scalar quantisation (`codec="sq8"`, one byte per dimension, a
quarter of float32) or float16 (`codec="fp16"`, half). Past
`HNSW_QUANTISER_FROM` lists the coarse quantiser is itself an HNSW graph, so
that assigning 10M items (and each query) to lists does not scan every centroid.

Memory budget: the approximate index holds at most `BUDGET_BYTES_PER_ITEM`
bytes per item (0.5 GB at 1M items, 5 GB at 10M); with 416 dimensions sq8
needs 416 bytes of code plus 16 of id and direct map per item, fp16 twice the
code and so does not fit. `bench/index_scale.py` measures both against it,
with recall@100 against exact search.
"""

from __future__ import annotations

import math
from typing import Literal, Protocol

import faiss
import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float32]
Ids = npt.NDArray[np.int64]
Codec = Literal["sq8", "fp16"]

BUDGET_BYTES_PER_ITEM = 512
HNSW_QUANTISER_FROM = 8192  # lists; below this a flat scan of the centroids is cheaper than a graph
CODECS: dict[Codec, int] = {"sq8": faiss.ScalarQuantizer.QT_8bit, "fp16": faiss.ScalarQuantizer.QT_fp16}
TRAINING_POINTS_PER_LIST = 16  # k-means over 16 points per list (10 rounds) keeps a 10M build in minutes


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


def lists_for(count: int) -> int:
    """Inverted lists for a catalog of `count` items (the usual 4 sqrt(N)).

    >>> lists_for(1_000_000), lists_for(10_000_000)
    (4000, 12649)
    """
    return max(1, int(4 * math.sqrt(count)))


class FaissIndex:
    """A faiss index that is exact for small catalogs and approximate (IVF over compact codes) for big ones."""

    def __init__(
        self,
        dimensions: int,
        *,
        exact_below: int = 20_000,
        nprobe: int = 24,
        codec: Codec = "sq8",
        seed: int = 0,
    ) -> None:
        self.dimensions = dimensions
        self.exact_below = exact_below
        self.nprobe = nprobe
        self.codec: Codec = codec
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
        sample = np.random.default_rng(self.seed).choice(
            count, size=min(count, lists_for(count) * TRAINING_POINTS_PER_LIST), replace=False
        )
        self.prepare(count, vectors[np.sort(sample)])
        self.add(vectors)
        # Serving asks one query at a time: OpenMP threads would cost more than they save.
        faiss.omp_set_num_threads(1)

    def prepare(self, count: int, sample: Matrix) -> None:
        """Empty the index and shape it for `count` items, training on `sample` if it is to be approximate.

        `build` does this and adds the vectors; call it directly to add a catalog
        too big to hold as float32 in chunks.
        """
        if count < self.exact_below:
            self._index = faiss.IndexFlatIP(self.dimensions)
            return
        lists = lists_for(count)
        index = faiss.IndexIVFScalarQuantizer(
            faiss.IndexFlatIP(self.dimensions), self.dimensions, lists, CODECS[self.codec], faiss.METRIC_INNER_PRODUCT
        )
        index.cp.seed = self.seed
        index.cp.niter = 10
        index.cp.min_points_per_centroid = 1  # a small sample is deliberate (see TRAINING_POINTS_PER_LIST)
        index.train(np.ascontiguousarray(sample, dtype=np.float32))
        if lists >= HNSW_QUANTISER_FROM:  # trained flat (exact k-means), then searched through a graph
            graph = faiss.IndexHNSWFlat(self.dimensions, 32, faiss.METRIC_INNER_PRODUCT)
            graph.hnsw.efConstruction = 64
            graph.hnsw.efSearch = max(64, 2 * self.nprobe)
            graph.add(index.quantizer.reconstruct_n(0, lists))
            index.quantizer = graph
            self._graph = graph  # the IVF index does not own it: keep it alive as long as the index
        index.nprobe = self.nprobe
        index.set_direct_map_type(faiss.DirectMap.Array)  # type: ignore[attr-defined]
        self._index = index

    def add(self, vectors: Matrix) -> None:
        self._index.add(np.ascontiguousarray(vectors, dtype=np.float32))

    def search(self, queries: Matrix, k: int) -> tuple[Matrix, Ids]:
        scores, positions = self._index.search(np.ascontiguousarray(queries, dtype=np.float32), k)
        return scores, positions

    def reconstruct(self, positions: Ids) -> Matrix:
        return np.asarray(self._index.reconstruct_batch(np.asarray(positions, dtype=np.int64)), dtype=np.float32)

    def memory_bytes(self) -> int:
        """Bytes the index holds: codes, ids, direct map and coarse quantiser (counted, not serialised)."""
        index = self._index
        if self.exact:
            return int(index.ntotal) * self.dimensions * 4
        ivf = faiss.extract_index_ivf(index)
        per_item = int(ivf.code_size) + 8 + 8  # code, id in its list, direct-map entry
        quantiser = faiss.downcast_index(ivf.quantizer)
        centroids = int(quantiser.ntotal) * self.dimensions * 4
        graph = 0
        if isinstance(quantiser, faiss.IndexHNSW):
            hnsw = quantiser.hnsw
            graph = int(hnsw.neighbors.size()) * 4 + int(hnsw.levels.size()) * 4  # type: ignore[attr-defined]
        return int(ivf.ntotal) * per_item + centroids + graph
