"""Generated captions vs real ones: does the project's classifier find them as hard?

    python bench/world_difficulty.py --videos 30000 --real-json eval.json --json

Generates a world, samples it the way the real labelled captions were sampled
(`audit.difficulty`), classifies the sample with the shipped classifier and
prints precision, recall and F1 beside the classifier's grouped
cross-validation on the real labelled captions (from `safefeed classify eval
--json`, given as --real-json, or computed here when omitted: minutes). The
figure is the gap; the issue's bar is 0.05 on F1 and recall. Also prints the
share of generated mental-health captions without an obvious keyword (real:
about half).

With --write-classifier-error it also writes the confusion counts the audit's
prevalence correction uses (src/safefeed/audit/data/classifier_error.json):
sensitivity from the cross-validation's positives, specificity from its
random-stratum negatives (the representative sample of a feed).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

from safefeed.audit import difficulty
from safefeed.content import classifier, generate

REAL_KEY = "tiktok-captions-mh-labels"
ERROR_FILE = Path(__file__).resolve().parents[1] / "src" / "safefeed" / "audit" / "data" / "classifier_error.json"


def real_report(path: Path | None) -> dict[str, Any]:
    if path is None:
        from safefeed import config  # computing it here takes minutes: embedding every labelled set
        from safefeed.content import training

        options = training.Options()
        corpus = training.load_corpus(config.load().data_dir, options=options)
        return training.evaluate(corpus, classifier.load(), options=options)
    report = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(report, dict)
    return report


def real_scores(report: dict[str, Any]) -> dict[str, Any]:
    mh = report[REAL_KEY]["mh_related"]
    return {"precision": mh["precision"], "recall": mh["recall"], "f1": mh["f1"], "n": report[REAL_KEY]["n"]}


def classifier_error(report: dict[str, Any]) -> dict[str, Any]:
    """Confusion counts for `audit.scoring.classifier_error`, from the grouped cross-validation."""
    confusion = report[REAL_KEY]["mh_confusion"]  # {truth: {predicted: n}}
    positives = confusion.get("1", {})
    random = report[REAL_KEY]["by_group"]["random"]
    negatives = random["n"] - round(random["mh_related"]["support"])
    false_positives = round(random["false_positive_rate"] * negatives)
    return {
        "true_positives": positives.get("1", 0),
        "false_negatives": positives.get("0", 0),
        "true_negatives": negatives - false_positives,
        "false_positives": false_positives,
        "source": f"{report[REAL_KEY]['method']} on {REAL_KEY} (development split): sensitivity on all "
        "labelled positives, specificity on the random stratum's negatives",
    }


def generated_scores(videos: int, seed: int) -> dict[str, Any]:
    world = generate.generate(videos, seed=seed)
    texts = [video.text for video in world.videos]
    truth = [world.answer_key[video.id].mh_related for video in world.videos]
    sample = difficulty.stratified_sample(texts, seed=seed)
    started = time.perf_counter()
    results = classifier.default().classify([world.videos[i] for i in sample])
    seconds = time.perf_counter() - started
    scored = difficulty.scores([r.mh_related for r in results], [truth[i] for i in sample])
    mh_texts = [text for text, is_mh in zip(texts, truth, strict=True) if is_mh]
    return {
        **{k: getattr(scored, k) for k in ("precision", "recall", "f1", "support", "n")},
        "mh_without_keyword": round(sum(not difficulty.keyword_hit(t) for t in mh_texts) / len(mh_texts), 3),
        "classify_s": round(seconds, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--videos", type=int, default=30_000)
    parser.add_argument("--seed", type=int, nargs="+", default=[7])
    parser.add_argument("--real-json", type=Path, help="output of `safefeed classify eval --json`")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--write-classifier-error", action="store_true", help=f"write {ERROR_FILE.name}")
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    report = real_report(args.real_json)
    real = real_scores(report)
    if args.write_classifier_error:
        ERROR_FILE.write_text(json.dumps(classifier_error(report), indent=1) + "\n", encoding="utf-8")
    runs = [generated_scores(args.videos, seed) for seed in args.seed]
    generated = {
        key: round(sum(run[key] for run in runs) / len(runs), 4)
        for key in ("precision", "recall", "f1", "mh_without_keyword")
    }
    result = {
        "real_cv": real,
        "generated": generated,
        "generated_runs": runs,
        "gap_f1": round(generated["f1"] - real["f1"], 4),
        "gap_recall": round(generated["recall"] - real["recall"], 4),
        "within_0.05": abs(generated["f1"] - real["f1"]) <= 0.05 and abs(generated["recall"] - real["recall"]) <= 0.05,
    }
    if args.json:
        print(json.dumps(result, indent=1))
        return
    print(f"real captions (grouped CV): P={real['precision']:.3f} R={real['recall']:.3f} F1={real['f1']:.3f}")
    print(
        f"generated captions:         P={generated['precision']:.3f} R={generated['recall']:.3f} "
        f"F1={generated['f1']:.3f} ({generated['mh_without_keyword']:.0%} of MH captions without a keyword)"
    )
    print(f"gap: F1 {result['gap_f1']:+.3f}, recall {result['gap_recall']:+.3f}; within 0.05: {result['within_0.05']}")


if __name__ == "__main__":
    main()
