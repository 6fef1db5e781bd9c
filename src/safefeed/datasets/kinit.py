"""The KInIT TikTok sock-puppet feed logs: a real catalog, and the served feeds for replay.

The data (../shared/data/tiktok-fyp-audit-kinit, see its PROVENANCE.md) is one
row per video shown in a For You batch, so a video appears once per time it
was served. The catalog keeps one `Video` per video id, taken from its latest
capture; `feed_rows` keeps every served row for the audit lab's `Replay`.

Decisions forced by the data, each counted in `CatalogStats`:

- 765 rows have no video id (empty feed slots; the published "17,866 unique
  videos" counts that empty id as one): they are left out, giving 17,865 videos.
- Hashtags are cleaned ('#' and whitespace removed); a tag still invalid for
  `model.Video` (longer than 100 characters) is dropped.
- Ads report `video_duration_s` in milliseconds (median 24,100): an ad's
  duration above 3600 is divided by 1000.
- `text_language` 'un' (TikTok's "unknown") and '' become 'und'.
- An empty `author_hash` on the latest capture is taken from another capture
  of the same video, else the creator is `UNKNOWN_AUTHOR`.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

from safefeed import model
from safefeed.datasets import catalog_format, files, row_errors

FEED_FILE = "feed_items.csv"
PARAMETERS_FILE = "scenario_parameters.json"
UNKNOWN_AUTHOR = "unknown-author"
GROUPS = ("control", "experiment")

_FEED_COLUMNS = (
    "scenario",
    "group",
    "run",
    "account_index",
    "response_time",
    "position_in_batch",
    "video_id",
    "create_time",
    "desc",
    "hashtags",
    "video_duration_s",
    "text_language",
    "is_ad",
    "play_count",
    "digg_count",
    "comment_count",
    "share_count",
    "collect_count",
    "author_hash",
)
_COUNTERS = {
    "views": "play_count",
    "likes": "digg_count",
    "comments": "comment_count",
    "shares": "share_count",
    "saves": "collect_count",
}
_REREAD_FIX = "the KInIT file looks altered: restore it from ../shared/data"


@dataclasses.dataclass(frozen=True, slots=True)
class FeedRow:
    """One video as served in one feed batch to one sock-puppet account."""

    scenario: str  # e.g. "39", "15-2"
    group: str  # "control" or "experiment"
    run: int
    account_index: int
    response_time: dt.datetime  # capture time from the file name; its zone is not recorded, read as UTC
    position_in_batch: int
    video_id: str
    hashtags: tuple[str, ...]  # cleaned as in the catalog
    author_hash: str
    is_ad: bool


@dataclasses.dataclass(frozen=True, slots=True)
class CatalogStats:
    """What reading the catalog had to leave out or reinterpret; see the module docstring."""

    rows: int
    videos: int
    creators: int
    rows_without_video_id: int
    hashtags_dropped: int
    ad_durations_from_ms: int
    authors_from_other_capture: int
    unknown_authors: int


@dataclasses.dataclass(frozen=True, slots=True)
class Profile:
    """One bot account's behaviour settings, as in the scenario's config file."""

    account_index: int
    hashtags_to_like: tuple[str, ...]
    hashtags_to_follow: tuple[str, ...]
    hashtags_watch_longer: tuple[str, ...]
    hashtags_watch_longer_coefficient: float
    watch_coefficient_with_hashtags: float
    watch_coefficient_no_hashtags: float
    random_authors_to_follow: int
    random_posts_to_like: int
    random_videos_to_watch: int
    random_watch_coefficient: float
    usernames_to_follow: tuple[str, ...]
    usernames_to_like: tuple[str, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class ScenarioConfig:
    """One arm of one scenario; `scenario` and `group` match `FeedRow`'s."""

    scenario: str
    group: str
    config_file: str
    country: str
    max_videos: int
    max_watchtime_s: int | None
    hashtags_watch_longer_max_watchtime_s: int | None
    random_watch_max_watchtime_s: int | None
    profiles: tuple[Profile, ...]


def _feed_file(path: Path) -> Path:
    return path / FEED_FILE if path.is_dir() else path


def clean_hashtags(raw: str) -> tuple[tuple[str, ...], int]:
    """The '|'-joined tags cleaned for `model.Video`, and how many had to be dropped.

    >>> clean_hashtags("fyp|#racehorse|funny videos||fyp")
    (('fyp', 'racehorse', 'funnyvideos'), 0)
    >>> clean_hashtags("ok|" + "x" * 101)
    (('ok',), 1)
    """
    kept: dict[str, None] = {}
    dropped = 0
    for tag in raw.split("|"):
        if not tag:
            continue
        cleaned = "".join(char for char in tag if char != "#" and not char.isspace())
        if cleaned and not catalog_format.field_problems({"hashtags": (cleaned,)}):
            kept[cleaned] = None
        else:
            dropped += 1
    return tuple(kept), dropped


