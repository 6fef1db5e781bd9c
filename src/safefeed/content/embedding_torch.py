"""The same model through sentence-transformers on PyTorch: the parity reference and the speed floor.

Nothing in serving or importing uses it (see `embedding`); tests compare
against it and bench/embedding.py measures it beside the ONNX path.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from safefeed.content import embedding


@functools.cache
def _model() -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(embedding.model_dir()), device="cpu")


def embed(texts: Sequence[str], *, batch_size: int = 8) -> embedding.Vectors:
    """Unit-length embeddings as sentence-transformers makes them (batches of 8: its fastest on 2 cores)."""
    if not texts:
        return np.zeros((0, embedding.DIMENSIONS), dtype=np.float32)
    vectors = _model().encode(
        list(texts), batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
    )
    return np.asarray(vectors, dtype=np.float32)


def set_threads(threads: int) -> None:
    """PyTorch's intra-op threads (the reference path only)."""
    import torch

    torch.set_num_threads(threads)
