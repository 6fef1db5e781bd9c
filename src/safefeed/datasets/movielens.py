"""MovieLens (ml-latest-small): movies as catalog items, ratings for offline relevance.

The data (../shared/data/movielens-latest-small, see its PROVENANCE.md) is
real and redistributable, so it is the recommender's plumbing check on real
preferences. Movies become videos like this:

- id: `movieId`; creator: `CREATOR_ID` for all; caption: `title`;
- hashtags: the genres, lowercased without spaces ("Sci-Fi" -> "sci-fi"),
  none for "(no genres listed)";
- duration_s: 0, which the catalog format defines as "length unknown" (a
  feature film does not fit the 0-3600 s range of a short video);
- created_at: 1 January of the year in the title, "Toy Story (1995)", or
  1970-01-01 when the title has none; language "und"; counters 0.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import math
import re
from collections.abc import Iterator
from pathlib import Path

from safefeed import model
from safefeed.datasets import catalog_format, files, row_errors

MOVIES_FILE = "movies.csv"
RATINGS_FILE = "ratings.csv"
CREATOR_ID = "movielens"
UNKNOWN_DURATION_S = 0.0

_YEAR = re.compile(r"\((\d{4})(?:[–-]\d{4})?\)\s*$")
_NO_GENRES = "(no genres listed)"
_REREAD_FIX = "the MovieLens file looks altered: restore it from ../shared/data"


@dataclasses.dataclass(frozen=True, slots=True)
class Rating:
    """One user's star rating (0.5-5.0) of one movie; ids are text, as `Video.id` is."""

    user_id: str
    movie_id: str
    rating: float
    timestamp: dt.datetime


def _file(path: Path, name: str) -> Path:
    """`name` in the dataset folder, given the folder or any file in it."""
    return path / name if path.is_dir() else path.with_name(name)


def _rows(path: Path, columns: tuple[str, ...], errors: row_errors.Errors) -> Iterator[tuple[int, dict[str, str]]]:
    if not path.is_file():
        raise errors.fail(None, None, "no such file", "give the MovieLens folder (with movies.csv and ratings.csv)")
    reader = csv.DictReader(io.StringIO(files.read_utf8(path, errors), newline=""))
    header = reader.fieldnames or []
    if list(header) != list(columns):
        raise errors.fail(1, None, f"expected the columns {', '.join(columns)}, got {', '.join(header)}", _REREAD_FIX)
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error as bad:
        raise errors.fail(reader.line_num, None, f"malformed CSV: {bad}", _REREAD_FIX) from None


def genre_tags(genres: str) -> tuple[str, ...]:
    """MovieLens genres as hashtags.

    >>> genre_tags("Adventure|Sci-Fi|Film-Noir")
    ('adventure', 'sci-fi', 'film-noir')
    >>> genre_tags("(no genres listed)")
    ()
    """
    if genres == _NO_GENRES:
        return ()
    return tuple(dict.fromkeys("".join(genre.lower().split()) for genre in genres.split("|") if genre.strip()))


def _released(title: str) -> dt.datetime:
    match = _YEAR.search(title)
    return dt.datetime(int(match.group(1)), 1, 1, tzinfo=dt.UTC) if match else catalog_format.EPOCH


def read_catalog(path: Path) -> model.Catalog:
    """Every movie as a catalog item; `path` is the dataset folder or its movies.csv."""
    movies = _file(Path(path), MOVIES_FILE)
    errors = row_errors.Errors(str(movies))
    videos: list[model.Video] = []
    for line, row in _rows(movies, ("movieId", "title", "genres"), errors):
        try:
            videos.append(
                model.Video(
                    id=row["movieId"],
                    creator_id=CREATOR_ID,
                    caption=row["title"],
                    hashtags=genre_tags(row["genres"]),
                    duration_s=UNKNOWN_DURATION_S,
                    created_at=_released(row["title"]),
                )
            )
        except model.InvalidValue as error:
            errors.add(line, None, str(error), _REREAD_FIX)
    errors.raise_if_any()
    if not videos:
        raise errors.fail(None, None, "no movies", _REREAD_FIX)
    return model.Catalog(creators=(model.Creator(CREATOR_ID, "MovieLens"),), videos=tuple(videos))


def ratings(path: Path) -> list[Rating]:
    """Every rating in file order (by user, then movie); `path` is the dataset folder or its ratings.csv."""
    file = _file(Path(path), RATINGS_FILE)
    errors = row_errors.Errors(str(file))
    found: list[Rating] = []
    for line, row in _rows(file, ("userId", "movieId", "rating", "timestamp"), errors):
        try:
            stars = float(row["rating"])
            timestamp = dt.datetime.fromtimestamp(int(row["timestamp"]), tz=dt.UTC)
        except (ValueError, OverflowError, OSError):
            errors.add(line, None, f"unreadable rating {row['rating']!r} at {row['timestamp']!r}", _REREAD_FIX)
            continue
        if not (math.isfinite(stars) and 0.5 <= stars <= 5.0) or not row["userId"] or not row["movieId"]:
            errors.add(line, "rating", f"{row['rating']!r} is not 0.5-5.0 stars for a user and movie", _REREAD_FIX)
            continue
        found.append(Rating(row["userId"], row["movieId"], stars, timestamp))
    errors.raise_if_any()
    return found
