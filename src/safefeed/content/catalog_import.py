"""Catalog files read into a validated `model.Catalog`, all or nothing.

`read_catalog` either returns a catalog in which every row passed validation or
raises `ImportFailed` listing what is wrong (file, row, column, problem, fix),
so the caller writes nothing from a bad file. The format is documented in
docs/catalog-format.md. The reading is in stages: the file into rows of cells
(`safefeed.datasets.files`), each cell into a value (`catalog_cells`), the rows
into the catalog (`catalog_build`); the real data sets have their own readers in
`safefeed.datasets`, reached through `format="kinit"` and `format="movielens"`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from safefeed import model
from safefeed.content import catalog_build
from safefeed.datasets import catalog_format, files, kinit, movielens, row_errors

# Callers (the API's error mapping, the CLI, the service) name these here: the errors and the per-field
# check live in `safefeed.datasets`, below `content`, so the data-set readers can share them without a cycle.
ImportFailed = row_errors.ImportFailed
field_problems = catalog_format.field_problems

Format = Literal["auto", "csv", "jsonl", "parquet", "kinit", "movielens"]
FORMATS: tuple[Format, ...] = ("auto", "csv", "jsonl", "parquet", "kinit", "movielens")

_EXTENSIONS: dict[str, Format] = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}


def read_catalog(path: Path, *, format: Format = "auto") -> model.Catalog:
    """The catalog in `path`, every row validated; raises `ImportFailed`, never returns part of a file."""
    path = Path(path)
    chosen = _resolve_format(path, format)
    if chosen == "kinit":
        return kinit.read_catalog(path)
    if chosen == "movielens":
        return movielens.read_catalog(path)
    errors = row_errors.Errors(str(path))
    if not path.is_file():
        raise errors.fail(None, None, "no such file", "check the path (a catalog is one .csv, .jsonl or .parquet file)")
    if chosen == "csv":
        rows = files.csv_rows(path, errors)
    elif chosen == "jsonl":
        rows = files.jsonl_rows(path, errors)
    else:
        rows = files.parquet_rows(path, errors)
    return catalog_build.catalog(rows, errors)


def _resolve_format(path: Path, format: Format) -> Format:
    if format not in FORMATS:
        raise row_errors.Errors(str(path)).fail(
            None, None, f"unknown format {format!r}", f"use one of: {', '.join(FORMATS)}"
        )
    if format != "auto":
        return format
    if path.is_dir():
        if (path / "movies.csv").is_file():
            return "movielens"
        raise row_errors.Errors(str(path)).fail(
            None, None, "is a folder", "give the catalog file itself (a folder is only read as MovieLens)"
        )
    chosen = _EXTENSIONS.get(path.suffix.lower())
    if chosen is None:
        raise row_errors.Errors(str(path)).fail(
            None,
            None,
            f"cannot tell the format from the extension {path.suffix or '(none)'!r}",
            "name the file .csv, .jsonl (or .ndjson) or .parquet, or choose the format explicitly",
        )
    return chosen
