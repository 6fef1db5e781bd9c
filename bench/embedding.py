"""Captions embedded per second on real captions: what SafeFeed serves (the runtime `embedding_runtime`
picks: OpenVINO bf16 on CPUs with bf16 units, else ONNX Runtime) against the PyTorch floor
(sentence-transformers, the path it replaced) and ONNX Runtime float32, idle and beside a second busy process.

Run: .venv/bin/python bench/embedding.py [--captions 2000] [--threads 2] [--busy-threads 1] [--repeats 3] [--json]

"busy" starts a second SafeFeed process that embeds captions in a loop with
its own thread setting (SAFEFEED_EMBED_THREADS=--busy-threads) and measures
every path again with --busy-threads each, as two processes sharing a small
machine would be configured. Each figure is the median over --repeats; the
paths' runs alternate so a change in the machine's load hits them all.
Uses real captions of the videos TikTok served the KInIT sock puppets from
../shared/data when present (SAFEFEED_DATA overrides), else synthetic ones.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import classifier_throughput
import numpy as np

from safefeed.content import embedding, embedding_torch
from safefeed.datasets import labelled_text

Embed = Callable[[Sequence[str]], Any]

BUSY_LOOP = """
import random, sys
from safefeed.content import embedding
texts = [line.rstrip("\\n") for line in sys.stdin]
embedding.embed(texts[:32])
print("ready", flush=True)
while True:
    embedding.embed(random.sample(texts, min(256, len(texts))))
"""


def rate(embed: Embed, texts: Sequence[str]) -> float:
    started = time.perf_counter()
    embed(texts)
    return len(texts) / (time.perf_counter() - started)


def medians(paths: dict[str, Embed], texts: Sequence[str], repeats: int) -> dict[str, float]:
    """Median captions/s per path, the paths interleaved within each repeat."""
    rates: dict[str, list[float]] = {name: [] for name in paths}
    for _ in range(repeats):
        for name, embed in paths.items():
            rates[name].append(rate(embed, texts))
    return {name: round(statistics.median(values), 1) for name, values in rates.items()}


@contextlib.contextmanager
def busy_process(texts: Sequence[str], threads: int) -> Iterator[None]:
    """A second SafeFeed process embedding captions in a loop until the block ends."""
    env = {**os.environ, "SAFEFEED_EMBED_THREADS": str(threads), "OMP_NUM_THREADS": str(threads)}
    process = subprocess.Popen(
        [sys.executable, "-c", BUSY_LOOP], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True
    )
    try:
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write("\n".join(text.replace("\n", " ") for text in texts) + "\n")
        process.stdin.close()
        if process.stdout.readline().strip() != "ready":
            raise RuntimeError("the busy process did not start; run it alone to see why")
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--captions", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=2, help="threads of each path when the machine is idle")
    parser.add_argument("--busy-threads", type=int, default=1, help="threads of each path and of the busy process")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-busy", action="store_true", help="skip the measurement beside a busy process")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    texts = classifier_throughput.captions(args.captions, args.seed)
    load_before = os.getloadavg()[0]

    result: dict[str, Any] = {
        "captions": len(texts),
        "mean_characters": round(sum(map(len, texts)) / max(len(texts), 1)),
        "real_captions": labelled_text.available(labelled_text.KINIT),
        "repeats": args.repeats,
    }
    runs = [("idle", args.threads)] + ([] if args.no_busy else [("busy", args.busy_threads)])
    for name, threads in runs:
        served = embedding.load(threads=threads)
        embedding_torch.set_threads(threads)
        paths: dict[str, Embed] = {
            "served": served.embed,
            "onnxruntime": embedding.load(threads=threads, runtime="onnxruntime").embed,
            "pytorch": embedding_torch.embed,
        }
        for embed in paths.values():
            embed(texts[:64])  # load and warm up
        with busy_process(texts, args.busy_threads) if name == "busy" else contextlib.nullcontext():
            figures = medians(paths, texts, args.repeats)
        result[name] = {
            "threads": threads,
            "runtime": served.runner.name,
            "captions_per_s": figures["served"],
            "floor_pytorch_captions_per_s": figures["pytorch"],
            "ratio": round(figures["served"] / figures["pytorch"], 2),
            "onnxruntime_fp32_captions_per_s": figures["onnxruntime"],
        }
    # Parity on the same captions: the speed is only worth having if the vectors are the model's.
    cosine = np.sum(embedding.load(threads=args.threads).embed(texts) * embedding_torch.embed(texts), axis=1)
    result["parity_min_cosine"] = round(float(cosine.min()), 5)
    # The machine may be shared: its load says how far wall-clock figures are from an idle machine's.
    result["load_average_before_after"] = [round(load_before, 1), round(os.getloadavg()[0], 1)]

    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{len(texts):,} captions (mean {result['mean_characters']} characters), median of {args.repeats}")
    for name, _ in runs:
        row = result[name]
        print(
            f"{name:>4}, {row['threads']} thread(s): {row['runtime']} {row['captions_per_s']:,.0f} captions/s, "
            f"PyTorch floor {row['floor_pytorch_captions_per_s']:,.0f} captions/s, ratio {row['ratio']:.2f} "
            f"(ONNX Runtime fp32 {row['onnxruntime_fp32_captions_per_s']:,.0f} captions/s)"
        )
    print(f"parity: smallest cosine served vs PyTorch {result['parity_min_cosine']}")
    print(f"load average before / after: {load_before:.1f} / {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
