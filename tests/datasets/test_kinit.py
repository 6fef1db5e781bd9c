from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest

from safefeed import model
from safefeed.content import catalog_import
from safefeed.datasets import kinit
from safefeed.store import repository

COLUMNS = [
    "scenario",
    "group",
    "run",
    "account_index",
    "response_time",
    "position_in_batch",
    "video_id",
    "create_time",
    "desc",
    "desc_encoding_fix",
    "hashtags",
    "video_duration_s",
    "text_language",
    "category_type",
    "diversification_id",
    "is_ad",
    "play_count",
    "digg_count",
    "comment_count",
    "share_count",
    "collect_count",
    "author_hash",
    "source_tracking",
]


def feed_row(**values: str) -> dict[str, str]:
    row = {
        "scenario": "39",
        "group": "experiment",
        "run": "1",
        "account_index": "3",
        "response_time": "20250129-111042",
        "position_in_batch": "0",
        "video_id": "100",
        "create_time": "1734290183",
        "desc": "caption #fyp",
        "desc_encoding_fix": "ascii",
        "hashtags": "fyp",
        "video_duration_s": "10",
        "text_language": "en",
        "category_type": "1",
        "diversification_id": "2",
        "is_ad": "False",
        "play_count": "5",
        "digg_count": "4",
        "comment_count": "3",
        "share_count": "2",
        "collect_count": "1",
        "author_hash": "aaaa",
        "source_tracking": "fyp_32",
    }
    return {**row, **values}


def write_feed(folder: Path, rows: list[dict[str, str]]) -> Path:
    """A tiny synthetic feed log in the KInIT layout (the real one is never copied)."""
    with (folder / kinit.FEED_FILE).open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return folder


EMPTY_SLOT = {name: "" for name in COLUMNS} | {
    "scenario": "39",
    "group": "control",
    "run": "1",
    "account_index": "4",
    "response_time": "20250129-111042",
    "position_in_batch": "1",
    "create_time": "0",
    "is_ad": "False",
}


def test_one_video_per_id_from_its_latest_capture(tmp_path: Path) -> None:
    write_feed(
        tmp_path,
        [
            feed_row(response_time="20250130-090000", play_count="900", video_duration_s="0"),
            feed_row(response_time="20250129-111042", play_count="5", author_hash=""),
            feed_row(video_id="200", hashtags="#Racehorse|funny videos|" + "x" * 101 + "|#|fyp", text_language="un"),
            feed_row(video_id="300", is_ad="True", video_duration_s="24100", author_hash="", text_language=""),
            EMPTY_SLOT,
        ],
    )
    catalog, stats = kinit.read_catalog_with_stats(tmp_path)
    latest, tags, ad = catalog.videos
    assert latest == model.Video(
        id="100",
        creator_id="aaaa",
        caption="caption #fyp",
        hashtags=("fyp",),
        duration_s=0.0,
        created_at=dt.datetime(2024, 12, 15, 19, 16, 23, tzinfo=dt.UTC),
        language="en",
        counters=model.Counters(views=900, likes=4, comments=3, shares=2, saves=1),
    )
    # '#' and whitespace are removed; the 101-character tag and the bare '#' cannot be valid and are dropped.
    assert (tags.hashtags, tags.language) == (("Racehorse", "funnyvideos", "fyp"), "und")
    # An ad's 24100 is milliseconds; with no author on any capture the creator is the placeholder.
    assert (ad.duration_s, ad.is_ad, ad.creator_id, ad.language) == (24.1, True, kinit.UNKNOWN_AUTHOR, "und")
    assert [creator.id for creator in catalog.creators] == ["aaaa", kinit.UNKNOWN_AUTHOR]
    assert stats == kinit.CatalogStats(
        rows=5,
        videos=3,
        creators=2,
        rows_without_video_id=1,
        hashtags_dropped=2,
        ad_durations_from_ms=1,
        authors_from_other_capture=0,
        unknown_authors=1,
    )


def test_author_from_another_capture(tmp_path: Path) -> None:
    write_feed(tmp_path, [feed_row(response_time="20250101-000000"), feed_row(author_hash="")])
    catalog, stats = kinit.read_catalog_with_stats(tmp_path / kinit.FEED_FILE)
    assert catalog.videos[0].creator_id == "aaaa"
    assert stats.authors_from_other_capture == 1


def test_read_catalog_with_the_kinit_format(tmp_path: Path) -> None:
    write_feed(tmp_path, [feed_row()])
    assert catalog_import.read_catalog(tmp_path / kinit.FEED_FILE, format="kinit") == kinit.read_catalog(tmp_path)


def test_bad_values_name_the_line_and_column(tmp_path: Path) -> None:
    write_feed(
        tmp_path,
        [feed_row(), feed_row(video_id="2", digg_count="many", share_count="-1", video_duration_s="7200")],
    )
    with pytest.raises(catalog_import.ImportFailed) as failed:
        kinit.read_catalog(tmp_path)
    found = [(error.row, error.column, error.problem) for error in failed.value.errors]
    assert found == [
        (3, "digg_count", "'many' is not a whole number"),
        (3, "share_count", "-1 is not a count the store can hold"),
        (3, "video_duration_s", "duration_s must be within 0-3600 seconds, got 7200"),
    ]


