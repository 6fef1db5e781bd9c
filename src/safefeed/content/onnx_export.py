"""The embedding model as an ONNX graph, exported once from the bundled weights and cached on disk.

PyTorch is imported here only, and only when no usable graph is cached: the
export takes seconds, serving from the graph never needs torch. The graph
includes sentence-transformers' mean pooling and L2 normalisation, so its
output is the finished embedding.

The cache file is named after the weights' hash and the versions that shape
the graph, so new weights or a new exporter give a new file. It is written to
a temporary name and renamed into place: two processes exporting at once
each write their own file, and whichever rename lands last leaves a whole one.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import logging
import os
import tempfile
import warnings
from collections.abc import Mapping
from pathlib import Path

log = logging.getLogger(__name__)

# Bump when the exported graph changes (inputs, pooling, opset): old cache files are then ignored.
GRAPH_VERSION = 1
OPSET = 17
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
OUTPUT = "embedding"


class ExportFailed(RuntimeError):
    """The exported graph does not reproduce the PyTorch model's vectors."""


def cache_dir() -> Path:
    """Where exported graphs live: `SAFEFEED_CACHE_DIR`, else `~/.cache/safefeed`."""
    configured = os.environ.get("SAFEFEED_CACHE_DIR")
    return Path(configured) if configured else Path.home() / ".cache" / "safefeed"


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "none"


def cache_key(model_dir: Path) -> str:
    """Hash of the weights and tokenizer, the graph version and the exporter's and runtime's versions."""
    digest = hashlib.sha256()
    for name in ("model.safetensors", "config.json", "1_Pooling/config.json"):
        with (model_dir / name).open("rb") as file:
            for block in iter(lambda: file.read(1 << 20), b""):
                digest.update(block)
    for part in (f"graph{GRAPH_VERSION}", f"opset{OPSET}", _version("torch"), _version("onnxruntime")):
        digest.update(part.encode())
    return digest.hexdigest()[:24]


def graph_path(model_dir: Path, *, directory: Path | None = None) -> Path:
    """Where the graph for these weights is (or will be) cached."""
    return (directory or cache_dir()) / f"all-MiniLM-L6-v2-{cache_key(model_dir)}.onnx"


def export(model_dir: Path, target: Path) -> None:
    """Export the model with pooling and normalisation to `target` (atomically), checked against PyTorch."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    import transformers
    from transformers import AutoModel

    transformers.logging.disable_progress_bar()  # type: ignore[no-untyped-call]

    class Pooled(torch.nn.Module):
        """BERT, then sentence-transformers' mean pooling over real tokens, then unit length."""

        def __init__(self, bert: torch.nn.Module) -> None:
            super().__init__()
            self.bert = bert

        def forward(
            self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor
        ) -> torch.Tensor:
            hidden = self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2.0, dim=1)

    # Eager attention traces to plain ops that ONNX Runtime fuses; no shape-dependent branches are baked in.
    bert = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()
    pooled = Pooled(bert).eval()
    ids = torch.tensor([[101, 7592, 2088, 102, 0, 0], [101, 2204, 2851, 2000, 2017, 102]], dtype=torch.int64)
    mask = (ids != 0).to(torch.int64)
    types = torch.zeros_like(ids)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=target.name + ".", suffix=".tmp", dir=target.parent)
    os.close(handle)
    try:
        # The tracer warns about shape arithmetic it records as constants; the check below is what counts.
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = pooled(ids, mask, types).numpy()
            torch.onnx.export(
                pooled,
                (ids, mask, types),
                temporary,
                input_names=list(INPUTS),
                output_names=[OUTPUT],
                dynamic_axes={name: {0: "batch", 1: "tokens"} for name in INPUTS} | {OUTPUT: {0: "batch"}},
                opset_version=OPSET,
                dynamo=False,
            )
        feeds = {"input_ids": ids.numpy(), "attention_mask": mask.numpy(), "token_type_ids": types.numpy()}
        _check(Path(temporary), feeds, expected)
        os.chmod(temporary, 0o644)  # mkstemp makes it private; the cache may be shared by users of one install
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)
    log.info("exported the embedding model to %s", target)


def _check(path: Path, inputs: Mapping[str, object], expected: object) -> None:
    import numpy as np
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = np.asarray(session.run([OUTPUT], inputs)[0])
    cosine = np.sum(got * np.asarray(expected), axis=1)
    if not np.all(cosine > 0.9999):
        raise ExportFailed(f"the exported graph at {path} disagrees with PyTorch (cosine {cosine}); not cached")
