"""Rows of cells into a validated `model.Catalog`: each row into one video, then the creators across rows.

Each bad cell, each broken model invariant and each contradiction between rows
(a duplicate id, a creator verified on one row and not on another) becomes one
error naming its row and column; the catalog is built only if there are none.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

from safefeed import model
from safefeed.content import catalog_cells
from safefeed.datasets import catalog_format, files, row_errors

T = TypeVar("T")
D = TypeVar("D")

_MODEL_FIXES = {
    "id": f"use 1-{model.MAX_ID_CHARS} characters without spaces at either end",
    "creator_id": f"use 1-{model.MAX_ID_CHARS} characters without spaces at either end",
    "caption": f"shorten the caption to {model.MAX_CAPTION_CHARS} characters",
    "hashtags": f"keep each tag to 1-{model.MAX_HASHTAG_CHARS} characters without spaces inside",
    "duration_s": "give the length in seconds, 0-3600",
    "created_at": "write ISO 8601 with an offset or unix seconds",
}


class _Row:
    """One row's cells, converted column by column; each bad cell becomes one error."""

    def __init__(self, cells: files.Cells, row: int, errors: row_errors.Errors) -> None:
        self.cells = cells
        self.row = row
        self.errors = errors
        self.failed: set[str | None] = set()

    @property
    def ok(self) -> bool:
        return not self.failed

    def add(self, column: str | None, problem: str, fix: str) -> None:
        self.failed.add(column)
        self.errors.add(self.row, column, problem, fix)

    def get(self, column: str, convert: Callable[[object], T], default: D) -> T | D:
        value = self.cells.get(column)
        if value is None or value == "":
            return default
        try:
            return convert(value)
        except catalog_cells.CellError as bad:
            self.add(column, bad.problem, bad.fix)
            return default


@dataclasses.dataclass(frozen=True, slots=True)
class _Parsed:
    video: model.Video
    creator_name: str
    creator_verified: bool | None


def _row_video(cells: files.Cells, row: int, errors: row_errors.Errors) -> _Parsed | None:
    r = _Row(cells, row, errors)
    fields: dict[str, Any] = {
        "id": r.get("id", catalog_cells.text, ""),
        "creator_id": r.get("creator_id", catalog_cells.text, ""),
        "caption": r.get("caption", catalog_cells.text, ""),
        "hashtags": r.get("hashtags", catalog_cells.hashtags, ()),
        "duration_s": r.get("duration_s", catalog_cells.number, None),
        "created_at": r.get("created_at", catalog_cells.moment, catalog_format.EPOCH),
    }
    if fields["duration_s"] is None and cells.get("duration_s") in (None, ""):
        r.add("duration_s", "no value", "give the length in seconds, 0-3600 (0 if unknown)")
    counts = {name: r.get(name, catalog_cells.count, 0) for name in catalog_format.COUNTER_COLUMNS}
    counters = _counters(counts, r)
    language = r.get("language", catalog_cells.language, "und")
    region = r.get("region", catalog_cells.region, "")
    enforcement = r.get("enforcement", catalog_cells.enforcement, model.Enforcement.ALLOWED)
    topic = r.get("topic", catalog_cells.topic, None)
    is_ad = r.get("is_ad", catalog_cells.flag, False)
    creator_name = r.get("creator_name", catalog_cells.creator_name, "")
    creator_verified = r.get("creator_verified", catalog_cells.flag, None)
    label = _label(r)
    video: model.Video | None = None
    if r.ok:
        try:
            video = model.Video(
                **fields,
                language=language,
                region=region,
                counters=counters,
                enforcement=enforcement,
                topic=topic,
                is_ad=is_ad,
                label=label,
            )
        except model.InvalidValue as error:
            if not catalog_format.field_problems(fields):  # an invariant across fields that no single column breaks
                r.add(None, str(error), "correct the row so the video is valid")
    if video is None:
        # Say everything wrong with the row at once: the model's checks too, field by field.
        checkable = {name: value for name, value in fields.items() if name not in r.failed and value is not None}
        for column, problem in catalog_format.field_problems(checkable):
            r.add(column, problem, _MODEL_FIXES[column])
        return None
    return _Parsed(video, creator_name, creator_verified)


def _counters(counts: dict[str, int], r: _Row) -> model.Counters:
    try:
        return model.Counters(**counts)
    except model.InvalidValue:
        for name, count in counts.items():  # the model's check again, one counter at a time, to name it
            try:
                model.Counters(**{name: count})
            except model.InvalidValue as error:
                r.add(name, str(error), "write a count of 0 or more")
        return model.Counters()


def _label(r: _Row) -> model.Label | None:
    """The ground-truth label, when the row has one."""
    mh_related = r.get("mh_related", catalog_cells.flag, None)
    theme = r.get("theme", catalog_cells.theme, None)
    harm = r.get("harm", catalog_cells.harm, None)
    if mh_related is None:
        if theme is not None or harm is not None:
            r.add("mh_related", "theme or harm is given but mh_related is empty", "set mh_related to 1 or 0")
        return None
    try:
        return model.Label(mh_related, theme, harm or model.Harm.NONE, 1.0, model.LabelSource.GROUND_TRUTH)
    except model.InvalidValue as error:
        r.add(
            "theme" if theme is not None else "harm",
            f"{error} (mh_related is {int(mh_related)})",
            "set theme to none and harm to none, or mh_related to 1",
        )
        return None


@dataclasses.dataclass(slots=True)
class _CreatorSeen:
    name: str
    verified: bool | None
    verified_row: int


def catalog(rows: files.Rows, errors: row_errors.Errors) -> model.Catalog:
    """The catalog of these rows; raises `row_errors.ImportFailed` naming every problem, or builds all of it."""
    videos: list[model.Video] = []
    first_row: dict[str, int] = {}
    creators: dict[str, _CreatorSeen] = {}
    for row, cells in rows:
        raw_id = cells.get("id")
        if isinstance(raw_id, str) and raw_id:
            first = first_row.setdefault(raw_id, row)
            if first != row:
                errors.add(
                    row,
                    "id",
                    f"duplicate id {raw_id!r}, also on row {first}",
                    "keep one row per video (ids are unique)",
                )
        parsed = _row_video(cells, row, errors)
        if parsed is None:
            continue
        videos.append(parsed.video)
        creator_id = parsed.video.creator_id
        seen = creators.setdefault(creator_id, _CreatorSeen(parsed.creator_name, parsed.creator_verified, row))
        if not seen.name:
            seen.name = parsed.creator_name
        if parsed.creator_verified is not None:
            if seen.verified is None:
                seen.verified, seen.verified_row = parsed.creator_verified, row
            elif seen.verified != parsed.creator_verified:
                errors.add(
                    row,
                    "creator_verified",
                    f"creator {creator_id!r} is {str(parsed.creator_verified).lower()} here "
                    f"but {str(seen.verified).lower()} on row {seen.verified_row}",
                    "give one creator the same creator_verified on every row",
                )
    errors.raise_if_any()
    return model.Catalog(
        creators=tuple(
            model.Creator(creator_id, seen.name, verified_professional=bool(seen.verified))
            for creator_id, seen in creators.items()
        ),
        videos=tuple(videos),
    )
