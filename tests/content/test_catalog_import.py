from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
import pickle
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safefeed import model
from safefeed.content.catalog_import import ImportFailed, read_catalog
from safefeed.datasets import catalog_format, row_errors
from safefeed.datasets.row_errors import RowError
from safefeed.store import repository, schema

HEADER = "id,creator_id,caption,hashtags,duration_s"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", newline="")
    return path


def write_csv(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows(rows)
    return path


def errors_of(path: Path, **options: object) -> tuple[RowError, ...]:
    with pytest.raises(ImportFailed) as failed:
        read_catalog(path, **options)  # type: ignore[arg-type]
    return failed.value.errors


def only_error(path: Path) -> RowError:
    errors = errors_of(path)
    assert len(errors) == 1, "\n".join(map(str, errors))
    return errors[0]


# -- valid files ---------------------------------------------------------------

FULL_HEADER = [*catalog_format.REQUIRED_COLUMNS, *catalog_format.OPTIONAL_COLUMNS]
FULL_ROW = {
    "id": "v1",
    "creator_id": "c1",
    "caption": "three grounding tricks, from a therapist",
    "hashtags": "#anxiety mentalhealth|Coping",
    "duration_s": "42.5",
    "created_at": "2025-01-31T20:00:00+02:00",
    "language": "en",
    "region": "KE",
    "views": "1000",
    "likes": "1e2",
    "comments": "5",
    "shares": "7.0",
    "saves": "",
    "enforcement": "Restricted",
    "topic": "wellbeing",
    "is_ad": "false",
    "creator_name": "Dr A",
    "creator_verified": "TRUE",
    "mh_related": "1",
    "theme": "anxiety_stress",
    "harm": "supportive",
}
FULL_VIDEO = model.Video(
    id="v1",
    creator_id="c1",
    caption="three grounding tricks, from a therapist",
    hashtags=("anxiety", "mentalhealth", "Coping"),
    duration_s=42.5,
    created_at=dt.datetime(2025, 1, 31, 18, 0, tzinfo=dt.UTC),
    language="en",
    region="KE",
    counters=model.Counters(views=1000, likes=100, comments=5, shares=7, saves=0),
    enforcement=model.Enforcement.RESTRICTED,
    topic="wellbeing",
    is_ad=False,
    label=model.Label(True, model.Theme.ANXIETY_STRESS, model.Harm.SUPPORTIVE, 1.0, model.LabelSource.GROUND_TRUTH),
)


def test_csv_with_every_column(tmp_path: Path) -> None:
    minimal = {"id": "v2", "creator_id": "c1", "caption": "", "hashtags": "", "duration_s": "0"}
    path = write_csv(
        tmp_path / "c.csv", [FULL_HEADER, list(FULL_ROW.values()), [minimal.get(c, "") for c in FULL_HEADER]]
    )
    catalog = read_catalog(path)
    assert catalog.videos[0] == FULL_VIDEO
    # Defaults: created_at unix 0, language "und", counters 0, allowed, no topic, not an ad, unlabelled.
    assert catalog.videos[1] == model.Video("v2", "c1", "", (), 0.0, catalog_format.EPOCH)
    # The creator comes from the rows; an empty creator_verified on row 3 does not contradict row 2.
    assert catalog.creators == (model.Creator("c1", "Dr A", verified_professional=True),)


def test_csv_with_required_columns_only_and_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(f"\ufeff{HEADER}\r\nv1,c1,hi,#a#b,1\r\n\r\n".encode())
    catalog = read_catalog(path)
    assert [video.hashtags for video in catalog.videos] == [("a", "b")]
    assert catalog.creators == (model.Creator("c1"),)


def test_jsonl(tmp_path: Path) -> None:
    rows = [
        {
            **FULL_ROW,
            "hashtags": ["#anxiety", "mentalhealth", "Coping"],
            "duration_s": 42.5,
            "views": 1000,
            "likes": 100.0,
            "comments": 5,
            "shares": 7,
            "saves": None,
            "is_ad": False,
            "creator_verified": True,
            "mh_related": 1,
            "created_at": 1738346400,
        },
        {"id": "v2", "creator_id": "c2", "caption": "", "hashtags": "a b", "duration_s": 3, "is_ad": 1},
    ]
    path = write(tmp_path / "c.ndjson", "\n".join(json.dumps(row) for row in rows) + "\n\n")
    catalog = read_catalog(path)
    assert catalog.videos[0] == FULL_VIDEO
    assert catalog.videos[1].hashtags == ("a", "b")
    assert catalog.videos[1].is_ad
    assert [creator.id for creator in catalog.creators] == ["c1", "c2"]


def test_parquet(tmp_path: Path) -> None:
    table = pa.table(
        {
            "id": ["v1", "v2"],
            "creator_id": ["c1", "c1"],
            "caption": ["hi", ""],
            "hashtags": [["fyp", "#edit"], []],
            "duration_s": [12, 3.5],
            "created_at": pa.array([dt.datetime(2025, 1, 1, tzinfo=dt.UTC), None], type=pa.timestamp("s", tz="UTC")),
            "views": pa.array([10, None], type=pa.int64()),
            "is_ad": [True, False],
            "__index_level_0__": [0, 1],  # what pandas adds; not a column of ours
        }
    )
    pq.write_table(table, tmp_path / "c.parquet")
    catalog = read_catalog(tmp_path / "c.parquet")
    first, second = catalog.videos
    assert (first.hashtags, first.duration_s, first.counters.views, first.is_ad) == (
        ("fyp", "edit"),
        12.0,
        10,
        True,
    )
    assert first.created_at == dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    assert (second.created_at, second.counters.views) == (catalog_format.EPOCH, 0)


def test_parquet_errors_name_the_row(tmp_path: Path) -> None:
    table = pa.table({"id": ["v1"], "creator_id": ["c1"], "caption": [1], "hashtags": [""], "duration_s": [1.0]})
    pq.write_table(table, tmp_path / "c.parquet")
    error = only_error(tmp_path / "c.parquet")
    assert (error.row, error.column) == (1, "caption")
    assert "expected text, got the number 1" in error.problem


def test_not_a_parquet_file(tmp_path: Path) -> None:
    error = only_error(write(tmp_path / "c.parquet", HEADER))
    assert "not a readable Parquet file" in error.problem


# -- each problem becomes one error naming row, column, problem and fix -------------------------

CSV_CASES = [
    # (name, file body after the header line, row, column, words in the problem, words in the fix)
    ("not a number", "v1,c1,,,abc", 2, "duration_s", "'abc' is not a number", "42"),
    ("nan", "v1,c1,,,nan", 2, "duration_s", "not a finite number", "finite"),
    ("infinity", "v1,c1,,,-inf", 2, "duration_s", "not a finite number", "finite"),
    ("no duration", "v1,c1,,,", 2, "duration_s", "no value", "0 if unknown"),
    ("too long", "v1,c1,,,3601", 2, "duration_s", "within 0-3600", "0-3600"),
    ("caption too long", f"v1,c1,{'x' * 4001},,1", 2, "caption", "longer than 4000", "4000"),
    ("tag too long", f"v1,c1,,{'x' * 101},1", 2, "hashtags", "1-100 characters", "1-100"),
    ("id too long", f"{'x' * 129},c1,,,1", 2, "id", "1-128 characters", "1-128"),
    ("empty creator", "v1,,,,1", 2, "creator_id", "1-128 characters", "1-128"),
    ("spaces around id", "' v1',c1,,,1".replace("'", '"'), 2, "id", "surrounding spaces", "spaces"),
]


@pytest.mark.parametrize(
    ("body", "row", "column", "problem", "fix"),
    [case[1:] for case in CSV_CASES],
    ids=[case[0] for case in CSV_CASES],
)
def test_required_column_problems(tmp_path: Path, body: str, row: int, column: str, problem: str, fix: str) -> None:
    error = only_error(write(tmp_path / "c.csv", f"{HEADER}\n{body}\n"))
    assert (error.file, error.row, error.column) == (str(tmp_path / "c.csv"), row, column)
    assert problem in error.problem
    assert fix in error.fix


OPTIONAL_CASES = [
    ("views", "-3", "counter views must be within 0-9223372036854775807, got -3", "0 or more"),
    ("likes", "1.5", "'1.5' is not a whole number", "whole number"),
    ("shares", "many", "'many' is not a number", "42"),
    ("enforcement", "banned", "'banned' is not allowed", "allowed, restricted, fyf_ineligible, not_allowed"),
    ("harm", "bad", "'bad' is not allowed", "none, supportive, neutral, potentially_harmful, violative"),
    ("is_ad", "yes", "expected true or false", "true or false"),
    ("created_at", "2025-01-31 18:00", "has no time zone", "+00:00"),
    ("created_at", "last tuesday", "is not a time", "ISO 8601"),
    ("created_at", "1e20", "out of range", "seconds since 1970"),
    ("language", "x" * 17, "17 characters, more than the 16 allowed", "16"),
    ("topic", "x" * 65, "more than the 64 allowed", "64"),
    ("creator_name", "x" * 201, "more than the 200 allowed", "200"),
]


@pytest.mark.parametrize(("column", "value", "problem", "fix"), OPTIONAL_CASES)
def test_optional_column_problems(tmp_path: Path, column: str, value: str, problem: str, fix: str) -> None:
    path = write_csv(tmp_path / "c.csv", [[*HEADER.split(","), column], ["v1", "c1", "", "", "1", value]])
    error = only_error(path)
    assert (error.row, error.column) == (2, column)
    assert problem in error.problem
    assert fix in error.fix


def test_theme_lists_the_allowed_values_and_none(tmp_path: Path) -> None:
    path = write(tmp_path / "c.csv", f"{HEADER},mh_related,theme\nv1,c1,,,1,1,sad\n")
    error = only_error(path)
    assert error.column == "theme"
    assert error.fix.endswith(", other_mh, or none")


@pytest.mark.parametrize(
    ("mh_related", "theme", "harm", "column"),
    [("0", "suicide", "", "theme"), ("0", "", "violative", "harm"), ("", "suicide", "", "mh_related")],
)
def test_invalid_label_combinations(tmp_path: Path, mh_related: str, theme: str, harm: str, column: str) -> None:
    path = write(tmp_path / "c.csv", f"{HEADER},mh_related,theme,harm\nv1,c1,,,1,{mh_related},{theme},{harm}\n")
    error = only_error(path)
    assert error.column == column
    assert "mh_related" in error.fix


def test_label_none_theme_is_no_theme(tmp_path: Path) -> None:
    path = write(tmp_path / "c.csv", f"{HEADER},mh_related,theme,harm\nv1,c1,,,1,0,none,none\n")
    assert read_catalog(path).videos[0].label == model.NOT_MH


def test_missing_required_columns_is_one_error_naming_the_columns_present(tmp_path: Path) -> None:
    unknown, error = errors_of(write(tmp_path / "c.csv", "id,creator_id,title\nv1,c1,x\n"))
    assert (unknown.column, unknown.problem) == ("title", "unknown column")
    assert (error.row, error.column) == (1, None)
    assert "missing required columns caption, hashtags, duration_s" in error.problem
    assert "(the file has: id, creator_id, title)" in error.problem


def test_unknown_column_suggests_the_closest(tmp_path: Path) -> None:
    error = only_error(write(tmp_path / "c.csv", f"{HEADER},captoin\nv1,c1,,,1,x\n"))
    assert (error.row, error.column, error.problem) == (1, "captoin", "unknown column")
    assert error.fix.startswith("did you mean 'caption'? remove it or rename it to one of: id, creator_id,")


def test_kinit_file_as_csv_points_to_the_kinit_format(tmp_path: Path) -> None:
    errors = errors_of(write(tmp_path / "feed.csv", "video_id,author_hash,desc\n1,a,x\n"))
    assert any("format 'kinit'" in error.fix for error in errors)


def test_duplicate_ids_name_both_rows(tmp_path: Path) -> None:
    error = only_error(write(tmp_path / "c.csv", f"{HEADER}\nv1,c1,,,1\nv2,c1,,,1\nv1,c1,,,1\n"))
    assert (error.row, error.column) == (4, "id")
    assert "duplicate id 'v1', also on row 2" in error.problem


def test_conflicting_creator_verified(tmp_path: Path) -> None:
    path = write(tmp_path / "c.csv", f"{HEADER},creator_verified\nv1,c1,,,1,true\nv2,c1,,,1,\nv3,c1,,,1,0\n")
    error = only_error(path)
    assert (error.row, error.column) == (4, "creator_verified")
    assert "creator 'c1' is false here but true on row 2" in error.problem


def test_non_utf8_names_line_and_byte_offset(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(f"{HEADER}\nv1,c1,ok,,1\nv2,c1,caf".encode() + b"\xe9,,1\n")
    error = only_error(path)
    # Header (41 bytes + newline) + "v1,c1,ok,,1\n" (12) + "v2,c1,caf" (9): the bad byte is at offset 63.
    assert (error.row, error.column) == (3, None)
    assert error.problem == "byte 0xe9 at byte offset 63 is not UTF-8"
    assert "save the file as UTF-8" in error.fix


@pytest.mark.parametrize(
    ("body", "problem"),
    [("", "the file is empty"), ("\n \n", "the file is empty"), (f"{HEADER}\n", "the file has no rows")],
)
def test_empty_files(tmp_path: Path, body: str, problem: str) -> None:
    error = only_error(write(tmp_path / "c.csv", body))
    assert (error.row, error.problem) == (None, problem)


@pytest.mark.parametrize(("body", "problem"), [("", "the file is empty"), ("\n", "the file is empty")])
def test_empty_jsonl(tmp_path: Path, body: str, problem: str) -> None:
    assert only_error(write(tmp_path / "c.jsonl", body)).problem == problem


def test_wrong_field_count_and_bad_quoting(tmp_path: Path) -> None:
    error = only_error(write(tmp_path / "c.csv", f"{HEADER}\nv1,c1,a, b,,1\n"))
    assert (error.row, error.problem) == (2, "has 6 fields but the header has 5")
    error = only_error(write(tmp_path / "d.csv", f'{HEADER}\nv1,c1,"unclosed,,1\n'))
    assert error.problem.startswith("malformed CSV")


def test_multiline_caption_keeps_row_numbers_as_lines(tmp_path: Path) -> None:
    path = write(tmp_path / "c.csv", f'{HEADER}\nv1,c1,"two\nlines",,1\nv2,c1,,,x\n')
    error = only_error(path)
    assert (error.row, error.column) == (4, "duration_s")


def test_jsonl_problems(tmp_path: Path) -> None:
    lines = [
        '{"id": "v1", "creator_id": "c1", "caption": "", "hashtags": ["a b"], "duration_s": 1}',
        '{"id": 7, "creator_id": "c1", "caption": "", "hashtags": [], "duration_s": NaN, "tpoic": "x"}',
        "not json",
        "[1, 2]",
        '{"id": "v3"}',
        '{"id": "v4", "creator_id": "c1", "caption": "", "hashtags": [1], "duration_s": true}',
    ]
    errors = errors_of(write(tmp_path / "c.jsonl", "\n".join(lines)))
    found = [(error.row, error.column, error.problem) for error in errors]
    assert found == [
        (1, "hashtags", "hashtag 'a b' contains whitespace"),
        (2, "tpoic", "unknown field"),
        (2, "id", "expected text, got the number 7"),
        (2, "duration_s", "nan is not a finite number"),
        (3, None, "not valid JSON: Expecting value at column 1"),
        (4, None, "expected a JSON object, got a list"),
        (5, None, "missing required fields: creator_id, caption, hashtags, duration_s"),
        (6, "hashtags", "expected a list of text, one item is the number 1"),
        (6, "duration_s", "expected a number, got the boolean true"),
    ]
    assert errors[1].fix.startswith("did you mean 'topic'?")


def test_collects_many_errors_then_stops(tmp_path: Path) -> None:
    body = "".join(f"v{n},c1,,,x\n" for n in range(150))
    with pytest.raises(ImportFailed) as failed:
        read_catalog(write(tmp_path / "c.csv", f"{HEADER}\n{body}"))
    assert len(failed.value.errors) == row_errors.MAX_ERRORS
    assert failed.value.stopped
    lines = str(failed.value).splitlines()
    assert lines[0].startswith(f"{tmp_path / 'c.csv'}: 100+ errors, nothing was imported (stopped after 100")
    assert lines[1].startswith(f"{tmp_path / 'c.csv'}:2: column 'duration_s': 'x' is not a number — write")
    assert len(lines) == 1 + row_errors.SHOWN_ERRORS + 1
    assert lines[-1] == "... and 90 more"


def test_row_error_and_import_failed_text() -> None:
    error = RowError("v.csv", 7, "likes", "'x' is not a number", "write 42")
    assert str(error) == "v.csv:7: column 'likes': 'x' is not a number — write 42"
    assert str(RowError("v.csv", None, None, "the file is empty", "add rows")) == "v.csv: the file is empty — add rows"
    failed = ImportFailed([error])
    assert (
        str(failed) == "v.csv: 1 error, nothing was imported:\nv.csv:7: column 'likes': 'x' is not a number — write 42"
    )
    assert isinstance(failed, ValueError)
    copy = pickle.loads(pickle.dumps(failed))
    assert (copy.errors, str(copy)) == (failed.errors, str(failed))


def test_format_choice(tmp_path: Path) -> None:
    jsonl_named_txt = write(
        tmp_path / "c.txt", '{"id": "v1", "creator_id": "c", "caption": "", "hashtags": [], "duration_s": 1}'
    )
    assert only_error(jsonl_named_txt).problem == "cannot tell the format from the extension '.txt'"
    assert len(read_catalog(jsonl_named_txt, format="jsonl").videos) == 1
    assert only_error(tmp_path / "missing.csv").problem == "no such file"
    assert only_error(tmp_path).problem == "is a folder"
    assert "unknown format 'xml'" in errors_of(jsonl_named_txt, format="xml")[0].problem


def test_store_limits_match_the_schema() -> None:
    # The importer refuses what the store's columns cannot hold (PostgreSQL enforces VARCHAR lengths).
    assert schema.videos.c.language.type.length == catalog_format.MAX_LANGUAGE_CHARS  # type: ignore[attr-defined]
    assert schema.videos.c.region.type.length == catalog_format.MAX_REGION_CHARS  # type: ignore[attr-defined]
    assert schema.videos.c.topic.type.length == catalog_format.MAX_TOPIC_CHARS  # type: ignore[attr-defined]
    assert schema.creators.c.name.type.length == catalog_format.MAX_CREATOR_NAME_CHARS  # type: ignore[attr-defined]


# -- with the store: idempotent re-import, nothing written from a bad file ---------------------


def import_file(store: repository.Store, path: Path) -> repository.ImportCount:
    catalog = read_catalog(path)
    return store.import_catalog(catalog.creators, catalog.videos)


def test_reimport_is_idempotent(sqlite_store: repository.Store, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", [FULL_HEADER, list(FULL_ROW.values())])
    write(tmp_path / "more.csv", f"{HEADER}\nv2,c2,hi,a b,3\nv3,c2,,,4\n")
    for _ in range(2):
        import_file(sqlite_store, path)
        import_file(sqlite_store, tmp_path / "more.csv")
    assert sqlite_store.count_videos() == 3
    assert sqlite_store.video("v1") == FULL_VIDEO
    assert sqlite_store.creators(["c1", "c2"]) == {
        "c1": model.Creator("c1", "Dr A", verified_professional=True),
        "c2": model.Creator("c2"),
    }
    write(tmp_path / "more.csv", f"{HEADER}\nv2,c2,edited,b,3\n")
    import_file(sqlite_store, tmp_path / "more.csv")
    assert (sqlite_store.video("v2").caption, sqlite_store.video("v2").hashtags) == ("edited", ("b",))
    assert sqlite_store.count_videos() == 3


def test_a_bad_row_writes_nothing(sqlite_store: repository.Store, tmp_path: Path) -> None:
    import_file(sqlite_store, write(tmp_path / "c.csv", f"{HEADER}\nv1,c1,old,,1\n"))
    bad = write(tmp_path / "bad.csv", f"{HEADER}\nv1,c1,new,,1\nv2,c1,,,1\nv3,c1,,,-1\n")
    with pytest.raises(ImportFailed):
        import_file(sqlite_store, bad)
    assert sqlite_store.count_videos() == 1
    assert sqlite_store.video("v1").caption == "old"


# -- fuzz: any content gives a catalog or ImportFailed, never another exception ----------------

CELLS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            "v1",
            "c1",
            "1",
            "0",
            "-1",
            "1.5",
            "nan",
            "inf",
            "1e400",
            "true",
            "none",
            "self_harm",
            "allowed",
            "#a b|c",
            "2025-01-01T00:00:00Z",
            "2025-01-01",
            " x",
            "x" * 130,
        ]
    ),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.lists(st.one_of(st.text(max_size=5), st.integers()), max_size=3),
)
RANDOM_ROW = st.dictionaries(st.sampled_from([*catalog_format.COLUMNS, "extra"]), CELLS, min_size=3)
# A valid row with a few cells replaced, so that both outcomes are explored.
NEAR_VALID_ROW = st.builds(
    lambda video_id, changes: {
        "id": video_id,
        "creator_id": "c1",
        "caption": "hi",
        "hashtags": "a",
        "duration_s": 1,
        **changes,
    },
    st.sampled_from(["v1", "v2", "v3", "v4"]),
    st.dictionaries(st.sampled_from(catalog_format.COLUMNS), CELLS, max_size=2),
)
ROWS = st.lists(st.one_of(RANDOM_ROW, NEAR_VALID_ROW), min_size=0, max_size=4)


