"""A world of real captions: KInIT's TikTok videos imported unlabelled, hand labels as the partial answer key.

The engine knows only what its classifier reads at import, as for any real
catalog. The auditor's answer key holds the hand labels of the real labelled
captions (`tiktok-captions-mh-labels`) for the videos they cover; every other
served video is scored by the classifier, and the summary corrects those
shares for the classifier's measured error (`audit.estimates`). The hand
labels never reach the engine: they live in the answer-key table only.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from safefeed import config, model
from safefeed.datasets import kinit, labelled_text

KINIT_FOLDER = labelled_text.KINIT
LABELS_FILE = Path(labelled_text.TIKTOK_LABELS) / "labels-dev.csv"


def default_paths(path: str, labels: str) -> tuple[Path, Path]:
    """The KInIT folder and the hand-label CSV, defaulting to the shared data folder."""
    root = config.load().data_dir
    return (Path(path) if path else root / KINIT_FOLDER), (Path(labels) if labels else root / LABELS_FILE)


def hand_labels(path: Path) -> dict[str, model.Label]:
    """video_id -> the hand label, from a CSV with video_id, mh_related (0/1), theme and harm."""
    key: dict[str, model.Label] = {}
    with path.open(newline="", encoding="utf-8") as file:
        for line, row in enumerate(csv.DictReader(file), start=2):
            try:
                mh = row["mh_related"].strip() == "1"
                theme = row["theme"].strip()
                key[row["video_id"].strip()] = (
                    model.Label(
                        True,
                        model.Theme(theme) if theme not in ("", "none") else model.Theme.OTHER_MH,
                        model.Harm(row["harm"].strip() or "none"),
                    )
                    if mh
                    else model.NOT_MH
                )
            except (KeyError, ValueError) as bad:
                raise model.InvalidValue(
                    f"{path} line {line}: {bad}; each row needs video_id, mh_related (0/1), theme and harm"
                ) from None
    return key


def catalog(path: Path, videos: int, seed: int) -> model.Catalog:
    """`videos` of the KInIT videos (all when there are fewer), drawn with `seed`, with no labels at all."""
    full = kinit.read_catalog(path)
    chosen = list(full.videos)
    if len(chosen) > videos:
        picks = np.random.default_rng(seed).choice(len(chosen), size=videos, replace=False)
        chosen = [chosen[int(index)] for index in sorted(picks)]
    assert all(video.label is None for video in chosen), "KInIT videos must arrive unlabelled"
    creators = {video.creator_id for video in chosen}
    return model.Catalog(tuple(c for c in full.creators if c.id in creators), tuple(chosen))