def _read(path: Path, errors: row_errors.Errors) -> list[tuple[int, dict[str, str]]]:
    """The feed rows with their line numbers; a missing column stops the read."""
    if not path.is_file():
        raise errors.fail(None, None, "no such file", f"give the KInIT folder or its {FEED_FILE}")
    text = files.read_utf8(path, errors)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = [name for name in _FEED_COLUMNS if name not in header]
    if missing:
        raise errors.fail(
            1,
            None,
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} (the file has: "
            f"{', '.join(header) or 'none'})",
            f"give the KInIT {FEED_FILE}; other catalogs use format csv",
        )
    try:
        return [(reader.line_num, row) for row in reader]
    except csv.Error as bad:
        raise errors.fail(reader.line_num, None, f"malformed CSV: {bad}", _REREAD_FIX) from None


def _int(row: dict[str, str], column: str, line: int, errors: row_errors.Errors, *, empty: int = 0) -> int:
    value = row[column]
    if value == "":
        return empty
    try:
        return int(value)
    except ValueError:
        errors.add(line, column, f"{value!r} is not a whole number", _REREAD_FIX)
        return empty


def _count(row: dict[str, str], column: str, line: int, errors: row_errors.Errors) -> int:
    count = _int(row, column, line, errors)
    if not 0 <= count <= catalog_format.MAX_COUNT:
        errors.add(line, column, f"{count} is not a count the store can hold", _REREAD_FIX)
        return 0
    return count


def _flag(row: dict[str, str], column: str, line: int, errors: row_errors.Errors) -> bool:
    value = row[column]
    if value not in ("True", "False"):
        errors.add(line, column, f"{value!r} is not True or False", _REREAD_FIX)
    return value == "True"


def _response_time(value: str, line: int, errors: row_errors.Errors) -> dt.datetime:
    try:
        return dt.datetime.strptime(value, "%Y%m%d-%H%M%S").replace(tzinfo=dt.UTC)
    except ValueError:
        errors.add(line, "response_time", f"{value!r} is not YYYYMMDD-HHMMSS", _REREAD_FIX)
        return catalog_format.EPOCH


def _created_at(value: str, line: int, errors: row_errors.Errors) -> dt.datetime:
    try:
        return dt.datetime.fromtimestamp(int(value), tz=dt.UTC)
    except (ValueError, OverflowError, OSError):
        errors.add(line, "create_time", f"{value!r} is not unix seconds", _REREAD_FIX)
        return catalog_format.EPOCH


def read_catalog(path: Path) -> model.Catalog:
    """One `Video` per served video id; `path` is the KInIT folder or its feed_items.csv."""
    return read_catalog_with_stats(path)[0]


def read_catalog_with_stats(path: Path) -> tuple[model.Catalog, CatalogStats]:
    path = _feed_file(Path(path))
    errors = row_errors.Errors(str(path))
    rows = _read(path, errors)
    latest: dict[str, tuple[int, dict[str, str]]] = {}
    any_author: dict[str, str] = {}
    without_id = 0
    for line, row in rows:
        video_id = row["video_id"]
        if not video_id:
            without_id += 1
            continue
        # YYYYMMDD-HHMMSS sorts as text; on a tie the later row in the file wins.
        if video_id not in latest or row["response_time"] >= latest[video_id][1]["response_time"]:
            latest[video_id] = (line, row)
        if row["author_hash"]:
            any_author.setdefault(video_id, row["author_hash"])

    videos: list[model.Video] = []
    creators: dict[str, model.Creator] = {}
    dropped = from_ms = other_author = unknown_author = 0
    for video_id, (line, row) in latest.items():
        author = row["author_hash"]
        if not author:
            author = any_author.get(video_id, UNKNOWN_AUTHOR)
            other_author += author != UNKNOWN_AUTHOR
            unknown_author += author == UNKNOWN_AUTHOR
        hashtags, lost = clean_hashtags(row["hashtags"])
        dropped += lost
        is_ad = _flag(row, "is_ad", line, errors)
        duration: float = _int(row, "video_duration_s", line, errors)
        if is_ad and duration > 3600:
            duration /= 1000
            from_ms += 1
        language = "und" if row["text_language"] in ("", "un") else row["text_language"]
        if len(language) > catalog_format.MAX_LANGUAGE_CHARS:
            errors.add(line, "text_language", f"{language!r} is not a language code", _REREAD_FIX)
        fields: dict[str, Any] = {
            "id": video_id,
            "creator_id": author,
            "caption": row["desc"],
            "hashtags": hashtags,
            "duration_s": duration,
            "created_at": _created_at(row["create_time"], line, errors),
        }
        counters = model.Counters(**{name: _count(row, column, line, errors) for name, column in _COUNTERS.items()})
        try:
            video = model.Video(**fields, language=language, counters=counters, is_ad=is_ad)
        except model.InvalidValue as error:
            blamed = catalog_format.field_problems(fields) or [("", str(error))]
            for field, problem in blamed:
                errors.add(line, _SOURCE_COLUMN.get(field), problem, _REREAD_FIX)
            continue
        videos.append(video)
        creators.setdefault(author, model.Creator(author))
    errors.raise_if_any()
    catalog = model.Catalog(creators=tuple(creators.values()), videos=tuple(videos))
    stats = CatalogStats(
        rows=len(rows),
        videos=len(videos),
        creators=len(creators),
        rows_without_video_id=without_id,
        hashtags_dropped=dropped,
        ad_durations_from_ms=from_ms,
        authors_from_other_capture=other_author,
        unknown_authors=unknown_author,
    )
    return catalog, stats