def test_a_file_without_the_kinit_columns(tmp_path: Path) -> None:
    (tmp_path / "feed.csv").write_text("id,caption\n1,x\n", encoding="utf-8")
    with pytest.raises(catalog_import.ImportFailed, match="missing columns scenario, group"):
        kinit.read_catalog(tmp_path / "feed.csv")
    with pytest.raises(catalog_import.ImportFailed, match="no such file"):
        kinit.feed_rows(tmp_path / "absent")


def test_feed_rows(tmp_path: Path) -> None:
    write_feed(tmp_path, [feed_row(hashtags="#a|b c"), EMPTY_SLOT, feed_row(group="control", position_in_batch="2")])
    first, second = kinit.feed_rows(tmp_path)
    assert first == kinit.FeedRow(
        scenario="39",
        group="experiment",
        run=1,
        account_index=3,
        response_time=dt.datetime(2025, 1, 29, 11, 10, 42, tzinfo=dt.UTC),
        position_in_batch=0,
        video_id="100",
        hashtags=("a", "bc"),
        author_hash="aaaa",
        is_ad=False,
    )
    assert (second.group, second.position_in_batch) == ("control", 2)


def test_feed_rows_refuse_an_unknown_group(tmp_path: Path) -> None:
    write_feed(tmp_path, [feed_row(group="treatment", response_time="yesterday")])
    with pytest.raises(catalog_import.ImportFailed) as failed:
        kinit.feed_rows(tmp_path)
    assert [error.column for error in failed.value.errors] == ["group", "response_time"]


def test_scenario_parameters(tmp_path: Path) -> None:
    entry = {
        "config_file": "scenarios/config_15_2_exp.py",
        "scenario_id": 152.2,
        "COUNTRY": "Germany",
        "MAX_VIDEOS": 250,
        "HASHTAGS_WATCH_LONGER_MAXWATCHTIME": 240,
        "profiles": {"6": {"HASHTAGS_WATCH_LONGER": ["food", "cooking"], "HASHTAGS_WATCH_LONGER_COEFFICIENT": 2}},
    }
    (tmp_path / kinit.PARAMETERS_FILE).write_text(json.dumps([entry]), encoding="utf-8")
    (config,) = kinit.scenario_parameters(tmp_path)
    assert (config.scenario, config.group, config.country, config.max_videos) == (
        "15-2",
        "experiment",
        "Germany",
        250,
    )
    assert (config.max_watchtime_s, config.hashtags_watch_longer_max_watchtime_s) == (None, 240)
    (profile,) = config.profiles
    assert (profile.account_index, profile.hashtags_watch_longer) == (6, ("food", "cooking"))
    assert (profile.hashtags_watch_longer_coefficient, profile.random_videos_to_watch) == (2.0, 0)
    (tmp_path / kinit.PARAMETERS_FILE).write_text('[{"config_file": "x"}]', encoding="utf-8")
    with pytest.raises(catalog_import.ImportFailed, match="unexpected content"):
        kinit.scenario_parameters(tmp_path)


# -- the real data (../shared/data, or $SAFEFEED_DATA) ----------------------------------------


@pytest.fixture(scope="module")
def kinit_dir(data_dir: Path) -> Path:
    folder = data_dir / "tiktok-fyp-audit-kinit"
    if not (folder / kinit.FEED_FILE).is_file():
        pytest.skip(f"KInIT feed log not found at {folder}: set SAFEFEED_DATA to the shared data folder")
    return folder


@pytest.mark.data
def test_real_catalog_imports_every_video(kinit_dir: Path, sqlite_store: repository.Store) -> None:
    catalog, stats = kinit.read_catalog_with_stats(kinit_dir)
    sqlite_store.import_catalog(catalog.creators, catalog.videos)
    # PROVENANCE.md counts 17,866 unique video_id values; one is the empty id of the 765 empty feed slots.
    assert stats.rows == 44_522
    assert stats.rows_without_video_id == 765
    assert stats.videos == len(catalog.videos) == sqlite_store.count_videos() == 17_865
    assert all(0 <= video.duration_s <= 3600 for video in catalog.videos)
    assert sum(video.is_ad for video in catalog.videos) > 0


@pytest.mark.data
def test_real_feed_rows_and_parameters(kinit_dir: Path) -> None:
    rows = kinit.feed_rows(kinit_dir)
    assert len(rows) == 44_522 - 765
    assert {row.group for row in rows} == {"control", "experiment"}
    configs = kinit.scenario_parameters(kinit_dir)
    served = {(row.scenario, row.group) for row in rows}
    assert served <= {(config.scenario, config.group) for config in configs}
    assert len(served) == 42  # 21 scenarios x 2 arms
