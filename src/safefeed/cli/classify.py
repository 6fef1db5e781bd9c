"""`safefeed classify ...`: label captions, train and evaluate the classifier, and run human review."""

from __future__ import annotations

import csv
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from safefeed import config, model
from safefeed.cli import common
from safefeed.content import classifier, review
from safefeed.datasets import labelled_text
from safefeed.store import repository

if TYPE_CHECKING:  # training loads scikit-learn and scipy.stats: only `train` and `eval` pay for them
    from safefeed.content import training

app = typer.Typer(
    help="Label videos by mental-health relevance, theme and harm; train, evaluate, review the classifier.",
    invoke_without_command=True,
)
review_app = typer.Typer(help="Send low-confidence labels to people and take their answers back.", no_args_is_help=True)
app.add_typer(review_app, name="review")

OUTPUT_COLUMNS = ("video_id", "mh_related", "mh_probability", "theme", "harm")
EXPLAIN_COLUMNS = ("matched_terms", "nearest_examples")
DEFAULT_CACHE = Path("artifacts") / "classifier-embeddings.npz"

DataOption = Annotated[
    Path | None,
    typer.Option("--data", help="The shared data folder (default: SAFEFEED_DATA or ../shared/data)."),
]
CacheOption = Annotated[Path, typer.Option("--cache", help="Where to keep embeddings between runs (not in git).")]
WeightsOption = Annotated[Path | None, typer.Option("--weights", help="Weights file (default: the shipped one).")]
DatabaseOption = Annotated[
    str | None,
    typer.Option("--database-url", help="Database URL (default: SAFEFEED_DATABASE_URL or sqlite)."),
]


def _threads() -> None:
    """Use the cores we were given, not every core the machine reports."""
    import torch

    torch.set_num_threads(max(1, min(len(os.sched_getaffinity(0)), torch.get_num_threads())))


def _predictor(weights: Path | None) -> classifier.Default:
    return classifier.default() if weights is None else classifier.Default(classifier.load(weights))


def _read_captions(path: Path) -> list[tuple[str, str]]:
    """(video_id, text) per row of a CSV with columns video_id, desc, hashtags."""
    if not path.is_file():
        raise common.UsageError(f"--input {path} does not exist")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"video_id", "desc"} - set(reader.fieldnames or ())
        if missing:
            raise common.UsageError(
                f"{path} lacks the column(s) {', '.join(sorted(missing))}; expected video_id, desc, hashtags"
            )
        rows = []
        for line, row in enumerate(reader, start=2):
            video_id = (row.get("video_id") or "").strip()
            if not video_id:
                raise common.UsageError(f"{path} line {line}: video_id is empty")
            tags = labelled_text.split_hashtags(row.get("hashtags") or "")
            rows.append((video_id, labelled_text.caption_text(row.get("desc") or "", tags)))
    return rows


def _row(video_id: str, result: classifier.Classification, *, explain: bool) -> list[str]:
    row = [
        video_id,
        str(int(result.mh_related)),
        f"{result.mh_probability:.4f}",
        "none" if result.theme is None else result.theme.value,
        result.harm.value,
    ]
    if explain:
        row.append(" ".join(result.matched_terms))
        row.append(" | ".join(f"{n.text} ({n.theme or 'none'}, {n.similarity:.2f})" for n in result.nearest_examples))
    return row


@app.callback()
def classify(
    context: typer.Context,
    input: Annotated[Path | None, typer.Option("--input", "-i", help="CSV with video_id, desc, hashtags.")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="CSV to write the labels to.")] = None,
    explain: Annotated[bool, typer.Option(help="Add matched_terms and nearest_examples columns.")] = False,
    weights: WeightsOption = None,
    batch: Annotated[int, typer.Option(min=1, help="Captions per embedding batch.")] = 1024,
) -> None:
    """Label captions: `safefeed classify --input captions.csv --output labels.csv`."""
    if context.invoked_subcommand is not None:
        return
    if input is None or output is None:
        raise common.UsageError(
            "give --input captions.csv and --output labels.csv, or a command: train, eval, review (--help)"
        )
    started = time.perf_counter()
    rows = _read_captions(input)
    _threads()
    predictor = _predictor(weights)
    related = 0
    with output.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(OUTPUT_COLUMNS + (EXPLAIN_COLUMNS if explain else ()))
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            for (video_id, _), result in zip(chunk, predictor.classify([text for _, text in chunk]), strict=True):
                related += result.mh_related
                writer.writerow(_row(video_id, result, explain=explain))
    seconds = time.perf_counter() - started
    print(f"labelled {len(rows):,} captions ({related:,} mental-health related) in {seconds:.1f} s -> {output}")


def _corpus(data: Path | None, cache: Path, options: training.Options) -> training.Corpus:
    root = data or config.load().data_dir
    if not labelled_text.available(labelled_text.TIKTOK_LABELS, root):
        raise common.UsageError(f"no labelled data in {root}; pass --data or set SAFEFEED_DATA")
    _threads()
    from safefeed.content import training

    return training.load_corpus(root, options=options, cache=cache, progress=common.console.log)