@pytest.fixture(scope="module")
def fuzz_store() -> Iterator[repository.Store]:
    with tempfile.TemporaryDirectory() as folder:
        store = repository.Store.open(f"sqlite:///{folder}/fuzz.db")
        store.import_catalog(
            [model.Creator("c0")], [model.Video("v0", "c0", "kept", ("a",), 1.0, catalog_format.EPOCH)]
        )
        yield store
        store.close()


def check_all_or_nothing(store: repository.Store, path: Path) -> None:
    """A file either reads into a catalog the store accepts, or fails with ImportFailed and writes nothing."""
    before = (store.count_videos(), store.video("v0"))
    refused: ImportFailed | None = None
    try:
        catalog = read_catalog(path)
    except ImportFailed as failed:
        refused = failed
    if refused is not None:
        assert refused.errors
        assert all(error.file == str(path) and error.problem and error.fix for error in refused.errors)
        assert (store.count_videos(), store.video("v0")) == before
        return
    assert catalog.videos
    assert len({video.id for video in catalog.videos}) == len(catalog.videos)
    assert {video.creator_id for video in catalog.videos} == {creator.id for creator in catalog.creators}
    store.import_catalog(catalog.creators, catalog.videos)
    stored = store.videos([video.id for video in catalog.videos])
    # An import without a label keeps the label stored before (the store's rule), so compare the rest.
    assert [dataclasses.replace(video, label=None) for video in stored] == [
        dataclasses.replace(video, label=None) for video in catalog.videos
    ]


FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(rows=ROWS, header_extra=st.booleans())
def test_fuzz_csv(
    fuzz_store: repository.Store, tmp_path: Path, rows: list[dict[str, object]], header_extra: bool
) -> None:
    columns = list(dict.fromkeys([*catalog_format.REQUIRED_COLUMNS, *(name for row in rows for name in row)]))
    if header_extra:
        columns = columns[1:]
    lines = [columns, *([str(row.get(name, "")) for name in columns] for row in rows)]
    check_all_or_nothing(fuzz_store, write_csv(tmp_path / "fuzz.csv", lines))


@FUZZ
@given(rows=ROWS)
def test_fuzz_jsonl(fuzz_store: repository.Store, tmp_path: Path, rows: list[dict[str, object]]) -> None:
    text = "\n".join(json.dumps(row) for row in rows)
    check_all_or_nothing(fuzz_store, write(tmp_path / "fuzz.jsonl", text))


@FUZZ
@given(data=st.binary(max_size=200), suffix=st.sampled_from([".csv", ".jsonl", ".parquet"]))
def test_fuzz_raw_bytes(fuzz_store: repository.Store, tmp_path: Path, data: bytes, suffix: str) -> None:
    path = tmp_path / f"raw{suffix}"
    path.write_bytes(f"{HEADER}\n".encode() + data if suffix == ".csv" else data)
    check_all_or_nothing(fuzz_store, path)


def test_the_documented_examples_read_the_same(tmp_path: Path) -> None:
    doc = (Path(__file__).parents[2] / "docs" / "catalog-format.md").read_text(encoding="utf-8")
    csv_text = doc.split("```csv\n")[1].split("```")[0]
    jsonl_text = doc.split("```json\n")[1].split("```")[0]
    from_csv = read_catalog(write(tmp_path / "videos.csv", csv_text))
    assert read_catalog(write(tmp_path / "videos.jsonl", jsonl_text)) == from_csv
    assert len(from_csv.videos) == 3
    assert from_csv.videos[2] == model.Video("v003", "c-kitchen", "", (), 15.0, catalog_format.EPOCH)