_SOURCE_COLUMN = {
    "id": "video_id",
    "creator_id": "author_hash",
    "caption": "desc",
    "hashtags": "hashtags",
    "duration_s": "video_duration_s",
    "created_at": "create_time",
}


def feed_rows(path: Path) -> list[FeedRow]:
    """Every served row that names a video, in file order (scenario, arm, run, batch, position)."""
    path = _feed_file(Path(path))
    errors = row_errors.Errors(str(path))
    served: list[FeedRow] = []
    for line, row in _read(path, errors):
        if not row["video_id"]:
            continue  # an empty feed slot: nothing to replay
        if row["group"] not in GROUPS:
            errors.add(line, "group", f"{row['group']!r} is not control or experiment", _REREAD_FIX)
        served.append(
            FeedRow(
                scenario=row["scenario"],
                group=row["group"],
                run=_int(row, "run", line, errors),
                account_index=_int(row, "account_index", line, errors),
                response_time=_response_time(row["response_time"], line, errors),
                position_in_batch=_int(row, "position_in_batch", line, errors),
                video_id=row["video_id"],
                hashtags=clean_hashtags(row["hashtags"])[0],
                author_hash=row["author_hash"],
                is_ad=_flag(row, "is_ad", line, errors),
            )
        )
    errors.raise_if_any()
    return served


def scenario_parameters(path: Path) -> list[ScenarioConfig]:
    """The scenario settings; `path` is the KInIT folder or its scenario_parameters.json."""
    path = Path(path)
    if path.is_dir():
        path = path / PARAMETERS_FILE
    errors = row_errors.Errors(str(path))
    if not path.is_file():
        raise errors.fail(None, None, "no such file", f"give the KInIT folder or its {PARAMETERS_FILE}")
    text = files.read_utf8(path, errors)
    errors.raise_if_any()
    try:
        return [_scenario(entry) for entry in json.loads(text)]
    except (ValueError, KeyError, TypeError, AttributeError) as bad:
        raise errors.fail(None, None, f"unexpected content: {type(bad).__name__}: {bad}", _REREAD_FIX) from None


def _scenario(entry: dict[str, Any]) -> ScenarioConfig:
    # "scenarios/config_15_1_exp.py" -> scenario "15-1", group "experiment"
    stem = Path(entry["config_file"]).stem.removeprefix("config_")
    number, arm = stem.rsplit("_", 1)
    group = {"exp": "experiment", "control": "control"}[arm]

    def optional_int(key: str) -> int | None:
        return None if entry.get(key) is None else int(entry[key])

    return ScenarioConfig(
        scenario=number.replace("_", "-"),
        group=group,
        config_file=str(entry["config_file"]),
        country=str(entry["COUNTRY"]),
        max_videos=int(entry["MAX_VIDEOS"]),
        max_watchtime_s=optional_int("MAX_WATCHTIME"),
        hashtags_watch_longer_max_watchtime_s=optional_int("HASHTAGS_WATCH_LONGER_MAXWATCHTIME"),
        random_watch_max_watchtime_s=optional_int("RANDOM_WATCH_MAXWATCHTIME"),
        profiles=tuple(_profile(int(index), settings) for index, settings in entry["profiles"].items()),
    )


def _profile(account_index: int, settings: dict[str, Any]) -> Profile:
    def tags(key: str) -> tuple[str, ...]:
        return tuple(str(item) for item in settings.get(key, []))

    return Profile(
        account_index=account_index,
        hashtags_to_like=tags("HASHTAGS_TO_LIKE"),
        hashtags_to_follow=tags("HASHTAGS_TO_FOLLOW"),
        hashtags_watch_longer=tags("HASHTAGS_WATCH_LONGER"),
        hashtags_watch_longer_coefficient=float(settings.get("HASHTAGS_WATCH_LONGER_COEFFICIENT", 1)),
        watch_coefficient_with_hashtags=float(settings.get("WATCH_COEFFICIENT_WITH_HASHTAGS", 1)),
        watch_coefficient_no_hashtags=float(settings.get("WATCH_COEFFICIENT_NO_HASHTAGS", 1)),
        random_authors_to_follow=int(settings.get("RANDOM_AUTHORS_TO_FOLLOW", 0)),
        random_posts_to_like=int(settings.get("RANDOM_POSTS_TO_LIKE", 0)),
        random_videos_to_watch=int(settings.get("RANDOM_VIDEOS_TO_WATCH", 0)),
        random_watch_coefficient=float(settings.get("RANDOM_WATCH_COEFFICIENT", 0)),
        usernames_to_follow=tags("USERNAMES_TO_FOLLOW"),
        usernames_to_like=tags("USERNAMES_TO_LIKE"),
    )
