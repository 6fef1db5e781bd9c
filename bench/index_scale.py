"""The vector index at catalog scale: recall@100 against exact search, latency, memory, build time.

    python bench/index_scale.py --items 1000000 10000000 --json

For each size, synthetic clustered unit vectors of the engine's dimension
(fixed seed; `--clusters` random centres, like topics, plus per-item detail
of norm 0.8 along 48 shared directions and a little noise in all of them) are generated in chunks, so 10M items
never exist as float32 at once. The index configuration the engine uses
(`index.FaissIndex`: exact below its threshold, else IVF over compact codes) is
built from them; exact top-100 for the queries is computed chunk by chunk
alongside (not timed). Queries are unit mixtures of two items' vectors, as an
account interested in two topics asks. Each (size, codec) runs in its own
process so that its resident memory is its own. A codec whose index would not
fit the stated budget (`index.BUDGET_BYTES_PER_ITEM` per item) is measured
up to 1M items, to show the trade-off, and reported but not built above.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import subprocess
import sys
import time

import faiss
import numpy as np
import numpy.typing as npt

from safefeed.recommend import index as vector_index
from safefeed.recommend import vectors

Matrix = npt.NDArray[np.float32]
CHUNK = 250_000
DETAIL_RANK = 48  # intrinsic dimension of the per-item detail
DETAIL = 0.8  # its norm, against a centre of norm 1
ISOTROPIC = 0.3  # norm of the noise in every dimension
K = 400  # what the feed's interest source asks (EngineConfig.interest_candidates)
RECALL_AT = 100
CODE_BYTES = {"sq8": 1, "fp16": 2}
OVER_BUDGET_UP_TO = 1_000_000  # a codec over the budget is still measured this far, to show the trade-off


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def unit(rows: Matrix) -> Matrix:
    return np.asarray(rows / np.linalg.norm(rows, axis=1, keepdims=True), dtype=np.float32)


def centres(clusters: int, dimensions: int, seed: int) -> Matrix:
    return unit(np.random.default_rng([seed, 0]).standard_normal((clusters, dimensions), dtype=np.float32))


def basis(dimensions: int, seed: int) -> Matrix:
    """Directions the per-item detail varies along: embeddings vary in far fewer than all dimensions."""
    return unit(np.random.default_rng([seed, 3]).standard_normal((DETAIL_RANK, dimensions), dtype=np.float32))


def chunk(number: int, size: int, centre: Matrix, detail: Matrix, seed: int) -> Matrix:
    """Rows of one chunk: a random centre each, detail along `detail` and a little isotropic noise.

    The same (seed, number) gives the same rows; rows are i.i.d.
    """
    rng = np.random.default_rng([seed, 1, number])
    assigned = rng.integers(0, len(centre), size=size)
    dimensions = centre.shape[1]
    rows = rng.standard_normal((size, dimensions), dtype=np.float32) * np.float32(ISOTROPIC / np.sqrt(dimensions))
    rows += rng.standard_normal((size, DETAIL_RANK), dtype=np.float32) @ (
        detail * np.float32(DETAIL / np.sqrt(DETAIL_RANK))
    )
    rows += centre[assigned]
    return unit(rows)


def queries(count: int, centre: Matrix, detail: Matrix, seed: int) -> Matrix:
    first, second = chunk(10**6, count, centre, detail, seed), chunk(10**6 + 1, count, centre, detail, seed)
    return unit(first + second)


def measure(items: int, codec: vector_index.Codec, args: argparse.Namespace) -> dict[str, object]:
    """Build, check and time one index, in this process."""
    dimensions = vectors.DIMENSIONS
    centre = centres(args.clusters, dimensions, args.seed)
    detail = basis(dimensions, args.seed)
    asked = queries(args.queries, centre, detail, args.seed)
    exact_scores = np.full((len(asked), RECALL_AT), -np.inf, dtype=np.float32)
    exact_ids = np.full((len(asked), RECALL_AT), -1, dtype=np.int64)
    index = vector_index.FaissIndex(dimensions, codec=codec, seed=args.seed)
    chunks = range(0, items, CHUNK)
    faiss.omp_set_num_threads(args.build_threads)
    gc.collect()
    before = rss_mb()
    build_s = 0.0
    for number, start in enumerate(chunks):
        rows = chunk(number, min(CHUNK, items - start), centre, detail, args.seed)
        if number == 0:  # rows are i.i.d.: the first chunk is as good a training sample as any
            started = time.perf_counter()
            index.prepare(items, rows[: vector_index.lists_for(items) * vector_index.TRAINING_POINTS_PER_LIST])
            build_s += time.perf_counter() - started
        started = time.perf_counter()
        index.add(rows)
        build_s += time.perf_counter() - started
        # Exact top-100 so far: merge this chunk's best into the running best.
        scores = asked @ rows.T
        best = np.argpartition(-scores, RECALL_AT - 1, axis=1)[:, :RECALL_AT]
        merged_scores = np.hstack([exact_scores, np.take_along_axis(scores, best, axis=1)])
        merged_ids = np.hstack([exact_ids, best + start])
        keep = np.argpartition(-merged_scores, RECALL_AT - 1, axis=1)[:, :RECALL_AT]
        exact_scores = np.take_along_axis(merged_scores, keep, axis=1)
        exact_ids = np.take_along_axis(merged_ids, keep, axis=1)
        del rows, scores
        print(f"  {codec} {items:,}: added {start + CHUNK:,} ({build_s:.0f} s building)", file=sys.stderr)
    gc.collect()
    faiss.omp_set_num_threads(1)  # as the engine serves: one query at a time, one thread
    recall = []
    for row, query in enumerate(asked):
        _, found = index.search(query[None, :], K)
        recall.append(len(set(found[0, :RECALL_AT].tolist()) & set(exact_ids[row].tolist())) / RECALL_AT)
    timings = []
    for _ in range(args.rounds):
        for query in asked:
            started = time.perf_counter()
            index.search(query[None, :], K)
            timings.append((time.perf_counter() - started) * 1000)
    index_bytes = index.memory_bytes()
    budget = vector_index.BUDGET_BYTES_PER_ITEM * items
    return {
        "items": items,
        "codec": codec,
        "exact": index.exact,
        "lists": vector_index.lists_for(items),
        "nprobe": index.nprobe,
        "k": K,
        f"recall@{RECALL_AT}": round(statistics.mean(recall), 4),
        f"recall@{RECALL_AT}_min": round(min(recall), 4),
        "p50_ms": round(statistics.median(timings), 3),
        "p99_ms": round(float(np.percentile(timings, 99)), 3),
        "build_s": round(build_s, 1),
        "index_mb": round(index_bytes / 2**20, 1),
        "bytes_per_item": round(index_bytes / items, 1),
        "budget_mb": round(budget / 2**20, 1),
        "within_budget": index_bytes <= budget,
        "rss_mb": round(rss_mb(), 0),
        "rss_mb_before_build": round(before, 0),
    }


def predicted_bytes(items: int, codec: str) -> int:
    """What the index would hold, to refuse building one that cannot fit the budget."""
    return items * (vectors.DIMENSIONS * CODE_BYTES[codec] + 16)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--codecs", nargs="+", choices=sorted(CODE_BYTES), default=["sq8", "fp16"])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5, help="timed passes over the queries")
    parser.add_argument("--clusters", type=int, default=2000)
    parser.add_argument("--build-threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--one", nargs=2, metavar=("ITEMS", "CODEC"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(int(args.one[0]), args.one[1], args)))
        return
    results: list[dict[str, object]] = []
    for items in args.items:
        for codec in args.codecs:
            predicted = predicted_bytes(items, codec)
            if predicted > vector_index.BUDGET_BYTES_PER_ITEM * items and items > OVER_BUDGET_UP_TO:
                results.append(
                    {
                        "items": items,
                        "codec": codec,
                        "skipped": f"needs ~{predicted / 2**20:.0f} MB, over the budget of "
                        f"{vector_index.BUDGET_BYTES_PER_ITEM * items / 2**20:.0f} MB",
                    }
                )
                continue
            passed = [a for a in sys.argv[1:] if a != "--json"]
            command = [sys.executable, __file__, *passed, "--one", str(items), codec]
            done = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True)
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))
            print(json.dumps(results[-1]), file=sys.stderr)  # each figure as soon as it is measured
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for result in results:
            print("  ".join(f"{key}={value}" for key, value in result.items()))


if __name__ == "__main__":
    main()