@app.command()
def train(
    data: DataOption = None,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Where to write the weights.")
    ] = classifier.DEFAULT_WEIGHTS,
    cache: CacheOption = DEFAULT_CACHE,
    seed: Annotated[int, typer.Option(help="Same seed, same weights.")] = 0,
) -> None:
    """Train the classifier on ../shared/data and write its weights (the shipped file by default)."""
    from safefeed.content import training

    options = training.Options(seed=seed)
    started = time.perf_counter()
    corpus = _corpus(data, cache, options)
    with common.console.status("training"):
        weights = training.fit(corpus, options=options)
    classifier.save(weights, output)
    print(
        f"trained on {len(corpus.tiktok.examples):,} labelled captions, "
        f"{len(corpus.sdcnl.examples):,} SDCNL posts, "
        f"{len(corpus.dreaddit.examples):,} Dreaddit segments and {len(corpus.ordinary):,} ordinary captions "
        f"in {time.perf_counter() - started:.0f} s; thresholds: adults {weights.threshold:.2f}, "
        f"minors {weights.minor_threshold:.2f} -> {output}"
    )


def _summary(name: str, result: dict[str, Any]) -> str:
    mh = result["mh_related"]
    line = (
        f"{name} [{result['method']}] n={result['n']}: "
        f"mh_related P={mh['precision']:.3f} R={mh['recall']:.3f} F1={mh['f1']:.3f}"
    )
    random = result.get("by_group", {}).get("random")
    if random and random["false_positive_rate"] is not None:
        line += f", false-positive rate on the random sample {random['false_positive_rate']:.2%}"
    confident = result.get("high_confidence_labels")
    if confident:
        line += f"; high-confidence labels only F1={confident['f1']:.3f}"
    gate = result["gate"]
    line += f"; gate: {gate['embedded_share']:.1%} embedded, {gate['mh_stopped']} mental-health texts stopped"
    themes = ", ".join(f"{theme} F1={s['f1']:.2f} (n={s['support']})" for theme, s in result["themes"].items())
    line += f"\n  themes: {themes}"
    calibration = result.get("calibration")
    if calibration:
        line += f"\n  expected calibration error {calibration['expected_calibration_error']:.3f}"
    for band, point in result.get("operating_points", {}).items():
        s = point["cross_validated"]
        line += (
            f"\n  {band}: threshold {point['threshold']:.2f}, cross-validated P={s['precision']:.3f} "
            f"R={s['recall']:.3f} F1={s['f1']:.3f}, random false positives {point['false_positive_rate_random']:.2%}"
        )
    risk = result.get("risk_order")
    if risk:
        line += f"\n  risk order vs C-SSRS level: Spearman risk {risk['spearman_risk']}, harm {risk['spearman_harm']}"
    return line


@app.command("eval")
def eval_(
    json_: Annotated[bool, typer.Option("--json", help="Print the full report as JSON.")] = False,
    data: DataOption = None,
    cache: CacheOption = DEFAULT_CACHE,
    weights: WeightsOption = None,
    folds: Annotated[int, typer.Option(min=2, help="Cross-validation folds.")] = 5,
    seed: Annotated[int, typer.Option(help="Seed of the fold assignment.")] = 0,
) -> None:
    """Precision, recall, F1 and confusion matrices per labelled set (cross-validated where trained on)."""
    from safefeed.content import training

    options = training.Options(seed=seed, folds=folds)
    corpus = _corpus(data, cache, options)
    with common.console.status("cross-validating"):
        result = training.evaluate(corpus, classifier.load(weights), options=options, progress=common.console.log)
    if json_:
        common.print_json(result)
        return
    for name, report in result.items():
        print(_summary(name, report))


def _store(database_url: str | None) -> repository.Store:
    return repository.Store.open(database_url or config.load().database_url)


@review_app.command("export")
def review_export(
    output: Annotated[Path, typer.Option("--output", "-o", help="CSV for the reviewers.")],
    database_url: DatabaseOption = None,
    band: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Review probabilities this close to the threshold.")
    ] = review.DEFAULT_BAND,
    weights: WeightsOption = None,
) -> None:
    """Classify the catalog's videos that no person has reviewed and export the uncertain ones."""
    store = _store(database_url)
    videos = [v for v in store.iter_videos() if v.label is None or v.label.source is not model.LabelSource.REVIEW]
    _threads()
    results = _predictor(weights).classify(videos)
    count = review.export(videos, results, output, band=band)
    print(f"{count:,} of {len(videos):,} videos need review -> {output}")


@review_app.command("import")
def review_import(
    file: Annotated[Path, typer.Argument(help="A review file with the mh_related, theme and harm columns filled.")],
    database_url: DatabaseOption = None,
) -> None:
    """Store reviewed labels; a reviewed label always wins over the classifier's."""
    if not file.is_file():
        raise common.UsageError(f"{file} does not exist")
    try:
        labels = review.read(file)
    except review.ReviewError as error:
        raise common.UsageError(str(error)) from error
    changed = _store(database_url).set_labels(labels)
    print(f"stored {changed:,} reviewed labels ({len(labels):,} rows filled in {file})")
