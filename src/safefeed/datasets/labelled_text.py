"""Labelled mental-health text from ../shared/data, read in place.

The sets differ in what they label (subreddit of origin, perceived stress,
psychiatrist-rated risk, one annotator's reading of a TikTok caption), so each
loader maps its own labels onto `model.Theme` and says so in its docstring.
Nothing here is ever copied into the repository.
"""

from __future__ import annotations

import ast
import csv
import dataclasses
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from safefeed import config, model

# Long posts are cut: the embedding model reads at most 256 word pieces anyway.
MAX_CHARS = 1000

SDCNL = "reddit-sdcnl-suicide-vs-depression"
DREADDIT = "reddit-dreaddit-stress"
CSSRS = "reddit-cssrs-suicide-risk-500"
TIKTOK_LABELS = "tiktok-captions-mh-labels"
KINIT = "tiktok-fyp-audit-kinit"


class MissingDataError(FileNotFoundError):
    """A data set is not where it should be."""


@dataclasses.dataclass(frozen=True, slots=True)
class LabelledText:
    """One labelled text; `harm` is None where the set does not label harm."""

    id: str
    text: str
    mh_related: bool
    theme: model.Theme | None
    harm: model.Harm | None
    source: str  # the data set folder
    group: str = ""  # stratum within the set: split, subreddit, sample or risk level
    confidence: str = "high"


@dataclasses.dataclass(frozen=True, slots=True)
class Caption:
    """An unlabelled caption of an ordinary feed video."""

    video_id: str
    text: str
    language: str


def data_dir() -> Path:
    """The data folder from the settings (`SAFEFEED_DATA` overrides `../shared/data`)."""
    return config.load().data_dir


def available(name: str, root: Path | None = None) -> bool:
    return ((root or data_dir()) / name).is_dir()


def caption_text(desc: str, hashtags: Sequence[str]) -> str:
    """Caption plus the hashtags it does not already carry inline, as a model reads it.

    >>> caption_text("so tired #sleep", ["sleep", "Mood"])
    'so tired #sleep #Mood'
    """
    inline = desc.casefold()
    extra: list[str] = []
    for tag in hashtags:
        tag = tag.strip().lstrip("#")
        if tag and f"#{tag.casefold()}" not in inline and tag.casefold() not in {t.casefold() for t in extra}:
            extra.append(tag)
    return " ".join([desc.strip(), *(f"#{tag}" for tag in extra)]).strip()


def split_hashtags(value: str) -> tuple[str, ...]:
    """Hashtags from a `|`-, comma- or space-separated cell, without '#'.

    >>> split_hashtags("#sad|fyp, mood")
    ('sad', 'fyp', 'mood')
    """
    for separator in ("|", ","):
        value = value.replace(separator, " ")
    return tuple(tag.lstrip("#") for tag in value.split() if tag.lstrip("#"))


def _rows(path: Path) -> Iterator[dict[str, str]]:
    if not path.is_file():
        raise MissingDataError(f"{path} is missing; put ../shared/data beside the repository or set SAFEFEED_DATA")
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def _cut(text: str) -> str:
    return " ".join(text.split())[:MAX_CHARS]


def sdcnl(root: Path | None = None) -> list[LabelledText]:
    """r/SuicideWatch posts as `suicide`, r/Depression posts as `sadness_depression` (weak labels)."""
    folder = (root or data_dir()) / SDCNL
    examples = []
    for split in ("training", "testing"):
        for index, row in enumerate(_rows(folder / f"{split}-set.csv")):
            suicide = row["is_suicide"].strip() == "1"
            examples.append(
                LabelledText(
                    id=f"sdcnl-{split}-{index}",
                    text=_cut(f"{row['title']}. {row['selftext']}"),
                    mh_related=True,
                    theme=model.Theme.SUICIDE if suicide else model.Theme.SADNESS_DEPRESSION,
                    harm=None,
                    source=SDCNL,
                    group=split,
                )
            )
    return examples


# Stress in these subreddits is about trauma; elsewhere it is anxiety or everyday stress.
_TRAUMA_SUBREDDITS = frozenset(("ptsd", "domesticviolence", "survivorsofabuse"))


def dreaddit(root: Path | None = None) -> list[LabelledText]:
    """Stressed segments as `trauma_grief` (PTSD and abuse subreddits) or `anxiety_stress`; others not MH."""
    folder = (root or data_dir()) / DREADDIT
    examples = []
    for split in ("train", "test"):
        for row in _rows(folder / f"dreaddit-{split}.csv"):
            stressed = row["label"].strip() == "1"
            subreddit = row["subreddit"].strip()
            theme = model.Theme.TRAUMA_GRIEF if subreddit in _TRAUMA_SUBREDDITS else model.Theme.ANXIETY_STRESS
            examples.append(
                LabelledText(
                    id=f"dreaddit-{split}-{row['id']}",
                    text=_cut(row["text"]),
                    mh_related=stressed,
                    theme=theme if stressed else None,
                    harm=None,
                    source=DREADDIT,
                    group=subreddit,
                )
            )
    return examples


def _posts(cell: str) -> str:
    """A serialised list of posts as one text; a few cells are cut short and do not parse."""
    try:
        posts = ast.literal_eval(cell)
    except (SyntaxError, ValueError):
        return cell.strip("[]'\" ")
    return " ".join(str(post) for post in posts) if isinstance(posts, list) else str(posts)


def cssrs(root: Path | None = None) -> list[LabelledText]:
    """Every user is about suicide risk; the psychiatrists' level is the group ('Supportive' helps others)."""
    examples = []
    for row in _rows((root or data_dir()) / CSSRS / "500_Reddit_users_posts_labels.csv"):
        level = row["Label"].strip()
        examples.append(
            LabelledText(
                id=f"cssrs-{row['User']}",
                text=_cut(_posts(row["Post"])),
                mh_related=True,
                theme=model.Theme.SUICIDE,
                harm=model.Harm.SUPPORTIVE if level == "Supportive" else None,
                source=CSSRS,
                group=level,
            )
        )
    return examples


def tiktok_captions(root: Path | None = None) -> list[LabelledText]:
    """The hand-labelled TikTok captions; `group` is the sample stratum (keyword or random)."""
    examples = []
    for row in _rows((root or data_dir()) / TIKTOK_LABELS / "labels-dev.csv"):
        mh = row["mh_related"].strip() == "1"
        theme = row["theme"].strip()
        examples.append(
            LabelledText(
                id=row["video_id"].strip(),
                text=caption_text(row["desc"], split_hashtags(row["hashtags"])),
                mh_related=mh,
                theme=model.Theme(theme) if mh and theme != "none" else None,
                harm=model.Harm(row["harm"].strip() or "none") if mh else model.Harm.NONE,
                source=TIKTOK_LABELS,
                group=row["sample"].strip(),
                confidence=row["confidence"].strip() or "high",
            )
        )
    return examples


def ordinary_captions(root: Path | None = None) -> list[Caption]:
    """Unique non-empty captions of the videos TikTok served the KInIT sock puppets (about 1% are MH)."""
    seen: set[str] = set()
    captions = []
    for row in _rows((root or data_dir()) / KINIT / "feed_items.csv"):
        video_id = row["video_id"].strip()
        if video_id in seen:
            continue
        seen.add(video_id)
        text = caption_text(row["desc"], split_hashtags(row["hashtags"]))
        if text:
            captions.append(Caption(video_id=video_id, text=text[:MAX_CHARS], language=row["text_language"].strip()))
    return captions
