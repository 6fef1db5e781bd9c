"""Catalog files read into rows of cells: UTF-8 text, CSV, JSONL and Parquet.

Each reader checks the file's shape (encoding, header, JSON objects, required
columns) into a `row_errors.Errors` and returns every row it could read, numbered as
the errors name them; turning cells into videos is the importer's part
(`safefeed.content.catalog_import`).
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from safefeed.datasets import catalog_format, row_errors

Cells = Mapping[str, object]
Rows = list[tuple[int, Cells]]

_PANDAS_INDEX = re.compile(r"__index_level_\d+__")
_UTF8_FIX = "save the file as UTF-8 (in a spreadsheet: 'CSV UTF-8'; in an editor: encoding UTF-8)"


def read_utf8(path: Path, errors: row_errors.Errors) -> str:
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


def _empty_file(errors: row_errors.Errors) -> row_errors.ImportFailed:
    return errors.fail(
        None,
        None,
        "the file is empty",
        f"write a header line with the columns {', '.join(catalog_format.REQUIRED_COLUMNS)}, then one row per video",
    )


def _no_rows(errors: row_errors.Errors) -> row_errors.ImportFailed:
    return errors.fail(None, None, "the file has no rows", "add at least one video below the header")


def csv_rows(path: Path, errors: row_errors.Errors) -> Rows:
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
                check_header(header, errors, row=line)
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


def jsonl_rows(path: Path, errors: row_errors.Errors) -> Rows:
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
                f"expected a JSON object, got {row_errors.kind(cells)}",
                'write one object per line: {"id": ...}',
            )
            continue
        for name in cells:
            if name not in catalog_format.COLUMNS and name not in unknown_seen:
                unknown_seen.add(name)
                errors.add(line_number, name, "unknown field", _rename_fix(name, cells))
        missing = [name for name in catalog_format.REQUIRED_COLUMNS if name not in cells]
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


def parquet_rows(path: Path, errors: row_errors.Errors) -> Rows:
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
    check_header(header, errors, row=None)
    if not records and not errors:
        raise _no_rows(errors)
    return [(number, record) for number, record in enumerate(records, start=1)]


def check_header(header: Sequence[str], errors: row_errors.Errors, *, row: int | None) -> None:
    """Duplicate, unknown and missing columns; missing required ones stop the import."""
    seen: set[str] = set()
    for position, name in enumerate(header, start=1):
        if not name:
            errors.add(row, None, f"column {position} of the header has no name", "name it or remove the extra comma")
        elif name in seen:
            errors.add(row, name, "the column appears twice in the header", "keep one of them")
        elif name not in catalog_format.COLUMNS:
            errors.add(row, name, "unknown column", _rename_fix(name, header))
        seen.add(name)
    missing = [name for name in catalog_format.REQUIRED_COLUMNS if name not in seen]
    if missing:
        present = ", ".join(name for name in header if name) or "none"
        plural = "s" if len(missing) > 1 else ""
        required = ", ".join(catalog_format.REQUIRED_COLUMNS)
        raise errors.fail(
            row,
            None,
            f"missing required column{plural} {', '.join(missing)} (the file has: {present})",
            f"add {'them' if plural else 'it'} to the header; required are {required}",
        )


def _rename_fix(name: str, columns: Iterable[str]) -> str:
    fix = f"remove it or rename it to one of: {', '.join(catalog_format.COLUMNS)}"
    close = difflib.get_close_matches(name, catalog_format.COLUMNS, n=1)
    if close:
        fix = f"did you mean '{close[0]}'? {fix}"
    names = set(columns)
    if {"video_id", "author_hash", "desc"} <= names:
        fix += " (this looks like the KInIT TikTok feed log: read it with format 'kinit')"
    elif {"movieId", "title", "genres"} <= names:
        fix += " (this looks like MovieLens movies.csv: read it with format 'movielens')"
    return fix
