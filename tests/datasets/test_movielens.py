from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from safefeed import model
from safefeed.content import catalog_import
from safefeed.datasets import catalog_format, movielens


def write_dataset(folder: Path, movies: str, ratings: str = "userId,movieId,rating,timestamp\n") -> Path:
    """A tiny synthetic MovieLens folder (the real one is never copied)."""
    (folder / movielens.MOVIES_FILE).write_text(movies, encoding="utf-8")
    (folder / movielens.RATINGS_FILE).write_text(ratings, encoding="utf-8")
    return folder


MOVIES = 'movieId,title,genres\n1,Some Film (1995),Adventure|Sci-Fi\n2,"Untitled, Unknown",(no genres listed)\n'


def test_movies_become_catalog_items(tmp_path: Path) -> None:
    catalog = movielens.read_catalog(write_dataset(tmp_path, MOVIES))
    assert catalog.creators == (model.Creator(movielens.CREATOR_ID, "MovieLens"),)
    assert catalog.videos == (
        model.Video(
            "1",
            "movielens",
            "Some Film (1995)",
            ("adventure", "sci-fi"),
            0.0,
            dt.datetime(1995, 1, 1, tzinfo=dt.UTC),
        ),
        model.Video("2", "movielens", "Untitled, Unknown", (), 0.0, catalog_format.EPOCH),
    )


def test_read_catalog_finds_movielens_by_folder(tmp_path: Path) -> None:
    write_dataset(tmp_path, MOVIES)
    assert catalog_import.read_catalog(tmp_path) == movielens.read_catalog(tmp_path / "movies.csv")
    assert catalog_import.read_catalog(tmp_path / "movies.csv", format="movielens") == movielens.read_catalog(tmp_path)


def test_movies_csv_as_a_plain_catalog_points_to_movielens(tmp_path: Path) -> None:
    write_dataset(tmp_path, MOVIES)
    with pytest.raises(catalog_import.ImportFailed, match="format 'movielens'"):
        catalog_import.read_catalog(tmp_path / "movies.csv")


def test_ratings(tmp_path: Path) -> None:
    write_dataset(tmp_path, MOVIES, "userId,movieId,rating,timestamp\n7,1,4.5,964982703\n7,2,0.5,0\n")
    assert movielens.ratings(tmp_path) == [
        movielens.Rating("7", "1", 4.5, dt.datetime(2000, 7, 30, 18, 45, 3, tzinfo=dt.UTC)),
        movielens.Rating("7", "2", 0.5, catalog_format.EPOCH),
    ]


def test_bad_rating_and_bad_header(tmp_path: Path) -> None:
    write_dataset(tmp_path, MOVIES, "userId,movieId,rating,timestamp\n7,1,6,964982703\n7,1,x,1\n")
    with pytest.raises(catalog_import.ImportFailed) as failed:
        movielens.ratings(tmp_path / "ratings.csv")
    assert [error.row for error in failed.value.errors] == [2, 3]
    write_dataset(tmp_path, "id,name\n1,x\n")
    with pytest.raises(catalog_import.ImportFailed, match="expected the columns movieId, title, genres"):
        movielens.read_catalog(tmp_path)


@pytest.fixture(scope="module")
def movielens_dir(data_dir: Path) -> Path:
    folder = data_dir / "movielens-latest-small"
    if not (folder / movielens.MOVIES_FILE).is_file():
        pytest.skip(f"MovieLens not found at {folder}: set SAFEFEED_DATA to the shared data folder")
    return folder


@pytest.mark.data
def test_real_movielens(movielens_dir: Path) -> None:
    catalog = catalog_import.read_catalog(movielens_dir, format="movielens")
    assert len(catalog.videos) == 9_742
    ratings = movielens.ratings(movielens_dir)
    assert len(ratings) == 100_836
    assert len({rating.user_id for rating in ratings}) == 610
    assert {rating.movie_id for rating in ratings} <= {video.id for video in catalog.videos}
