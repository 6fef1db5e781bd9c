"""The embedder (OpenVINO or ONNX Runtime) is the model sentence-transformers serves, in the caller's order."""

from __future__ import annotations

import concurrent.futures
import os
import random
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import pytest

from safefeed.content import embedding, embedding_runtime, embedding_torch, onnx_export
from safefeed.datasets import kinit

EDGE_TEXTS = [
    "",
    "   ",
    "😀🔥💀😭",
    "#fyp #foryou #viral",
    "Dnes som bola na túre v Tatrách a bolo to úžasné #slovensko",  # KInIT's puppets watched from Slovakia
    "Я так устала от всего этого",
    "我今天真的很累，不想说话",
    "مرحبا بكم في قناتي",
    "मुझे आज बहुत अकेलापन महसूस हो रहा है",
    "pov: you finally slept 8 hours " * 60,  # far past 256 word pieces: truncated as sentence-transformers does
    "line one\nline two\ttabbed",
]


def cosines(a: embedding.Vectors, b: embedding.Vectors) -> embedding.Vectors:
    return np.asarray(np.sum(a * b, axis=1), dtype=np.float32)


class CountingExporter:
    """The real exporter, counting its calls (dependency injection, not a mock)."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, model: Path, target: Path) -> None:
        self.calls += 1
        onnx_export.export(model, target)


def test_vectors_are_unit_rows_of_384_floats() -> None:
    vectors = embedding.embed(["hello", "a longer caption about a walk in the park #nature"])
    assert vectors.shape == (2, embedding.DIMENSIONS) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    empty = embedding.embed([])
    assert empty.shape == (0, embedding.DIMENSIONS) and empty.dtype == np.float32


def test_edge_texts_match_sentence_transformers() -> None:
    got = embedding.embed(EDGE_TEXTS)
    assert np.all(cosines(got, embedding_torch.embed(EDGE_TEXTS)) >= 0.99)


@pytest.mark.data
def test_real_captions_match_sentence_transformers(data_dir: Path) -> None:
    folder = data_dir / "tiktok-fyp-audit-kinit"
    if not folder.is_dir():
        pytest.skip(f"KInIT feed log not found at {folder}: set SAFEFEED_DATA to the shared data folder")
    texts = [video.text for video in kinit.read_catalog(folder).videos]
    sample = random.Random(0).sample(texts, 300) + EDGE_TEXTS
    got = embedding.embed(sample)
    expected = embedding_torch.embed(sample)
    similarity = cosines(got, expected)
    worst = int(np.argmin(similarity))
    assert similarity[worst] >= 0.99, f"cosine {similarity[worst]:.4f} for {sample[worst]!r}"


def test_length_sorted_batches_keep_the_callers_order() -> None:
    rng = random.Random(7)
    words = ["calm", "night", "walk", "exam", "stress", "dog", "beach", "🎧", "recipe", "tired"]
    texts = [" ".join(rng.choices(words, k=rng.randint(0, 80))) for _ in range(40)] + EDGE_TEXTS
    one_by_one = np.vstack([embedding.embed([text]) for text in texts])
    for batch_size in (1, 3, 8, 64):
        batched = embedding.default().embed(texts, batch_size=batch_size)
        assert np.all(cosines(batched, one_by_one) > 0.9999), f"rows moved with batch_size={batch_size}"
    order = list(range(len(texts)))
    rng.shuffle(order)
    shuffled = embedding.embed([texts[i] for i in order])
    assert np.all(cosines(shuffled, one_by_one[order]) > 0.9999)


class RecordingRunner:
    """The real runner, noting each batch's rows and shape on the way (dependency injection, not a mock)."""

    def __init__(self, runner: embedding_runtime.Runner) -> None:
        self.runner = runner
        self.name = runner.name
        self.width_multiple = runner.width_multiple
        self.batches: list[tuple[list[int], tuple[int, ...]]] = []

    def infer(self, batches: Iterable[tuple[embedding.Rows, embedding_runtime.Feeds]], out: embedding.Vectors) -> None:
        def noted() -> Iterator[tuple[embedding.Rows, embedding_runtime.Feeds]]:
            for rows, feeds in batches:
                self.batches.append((rows.tolist(), feeds["input_ids"].shape))
                yield rows, feeds

        self.runner.infer(noted(), out)


def test_batches_keep_to_the_token_budget_and_the_text_cap() -> None:
    """Short texts share big batches, long ones small ones; each text is in one batch; vectors as before."""
    rng = random.Random(3)
    words = ["calm", "night", "walk", "exam", "stress", "dog", "beach", "🎧", "recipe", "tired"]
    texts = [" ".join(rng.choices(words, k=rng.randint(0, 120))) for _ in range(120)] + EDGE_TEXTS
    served = embedding.default()
    recorder = RecordingRunner(served.runner)
    embedder = embedding.Embedder(recorder, served.tokenizer, graph=served.graph, threads=served.threads)
    got = embedder.embed(texts, batch_size=16, tokens=256)
    shapes = [shape for _, shape in recorder.batches]
    assert all(count <= 16 and (count * width <= 256 or count == 1) for count, width in shapes), shapes
    assert any(count == 16 for count, _ in shapes) and any(count < 4 for count, _ in shapes), shapes
    assert sorted(row for rows, _ in recorder.batches for row in rows) == list(range(len(texts)))
    assert np.all(cosines(got, served.embed(texts, batch_size=1)) > 0.9999)


