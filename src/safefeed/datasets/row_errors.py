"""What is wrong with a data file, row by row: the errors every file reader collects.

The catalog importer (`safefeed.content.catalog_import`) and the data-set
readers here report through one `Errors` each, so a file reports many problems
at once instead of one per attempt, and a refused file raises `ImportFailed`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

# Past this many errors more of them stop helping: the file is probably in another format.
MAX_ERRORS = 100
SHOWN_ERRORS = 10


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

    Format readers (`safefeed.content.catalog_import` and the data sets here)
    collect into one of these, so a file reports many problems at once instead
    of one per attempt.
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


def kind(value: object) -> str:
    """A value as an error message names it.

    >>> kind(True), kind(3), kind("x"), kind([1])
    ('the boolean true', 'the number 3', "the text 'x'", 'a list')
    """
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
