"""Captions per second of the full classify path on 2 CPU cores, against its floor (embedding alone).

Run: .venv/bin/python bench/classifier_throughput.py [--captions 2000] [--threads 2] [--json]

Uses real captions of ordinary feed videos from ../shared/data when present
(SAFEFEED_DATA overrides), else synthetic captions of similar length.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time

from safefeed.content import classifier, embedding
from safefeed.datasets import labelled_text


def captions(n: int, seed: int) -> list[str]:
    if labelled_text.available(labelled_text.KINIT):
        texts = [caption.text for caption in labelled_text.ordinary_captions()]
        return random.Random(seed).sample(texts, min(n, len(texts)))
    words = ["so", "tired", "today", "my", "cat", "best", "recipe", "sad", "crying", "pov", "new", "song"]
    rng = random.Random(seed)
    return [
        " ".join(rng.choices(words, k=rng.randint(4, 20))) + " " + " ".join(f"#{w}" for w in rng.choices(words, k=5))
        for _ in range(n)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--captions", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    os.environ["SAFEFEED_EMBED_THREADS"] = str(args.threads)  # read when the embedder loads, below
    texts = captions(args.captions, args.seed)
    predictor = classifier.default()
    predictor.classify(texts[:64])  # load the model and warm up
    load_before = os.getloadavg()[0]

    started = time.perf_counter()
    vectors = embedding.embed([classifier.model_text(text) for text in texts])
    floor = time.perf_counter() - started

    started = time.perf_counter()
    results = predictor.classify_embedded(texts, vectors)
    rest = time.perf_counter() - started

    started = time.perf_counter()
    predictor.classify(texts)
    full = time.perf_counter() - started

    n = len(texts)
    embedded = sum(1 for result in results if result.embedded)
    result = {
        "captions": n,
        "threads": embedding.default().threads,
        "mean_characters": round(sum(map(len, texts)) / n),
        "captions_per_s": round(n / full, 1),
        "floor_captions_per_s": round(n / floor, 1),
        "gate_share_embedded": round(embedded / n, 4),
        "lexicon_and_heads_ms_per_caption": round(1000 * rest / n, 3),
        # The machine may be shared: its load says how far wall-clock figures are from an idle machine's.
        "load_average_before_after": [round(load_before, 1), round(os.getloadavg()[0], 1)],
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{n:,} captions (mean {result['mean_characters']} characters), {result['threads']} threads")
    print(f"classify (lexicon gate + embedding + heads): {n / full:,.0f} captions/s")
    print(f"floor (embedding every caption):             {n / floor:,.0f} captions/s")
    print(f"ratio classify / floor:                      {floor / full:.2f}")
    print(f"captions the lexicon gate sends to the model: {embedded / n:.1%}")
    print(f"lexicon + heads per caption:                 {1000 * rest / n:.2f} ms")
    print(f"load average before / after:                 {load_before:.1f} / {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
