"""Human review: send the classifier's least certain calls to people, and take their answers back.

Reviewers work in a spreadsheet: `export` writes the low-confidence items with
the classifier's guess and its reasons, reviewers fill in the last three
columns, and `read` turns each filled row into a `Label(source=REVIEW)`. The
store keeps a reviewed label over any later classifier label.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path

from safefeed import model
from safefeed.content import classifier
from safefeed.store import repository

# Probabilities this close to the threshold go to a person.
DEFAULT_BAND = 0.15

COLUMNS = (
    "video_id",
    "text",
    "mh_probability",
    "predicted_mh_related",
    "predicted_theme",
    "predicted_harm",
    "matched_terms",
    "nearest_examples",
    "mh_related",  # the reviewer's answer: 1 or 0
    "theme",  # a theme name when mh_related is 1
    "harm",  # supportive, neutral, potentially_harmful or violative when mh_related is 1
)


class ReviewError(ValueError):
    """A reviewed row cannot be turned into a label; the message names the row and the fix."""


def needs_review(result: classifier.Classification, *, band: float = DEFAULT_BAND) -> bool:
    """Close to the threshold, or judged violative (a removal decision is never left to a model alone)."""
    return result.margin < band or result.harm is model.Harm.VIOLATIVE


def export(
    videos: Sequence[model.Video],
    results: Sequence[classifier.Classification],
    path: Path,
    *,
    band: float = DEFAULT_BAND,
) -> int:
    """Write the items that need review, least certain first; returns how many."""
    assert len(videos) == len(results), "one classification per video"
    chosen = sorted(
        (pair for pair in zip(videos, results, strict=True) if needs_review(pair[1], band=band)),
        key=lambda pair: pair[1].margin,
    )
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for video, result in chosen:
            writer.writerow(
                [
                    video.id,
                    classifier.text_of(video),
                    f"{result.mh_probability:.4f}",
                    int(result.mh_related),
                    "" if result.theme is None else result.theme.value,
                    result.harm.value,
                    " ".join(result.matched_terms),
                    " | ".join(f"{n.text} ({n.theme or 'none'}, {n.similarity:.2f})" for n in result.nearest_examples),
                    "",
                    "",
                    "",
                ]
            )
    return len(chosen)


def _label(row: Mapping[str, str], line: int) -> model.Label | None:
    answer = (row.get("mh_related") or "").strip().lower()
    if not answer:
        return None
    if answer in ("0", "no", "false"):
        return model.Label(mh_related=False, source=model.LabelSource.REVIEW)
    if answer not in ("1", "yes", "true"):
        raise ReviewError(f"line {line}: mh_related must be 1 or 0, got {answer!r}")
    theme, harm = (
        (row.get("theme") or "").strip(),
        (row.get("harm") or "").strip() or model.Harm.NEUTRAL.value,
    )
    try:
        return model.Label(
            mh_related=True,
            theme=model.Theme(theme) if theme else model.Theme.OTHER_MH,
            harm=model.Harm(harm),
            source=model.LabelSource.REVIEW,
        )
    except ValueError as error:
        themes = ", ".join(t.value for t in model.Theme)
        harms = ", ".join(h.value for h in model.Harm if h is not model.Harm.NONE)
        raise ReviewError(f"line {line}: {error}; theme is one of {themes}; harm one of {harms}") from error


def read(path: Path) -> dict[str, model.Label]:
    """The reviewed labels in a review file, by video id; rows left blank are skipped."""
    labels: dict[str, model.Label] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"video_id", "mh_related"} - set(reader.fieldnames or ())
        if missing:
            raise ReviewError(f"{path} lacks the column(s) {', '.join(sorted(missing))}; export one to start from")
        for line, row in enumerate(reader, start=2):
            label = _label(row, line)
            video_id = (row.get("video_id") or "").strip()
            if label is None:
                continue
            if not video_id:
                raise ReviewError(f"line {line}: video_id is empty")
            labels[video_id] = label
    return labels


def import_reviewed(store: repository.Store, path: Path) -> int:
    """Store the reviewed labels of a review file (all or none); returns how many videos changed."""
    return store.set_labels(read(path))