def test_cached_graph_is_reused_and_a_corrupt_one_rebuilt(tmp_path: Path) -> None:
    exporter = CountingExporter()
    first = embedding.load(cache=tmp_path, threads=1, exporter=exporter)
    assert exporter.calls == 1 and first.graph.parent == tmp_path and first.graph.is_file()
    reference = first.embed(EDGE_TEXTS)
    written = first.graph.stat().st_mtime_ns

    second = embedding.load(cache=tmp_path, threads=1, exporter=exporter)
    assert exporter.calls == 1, "a cached graph must not be exported again"
    assert second.graph == first.graph and second.graph.stat().st_mtime_ns == written
    assert np.array_equal(second.embed(EDGE_TEXTS), reference)

    # A partial file (a crash mid-copy, a full disk): rebuilt, not crashed on.
    data = first.graph.read_bytes()
    first.graph.write_bytes(data[: len(data) // 2])
    third = embedding.load(cache=tmp_path, threads=1, exporter=exporter)
    assert exporter.calls == 2
    assert np.allclose(third.embed(EDGE_TEXTS), reference, atol=1e-5)
    assert not [path for path in tmp_path.iterdir() if path.suffix == ".tmp"], "no temporary file is left behind"


def test_a_garbage_cache_file_is_rebuilt(tmp_path: Path) -> None:
    graph = embedding.default().graph
    target = onnx_export.graph_path(embedding.model_dir(), directory=tmp_path)
    assert target.name == graph.name  # same weights, same versions: same cache key
    target.write_bytes(b"not an onnx graph at all")
    exporter = CountingExporter()
    rebuilt = embedding.load(cache=tmp_path, threads=1, exporter=exporter)
    assert exporter.calls == 1
    assert np.allclose(rebuilt.embed(EDGE_TEXTS), embedding.embed(EDGE_TEXTS), atol=1e-5)


def test_the_cache_key_follows_the_weights(tmp_path: Path) -> None:
    model = tmp_path / "model"
    shutil.copytree(embedding.model_dir(), model)
    before = onnx_export.cache_key(model)
    with (model / "model.safetensors").open("r+b") as file:
        file.seek(-1, os.SEEK_END)
        last = file.read(1)
        file.seek(-1, os.SEEK_END)
        file.write(bytes([last[0] ^ 1]))
    assert onnx_export.cache_key(model) != before


def test_threads_come_from_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFEFEED_EMBED_THREADS", "1")
    assert embedding.default_threads() == 1
    monkeypatch.setenv("SAFEFEED_EMBED_THREADS", "two")
    with pytest.raises(ValueError, match="SAFEFEED_EMBED_THREADS"):
        embedding.default_threads()
    monkeypatch.delenv("SAFEFEED_EMBED_THREADS")
    assert 1 <= embedding.default_threads() <= 2


def test_embedding_does_not_import_pytorch_once_the_graph_is_cached() -> None:
    embedding.default()  # the graph is in the cache from here on
    code = (
        "import sys\n"
        "from safefeed.content import embedding\n"
        "embedding.embed(['a quiet morning'])\n"
        "loaded = sorted(m for m in ('torch', 'transformers', 'sentence_transformers') if m in sys.modules)\n"
        "print(','.join(loaded))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300)
    assert done.stdout.strip() == "", f"imported at run time: {done.stdout.strip()}"


@pytest.mark.parametrize("runtime", ["onnxruntime", "openvino"])
def test_each_runtime_serves_the_models_vectors(runtime: str) -> None:
    """Both runtimes (bf16 OpenVINO where the CPU has the units, float32 ONNX Runtime) give PyTorch's vectors."""
    embedder = embedding.load(threads=1, runtime=runtime)
    assert embedder.runner.name.startswith(runtime)
    texts = EDGE_TEXTS + [f"caption {i} about {word}" for i, word in enumerate(("exams", "sleep", "🐶", "grief"))]
    got = embedder.embed(texts, batch_size=3)
    assert np.all(cosines(got, embedding_torch.embed(texts)) >= 0.999)


def test_the_runtime_comes_from_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFEFEED_EMBED_RUNTIME", "onnxruntime")
    assert embedding_runtime.configured() == "onnxruntime"
    monkeypatch.setenv("SAFEFEED_EMBED_RUNTIME", "tensorflow")
    with pytest.raises(ValueError, match="SAFEFEED_EMBED_RUNTIME must be one of auto, openvino, onnxruntime"):
        embedding_runtime.configured()
    monkeypatch.delenv("SAFEFEED_EMBED_RUNTIME")
    assert embedding_runtime.configured() == "auto"


def test_concurrent_callers_each_get_their_own_rows() -> None:
    """The OpenVINO runner owns one queue of streams: callers from several threads must not mix rows."""
    embedder = embedding.load(threads=2, runtime="openvino")
    groups = [[f"{topic} video number {i}" for i in range(30)] for topic in ("cats", "exams", "football", "cooking")]
    alone = [embedder.embed(group) for group in groups]
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(embedder.embed, groups * 3))
    for index, vectors in enumerate(together):
        assert np.allclose(vectors, alone[index % len(groups)], atol=1e-6)
