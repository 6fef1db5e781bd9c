"""Catalog files read into a validated `model.Catalog`, all or nothing.

`read_catalog` either returns a catalog in which every row passed validation or
raises `ImportFailed` listing what is wrong (file, row, column, problem, fix),
so the caller writes nothing from a bad file. The format is documented in
docs/catalog-format.md; the real data sets have their own readers in
`safefeed.datasets`, reached through `format="kinit"` and `format="movielens"`.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import difflib
import enum
import functools
import io
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar

from safefeed import model

Format = Literal["auto", "csv", "jsonl", "parquet", "kinit", "movielens"]
FORMATS: tuple[Format, ...] = ("auto", "csv", "jsonl", "parquet", "kinit", "movielens")

# Past this many errors more of them stop helping: the file is probably in another format.
MAX_ERRORS = 100
SHOWN_ERRORS = 10

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

_EXTENSIONS: dict[str, Format] = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}
_PANDAS_INDEX = re.compile(r"__index_level_\d+__")
_TAG_SEPARATORS = re.compile(r"[\s|#]+")
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_UTF8_FIX = "save the file as UTF-8 (in a spreadsheet: 'CSV UTF-8'; in an editor: encoding UTF-8)"

T = TypeVar("T")
D = TypeVar("D")


@dataclasses.dataclass(frozen=True, slots=True)
class RowError:
    """One thing wrong with a catalog file, and how to fix it.

    `row` is the line number for CSV (the header is line 1) and JSONL, the
    1-based row for Parquet, and None for problems with the whole file.

    >>> print(RowError("videos.csv", 3, "duration_s", "'abc' is not a number", "write seconds, e.g. 42.5"))
    videos.csv:3: column 'duration_s': 'abc' is not a number — write seconds, e.g. 42.5
    """

    file: str
    row: int | None
    column: str | None
    problem: str
    fix: str

    def __str__(self) -> str:
        where = self.file if self.row is None else f"{self.file}:{self.row}"
        column = "" if self.column is None else f" column '{self.column}':"
        return f"{where}:{column} {self.problem} — {self.fix}"


class ImportFailed(ValueError):
    """A catalog file was refused; `errors` says every problem found (up to MAX_ERRORS)."""

    def __init__(self, errors: Sequence[RowError], *, stopped: bool = False) -> None:
        assert errors, "ImportFailed needs at least one error"
        # In file order, whole-file problems first, whatever order they were found in.
        self.errors = tuple(sorted(errors, key=lambda error: (error.row is not None, error.row or 0)))
        self.stopped = stopped
        count = len(self.errors)
        summary = f"{self.errors[0].file}: {count}{'+' if stopped else ''} error{'s' if count > 1 else ''}"
        summary += ", nothing was imported"
        if stopped:
            summary += f" (stopped after {count}; fix these and run it again)"
        lines = [summary + ":", *(str(error) for error in self.errors[:SHOWN_ERRORS])]
        if count > SHOWN_ERRORS:
            lines.append(f"... and {count - SHOWN_ERRORS} more")
        super().__init__("\n".join(lines))

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_import_failed, (self.errors, self.stopped))


def _rebuild_import_failed(errors: tuple[RowError, ...], stopped: bool) -> ImportFailed:
    return ImportFailed(errors, stopped=stopped)


class Errors:
    """The errors found in one file so far; gives up with `ImportFailed` at `limit`.

    Format readers (here and in `safefeed.datasets`) collect into one of these,
    so a file reports many problems at once instead of one per attempt.
    """

    def __init__(self, file: str, *, limit: int = MAX_ERRORS) -> None:
        self.file = file
        self.limit = limit
        self.found: list[RowError] = []

    def add(self, row: int | None, column: str | None, problem: str, fix: str) -> None:
        self.found.append(RowError(self.file, row, column, problem, fix))
        if len(self.found) >= self.limit:
            raise ImportFailed(self.found, stopped=True)

    def fail(self, row: int | None, column: str | None, problem: str, fix: str) -> ImportFailed:
        """Add a problem that stops reading; `raise errors.fail(...)`."""
        self.found.append(RowError(self.file, row, column, problem, fix))
        return ImportFailed(self.found, stopped=len(self.found) >= self.limit)

    def raise_if_any(self) -> None:
        if self.found:
            raise ImportFailed(self.found)

    def __len__(self) -> int:
        return len(self.found)


def read_catalog(path: Path, *, format: Format = "auto") -> model.Catalog:
    """The catalog in `path`, every row validated; raises `ImportFailed`, never returns part of a file."""
    path = Path(path)
    chosen = _resolve_format(path, format)
    if chosen in ("kinit", "movielens"):
        # The data-set readers build on this module's errors, so they are imported on demand.
        from safefeed.datasets import kinit, movielens

        return kinit.read_catalog(path) if chosen == "kinit" else movielens.read_catalog(path)
    errors = Errors(str(path))
    if not path.is_file():
        raise errors.fail(None, None, "no such file", "check the path (a catalog is one .csv, .jsonl or .parquet file)")
    if chosen == "csv":
        rows = _csv_rows(path, errors)
    elif chosen == "jsonl":
        rows = _jsonl_rows(path, errors)
    else:
        rows = _parquet_rows(path, errors)
    return _catalog(rows, errors)


def _resolve_format(path: Path, format: Format) -> Format:
    if format not in FORMATS:
        raise Errors(str(path)).fail(None, None, f"unknown format {format!r}", f"use one of: {', '.join(FORMATS)}")
    if format != "auto":
        return format
    if path.is_dir():
        if (path / "movies.csv").is_file():
            return "movielens"
        raise Errors(str(path)).fail(
            None, None, "is a folder", "give the catalog file itself (a folder is only read as MovieLens)"
        )
    chosen = _EXTENSIONS.get(path.suffix.lower())
    if chosen is None:
        raise Errors(str(path)).fail(
            None,
            None,
            f"cannot tell the format from the extension {path.suffix or '(none)'!r}",
            "name the file .csv, .jsonl (or .ndjson) or .parquet, or choose the format explicitly",
        )
    return chosen


# -- reading files into rows -------------------------------------------------

Cells = Mapping[str, object]
Rows = list[tuple[int, Cells]]


def read_utf8(path: Path, errors: Errors) -> str:
    """The file's text; every line with bytes that are not UTF-8 becomes an error naming its byte offset.

    Reading goes on with replacement characters so the rest of the file is still checked.
    """
    try:
        data = path.read_bytes()
    except OSError as bad:
        raise errors.fail(
            None, None, f"cannot read the file: {bad.strerror}", "check the path and its permissions"
        ) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    offset = 0
    for line_number, line in enumerate(data.splitlines(keepends=True), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as bad:
            errors.add(
                line_number,
                None,
                f"byte 0x{line[bad.start]:02x} at byte offset {offset + bad.start} is not UTF-8",
                _UTF8_FIX,
            )
        offset += len(line)
    return data.decode("utf-8-sig", errors="replace")


def _empty_file(errors: Errors) -> ImportFailed:
    return errors.fail(
        None,
        None,
        "the file is empty",
        f"write a header line with the columns {', '.join(REQUIRED_COLUMNS)}, then one row per video",
    )


def _no_rows(errors: Errors) -> ImportFailed:
    return errors.fail(None, None, "the file has no rows", "add at least one video below the header")


def _csv_rows(path: Path, errors: Errors) -> Rows:
    text = read_utf8(path, errors)
    if not text.strip():
        raise _empty_file(errors)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: Rows = []
    header: list[str] | None = None
    end = 0  # the last line of the previous record: a record (even a blank line) starts on the next
    try:
        for fields in reader:
            line, end = end + 1, reader.line_num
            if not fields or fields == [""]:
                continue  # blank line
            if header is None:
                header = [name.strip() for name in fields]
                _check_header(header, errors, row=line)
                continue
            if len(fields) != len(header):
                errors.add(
                    line,
                    None,
                    f"has {len(fields)} fields but the header has {len(header)}",
                    'wrap fields that contain commas in double quotes ("a, b") and give every column a value',
                )
                continue
            rows.append((line, {name: value for name, value in zip(header, fields, strict=True) if name}))
    except csv.Error as bad:
        raise errors.fail(
            reader.line_num,
            None,
            f"malformed CSV: {bad}",
            'wrap fields with commas, quotes or line breaks in double quotes and double inner quotes ("")',
        ) from None
    if not rows and not errors:
        raise _no_rows(errors)
    return rows


def _jsonl_rows(path: Path, errors: Errors) -> Rows:
    text = read_utf8(path, errors)
    rows: Rows = []
    unknown_seen: set[str] = set()
    # Split on '\n' only: JSON strings may hold U+2028 and other characters str.splitlines breaks at.
    for line_number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            cells = json.loads(line)
        except (ValueError, RecursionError) as bad:
            where = f" at column {bad.colno}" if isinstance(bad, json.JSONDecodeError) else ""
            reason = bad.msg if isinstance(bad, json.JSONDecodeError) else str(bad)
            errors.add(line_number, None, f"not valid JSON: {reason}{where}", "write one JSON object per line")
            continue
        if not isinstance(cells, dict):
            errors.add(
                line_number,
                None,
                f"expected a JSON object, got {_kind(cells)}",
                'write one object per line: {"id": ...}',
            )
            continue
        for name in cells:
            if name not in COLUMNS and name not in unknown_seen:
                unknown_seen.add(name)
                errors.add(line_number, name, "unknown field", _rename_fix(name, cells))
        missing = [name for name in REQUIRED_COLUMNS if name not in cells]
        if missing:
            errors.add(
                line_number,
                None,
                f"missing required field{'s' if len(missing) > 1 else ''}: {', '.join(missing)}",
                'add them (an empty caption is "", no hashtags is [])',
            )
            continue
        rows.append((line_number, cells))
    if not rows and not errors:
        if not text.strip():
            raise _empty_file(errors)
        raise _no_rows(errors)
    return rows


def _parquet_rows(path: Path, errors: Errors) -> Rows:
    # pyarrow takes a moment to import; only Parquet imports pay for it.
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
        records: list[dict[str, object]] = table.to_pylist()
    except (pa.lib.ArrowException, OSError, ValueError) as bad:
        raise errors.fail(
            None,
            None,
            f"not a readable Parquet file: {bad}",
            "write it with pyarrow or pandas .to_parquet(), or use CSV",
        ) from None
    header = [name for name in table.column_names if not _PANDAS_INDEX.fullmatch(name)]
    _check_header(header, errors, row=None)
    if not records and not errors:
        raise _no_rows(errors)
    return [(number, record) for number, record in enumerate(records, start=1)]


def _check_header(header: Sequence[str], errors: Errors, *, row: int | None) -> None:
    """Duplicate, unknown and missing columns; missing required ones stop the import."""
    seen: set[str] = set()
    for position, name in enumerate(header, start=1):
        if not name:
            errors.add(row, None, f"column {position} of the header has no name", "name it or remove the extra comma")
        elif name in seen:
            errors.add(row, name, "the column appears twice in the header", "keep one of them")
        elif name not in COLUMNS:
            errors.add(row, name, "unknown column", _rename_fix(name, header))
        seen.add(name)
    missing = [name for name in REQUIRED_COLUMNS if name not in seen]
    if missing:
        present = ", ".join(name for name in header if name) or "none"
        plural = "s" if len(missing) > 1 else ""
        raise errors.fail(
            row,
            None,
            f"missing required column{plural} {', '.join(missing)} (the file has: {present})",
            f"add {'them' if plural else 'it'} to the header; required are {', '.join(REQUIRED_COLUMNS)}",
        )


def _rename_fix(name: str, columns: Iterable[str]) -> str:
    fix = f"remove it or rename it to one of: {', '.join(COLUMNS)}"
    close = difflib.get_close_matches(name, COLUMNS, n=1)
    if close:
        fix = f"did you mean '{close[0]}'? {fix}"
    names = set(columns)
    if {"video_id", "author_hash", "desc"} <= names:
        fix += " (this looks like the KInIT TikTok feed log: read it with format 'kinit')"
    elif {"movieId", "title", "genres"} <= names:
        fix += " (this looks like MovieLens movies.csv: read it with format 'movielens')"
    return fix


# -- one row into one video --------------------------------------------------


class _CellError(Exception):
    """A cell that cannot be converted; becomes a RowError naming the column."""

    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.fix = fix


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    if value is None:
        return "null"
    return f"a {type(value).__name__}"


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    raise _CellError(f"expected text, got {_kind(value)}", 'write it as text (in JSON, in quotes: "...")')


def _bounded(limit: int) -> Callable[[object], str]:
    def convert(value: object) -> str:
        text = _text(value)
        if len(text) > limit:
            raise _CellError(
                f"is {len(text)} characters, more than the {limit} allowed",
                f"shorten it to {limit} characters",
            )
        return text

    return convert


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _CellError(f"expected a number, got {_kind(value)}", "write a plain number such as 42 or 12.5")
    if isinstance(value, str) and not _DECIMAL.fullmatch(value.strip()):
        if value.strip().lower().lstrip("+-") in ("nan", "inf", "infinity"):
            raise _CellError(f"{value!r} is not a finite number", "write a finite number such as 42 or 12.5")
        raise _CellError(f"{value!r} is not a number", "write a plain number such as 42 or 12.5 ('.' for decimals)")
    try:
        number = float(value)
    except OverflowError:
        raise _CellError(f"{value!r} is too large", "write a number of a sensible size") from None
    if not math.isfinite(number):
        raise _CellError(f"{value!r} is not a finite number", "write a finite number such as 42 or 12.5")
    return number


def _count(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        count = value
    elif isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        count = int(value.strip())
    else:
        number = _number(value)
        if not number.is_integer():
            raise _CellError(f"{value!r} is not a whole number", "write a whole number of times, e.g. 1200")
        count = int(number)
    if count > MAX_COUNT:
        raise _CellError(f"{value!r} is more than the store can hold", f"write a count up to {MAX_COUNT}")
    return count


def _flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0"):
        return value.strip().lower() in ("true", "1")
    raise _CellError(f"expected true or false, got {_kind(value)}", "write true or false (or 1 or 0)")


E = TypeVar("E", bound=enum.StrEnum)


def _choice(kind: type[E]) -> Callable[[object], E]:
    allowed = [member.value for member in kind]

    def convert(value: object) -> E:
        text = _text(value).strip().lower()
        if text not in allowed:
            raise _CellError(f"{value!r} is not allowed", f"use one of: {', '.join(allowed)}")
        return kind(text)

    return convert


_language = _bounded(MAX_LANGUAGE_CHARS)
_region = _bounded(MAX_REGION_CHARS)
_topic = _bounded(MAX_TOPIC_CHARS)
_creator_name = _bounded(MAX_CREATOR_NAME_CHARS)
_enforcement = _choice(model.Enforcement)
_harm = _choice(model.Harm)
_any_theme = _choice(model.Theme)


def _theme(value: object) -> model.Theme | None:
    if isinstance(value, str) and value.strip().lower() == "none":
        return None
    try:
        return _any_theme(value)
    except _CellError as bad:
        raise _CellError(bad.problem, f"{bad.fix}, or none") from None


def _moment(value: object) -> dt.datetime:
    """ISO 8601 text, unix seconds, or (from Parquet) a timestamp; always UTC out."""
    moment: dt.datetime
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str) and not _DECIMAL.fullmatch(value.strip()):
        try:
            moment = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise _CellError(
                f"{value!r} is not a time",
                "write ISO 8601 with an offset (2025-01-31T18:00:00+00:00) or unix seconds",
            ) from None
    elif isinstance(value, int | float | str) and not isinstance(value, bool):
        seconds = _number(value)
        try:
            moment = dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
        except (OverflowError, OSError, ValueError):
            raise _CellError(
                f"{value!r} is out of range for unix seconds", "write seconds since 1970-01-01 UTC"
            ) from None
    else:
        raise _CellError(f"expected a time, got {_kind(value)}", "write ISO 8601 with an offset or unix seconds")
    if moment.tzinfo is None:
        raise _CellError(f"{value!r} has no time zone", "add the offset, e.g. 2025-01-31T18:00:00+00:00 or ...Z")
    return moment.astimezone(dt.UTC)


def _hashtags(value: object) -> tuple[str, ...]:
    """Tags from 'a b', '#a #b', 'a|b' or a list; '#' is dropped and repeats are kept once."""
    if isinstance(value, str):
        tags = _TAG_SEPARATORS.split(value)
    elif isinstance(value, list | tuple):
        tags = []
        for item in value:
            if not isinstance(item, str):
                raise _CellError(f"expected a list of text, one item is {_kind(item)}", 'write ["tag1", "tag2"]')
            tag = item.strip().lstrip("#")
            # The store keeps tags space-separated and splits on any whitespace, so none may hide in a tag.
            if any(char.isspace() for char in tag):
                raise _CellError(f"hashtag {tag!r} contains whitespace", "remove the spaces or split it into two tags")
            tags.append(tag)
    else:
        raise _CellError(f"expected text or a list, got {_kind(value)}", 'write "tag1 tag2" or ["tag1", "tag2"]')
    return tuple(dict.fromkeys(tag for tag in tags if tag))


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


@functools.lru_cache(maxsize=16384)
def _tag_problem(tag: str) -> str | None:
    # Cached: a feed log repeats the same few thousand tags tens of thousands of times.
    return _model_problem("hashtags", (tag,))


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

    def __init__(self, cells: Cells, row: int, errors: Errors) -> None:
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
        except _CellError as bad:
            self.add(column, bad.problem, bad.fix)
            return default


@dataclasses.dataclass(frozen=True, slots=True)
class _Parsed:
    video: model.Video
    creator_name: str
    creator_verified: bool | None


def _row_video(cells: Cells, row: int, errors: Errors) -> _Parsed | None:
    r = _Row(cells, row, errors)
    fields: dict[str, Any] = {
        "id": r.get("id", _text, ""),
        "creator_id": r.get("creator_id", _text, ""),
        "caption": r.get("caption", _text, ""),
        "hashtags": r.get("hashtags", _hashtags, ()),
        "duration_s": r.get("duration_s", _number, None),
        "created_at": r.get("created_at", _moment, EPOCH),
    }
    if fields["duration_s"] is None and cells.get("duration_s") in (None, ""):
        r.add("duration_s", "no value", "give the length in seconds, 0-3600 (0 if unknown)")
    counts = {name: r.get(name, _count, 0) for name in COUNTER_COLUMNS}
    counters = _counters(counts, r)
    language = r.get("language", _language, "und")
    region = r.get("region", _region, "")
    enforcement = r.get("enforcement", _enforcement, model.Enforcement.ALLOWED)
    topic = r.get("topic", _topic, None)
    is_ad = r.get("is_ad", _flag, False)
    creator_name = r.get("creator_name", _creator_name, "")
    creator_verified = r.get("creator_verified", _flag, None)
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
            if not field_problems(fields):  # an invariant across fields that no single column breaks
                r.add(None, str(error), "correct the row so the video is valid")
    if video is None:
        # Say everything wrong with the row at once: the model's checks too, field by field.
        checkable = {name: value for name, value in fields.items() if name not in r.failed and value is not None}
        for column, problem in field_problems(checkable):
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
    mh_related = r.get("mh_related", _flag, None)
    theme = r.get("theme", _theme, None)
    harm = r.get("harm", _harm, None)
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


def _catalog(rows: Rows, errors: Errors) -> model.Catalog:
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
