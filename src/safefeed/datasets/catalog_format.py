"""The catalog file format (docs/catalog-format.md): its columns, defaults and limits.

Every catalog reader shares these: the importer of our own format
(`safefeed.content.catalog_import`) and the data-set readers here, which also
use `field_problems` to name the column that breaks a `model.Video`.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from typing import Any

from safefeed import model

# The widths of the store's columns (store/schema.py); model.py does not carry them.
MAX_LANGUAGE_CHARS = model.MAX_CODE_CHARS
MAX_REGION_CHARS = model.MAX_CODE_CHARS
MAX_TOPIC_CHARS = model.MAX_TOPIC_CHARS
MAX_CREATOR_NAME_CHARS = model.MAX_NAME_CHARS
MAX_COUNT = model.MAX_COUNTER

REQUIRED_COLUMNS = ("id", "creator_id", "caption", "hashtags", "duration_s")
COUNTER_COLUMNS = ("views", "likes", "comments", "shares", "saves")
OPTIONAL_COLUMNS = (
    "created_at",
    "language",
    "region",
    *COUNTER_COLUMNS,
    "enforcement",
    "topic",
    "is_ad",
    "creator_name",
    "creator_verified",
    "mh_related",
    "theme",
    "harm",
)
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

# The default `created_at`: deterministic, so importing the same file twice stores the same catalog.
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

_PROBE: dict[str, Any] = {
    "id": "probe",
    "creator_id": "probe",
    "caption": "",
    "hashtags": (),
    "duration_s": 0.0,
    "created_at": EPOCH,
}


def field_problems(fields: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Which of these `Video` fields break the model's invariants, each with the model's message.

    Each field is checked alone against a known-good video, so the answer names
    the field; hashtags are checked one by one so each bad tag is named.

    >>> field_problems({"id": "v1", "duration_s": 4000.0})
    [('duration_s', 'duration_s must be within 0-3600 seconds, got 4000.0')]
    """
    problems: list[tuple[str, str]] = []
    for name, value in fields.items():
        if name == "hashtags":
            problems.extend((name, problem) for tag in value if (problem := _tag_problem(tag)) is not None)
        elif (problem := _model_problem(name, value)) is not None:
            problems.append((name, problem))
    return problems


def _model_problem(name: str, value: Any) -> str | None:
    try:
        model.Video(**{**_PROBE, name: value})
    except model.InvalidValue as error:
        return str(error)
    return None


@functools.lru_cache(maxsize=1 << 17)
def _tag_problem(tag: str) -> str | None:
    # Cached: a feed log repeats its tags many times (KInIT: 27,651 distinct tags, more than a smaller cache holds).
    return _model_problem("hashtags", (tag,))
