"""One catalog cell into one typed value, or a `CellError` saying what is wrong and how to fix it.

Cells come as text (CSV), JSON values (JSONL) or Arrow values (Parquet); each
converter takes any of them.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import re
from collections.abc import Callable
from typing import TypeVar

from safefeed import model
from safefeed.datasets import catalog_format, row_errors

_TAG_SEPARATORS = re.compile(r"[\s|#]+")
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


class CellError(Exception):
    """A cell that cannot be converted; becomes a RowError naming the column."""

    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.fix = fix


def text(value: object) -> str:
    if isinstance(value, str):
        return value
    raise CellError(f"expected text, got {row_errors.kind(value)}", 'write it as text (in JSON, in quotes: "...")')


def bounded(limit: int) -> Callable[[object], str]:
    def convert(value: object) -> str:
        checked = text(value)
        if len(checked) > limit:
            raise CellError(
                f"is {len(checked)} characters, more than the {limit} allowed",
                f"shorten it to {limit} characters",
            )
        return checked

    return convert


def number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise CellError(f"expected a number, got {row_errors.kind(value)}", "write a plain number such as 42 or 12.5")
    if isinstance(value, str) and not _DECIMAL.fullmatch(value.strip()):
        if value.strip().lower().lstrip("+-") in ("nan", "inf", "infinity"):
            raise CellError(f"{value!r} is not a finite number", "write a finite number such as 42 or 12.5")
        raise CellError(f"{value!r} is not a number", "write a plain number such as 42 or 12.5 ('.' for decimals)")
    try:
        converted = float(value)
    except OverflowError:
        raise CellError(f"{value!r} is too large", "write a number of a sensible size") from None
    if not math.isfinite(converted):
        raise CellError(f"{value!r} is not a finite number", "write a finite number such as 42 or 12.5")
    return converted


def count(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        counted = value
    elif isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        counted = int(value.strip())
    else:
        converted = number(value)
        if not converted.is_integer():
            raise CellError(f"{value!r} is not a whole number", "write a whole number of times, e.g. 1200")
        counted = int(converted)
    if counted > catalog_format.MAX_COUNT:
        raise CellError(f"{value!r} is more than the store can hold", f"write a count up to {catalog_format.MAX_COUNT}")
    return counted


def flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0"):
        return value.strip().lower() in ("true", "1")
    raise CellError(f"expected true or false, got {row_errors.kind(value)}", "write true or false (or 1 or 0)")


E = TypeVar("E", bound=enum.StrEnum)


def choice(kind: type[E]) -> Callable[[object], E]:
    allowed = [member.value for member in kind]

    def convert(value: object) -> E:
        chosen = text(value).strip().lower()
        if chosen not in allowed:
            raise CellError(f"{value!r} is not allowed", f"use one of: {', '.join(allowed)}")
        return kind(chosen)

    return convert


language = bounded(catalog_format.MAX_LANGUAGE_CHARS)
region = bounded(catalog_format.MAX_REGION_CHARS)
topic = bounded(catalog_format.MAX_TOPIC_CHARS)
creator_name = bounded(catalog_format.MAX_CREATOR_NAME_CHARS)
enforcement = choice(model.Enforcement)
harm = choice(model.Harm)
_any_theme = choice(model.Theme)


def theme(value: object) -> model.Theme | None:
    if isinstance(value, str) and value.strip().lower() == "none":
        return None
    try:
        return _any_theme(value)
    except CellError as bad:
        raise CellError(bad.problem, f"{bad.fix}, or none") from None


def moment(value: object) -> dt.datetime:
    """ISO 8601 text, unix seconds, or (from Parquet) a timestamp; always UTC out."""
    converted: dt.datetime
    if isinstance(value, dt.datetime):
        converted = value
    elif isinstance(value, str) and not _DECIMAL.fullmatch(value.strip()):
        try:
            converted = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise CellError(
                f"{value!r} is not a time",
                "write ISO 8601 with an offset (2025-01-31T18:00:00+00:00) or unix seconds",
            ) from None
    elif isinstance(value, int | float | str) and not isinstance(value, bool):
        seconds = number(value)
        try:
            converted = dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
        except (OverflowError, OSError, ValueError):
            raise CellError(
                f"{value!r} is out of range for unix seconds", "write seconds since 1970-01-01 UTC"
            ) from None
    else:
        raise CellError(
            f"expected a time, got {row_errors.kind(value)}", "write ISO 8601 with an offset or unix seconds"
        )
    if converted.tzinfo is None:
        raise CellError(f"{value!r} has no time zone", "add the offset, e.g. 2025-01-31T18:00:00+00:00 or ...Z")
    return converted.astimezone(dt.UTC)


def hashtags(value: object) -> tuple[str, ...]:
    """Tags from 'a b', '#a #b', 'a|b' or a list; '#' is dropped and repeats are kept once."""
    if isinstance(value, str):
        tags = _TAG_SEPARATORS.split(value)
    elif isinstance(value, list | tuple):
        tags = []
        for item in value:
            if not isinstance(item, str):
                raise CellError(
                    f"expected a list of text, one item is {row_errors.kind(item)}", 'write ["tag1", "tag2"]'
                )
            tag = item.strip().lstrip("#")
            # The store keeps tags space-separated and splits on any whitespace, so none may hide in a tag.
            if any(char.isspace() for char in tag):
                raise CellError(f"hashtag {tag!r} contains whitespace", "remove the spaces or split it into two tags")
            tags.append(tag)
    else:
        raise CellError(
            f"expected text or a list, got {row_errors.kind(value)}", 'write "tag1 tag2" or ["tag1", "tag2"]'
        )
    return tuple(dict.fromkeys(tag for tag in tags if tag))
