from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safefeed import model
from safefeed.store import repository, schema

T0 = dt.datetime(2026, 3, 1, 12, 30, tzinfo=dt.UTC)


def make_video(video_id: str = "v1", **changes: object) -> model.Video:
    video = model.Video(
        id=video_id,
        creator_id="c1",
        caption="three grounding tricks a therapist taught me",
        hashtags=("anxiety", "mentalhealthmatters"),
        duration_s=42.5,
        created_at=T0,
        language="en",
        region="KE",
        counters=model.Counters(views=1000, likes=100, comments=5, shares=7, saves=9),
        enforcement=model.Enforcement.ALLOWED,
        topic="wellbeing",
        label=model.Label(True, model.Theme.ANXIETY_STRESS, model.Harm.SUPPORTIVE, 0.9, model.LabelSource.GROUND_TRUTH),
    )
    return dataclasses.replace(video, **changes)  # type: ignore[arg-type]


def test_video_round_trip(store: repository.Store) -> None:
    video = make_video()
    unlabelled = make_video("v2", label=None, topic=None, is_ad=True)
    store.import_catalog([model.Creator("c1", "Dr A", verified_professional=True)], [video, unlabelled])
    assert store.video("v1") == video
    assert store.video("v2") == unlabelled
    assert store.creators(["c1"])["c1"].verified_professional
    assert store.count_videos() == 2


def test_unknown_video_names_the_id(store: repository.Store) -> None:
    with pytest.raises(repository.UnknownVideo, match="'nope'"):
        store.video("nope")


def test_reimport_is_an_idempotent_upsert(store: repository.Store) -> None:
    store.import_catalog([model.Creator("c1")], [make_video("v1"), make_video("v2")])
    updated = make_video("v1", caption="new caption", counters=model.Counters(views=5))
    store.import_catalog([model.Creator("c1")], [updated, make_video("v2")])
    assert store.count_videos() == 2
    assert store.video("v1") == updated


def test_reviewed_label_wins_over_import_and_classifier(store: repository.Store) -> None:
    store.import_catalog([model.Creator("c1")], [make_video()])
    reviewed = model.Label(True, model.Theme.SELF_HARM, model.Harm.POTENTIALLY_HARMFUL, 1.0, model.LabelSource.REVIEW)
    assert store.set_labels({"v1": reviewed}) == 1
    classified = model.Label(False, probability=0.1, source=model.LabelSource.CLASSIFIER)
    assert store.set_labels({"v1": classified}) == 0
    store.import_catalog([model.Creator("c1")], [make_video()])  # ground truth in the file
    assert store.video("v1").label == reviewed


def test_import_without_label_keeps_the_stored_label(store: repository.Store) -> None:
    store.import_catalog([model.Creator("c1")], [make_video()])
    store.import_catalog([model.Creator("c1")], [make_video(label=None)])
    assert store.video("v1").label == make_video().label


def test_catalog_changes_are_logged_in_order_with_the_change_itself(store: repository.Store) -> None:
    assert store.last_catalog_change() == 0
    store.import_catalog([model.Creator("c1")], [make_video("v1"), make_video("v2")])  # the whole catalog
    store.set_enforcement("v2", model.Enforcement.NOT_ALLOWED)
    reviewed = model.Label(True, model.Theme.SELF_HARM, model.Harm.VIOLATIVE, 1.0, model.LabelSource.REVIEW)
    store.set_labels({"v1": reviewed})
    store.catalog_changed()
    changes = store.catalog_changes(0)
    assert [video_id for _, video_id in changes] == [None, "v2", "v1", None]
    assert [seq for seq, _ in changes] == sorted(seq for seq, _ in changes)
    assert store.last_catalog_change() == changes[-1][0]
    assert store.catalog_changes(changes[0][0]) == changes[1:]
    # A refused decision changes nothing and logs nothing.
    with pytest.raises(repository.UnknownVideo, match="'v9'"):
        store.set_enforcement("v9", model.Enforcement.NOT_ALLOWED)
    assert store.catalog_changes(changes[-1][0]) == []


POISON_TRIGGER = {
    # The database itself fails the write of one video, after others were written.
    "sqlite": [
        "CREATE TRIGGER poison BEFORE INSERT ON videos WHEN NEW.id = 'poison' "
        "BEGIN SELECT RAISE(ABORT, 'poisoned row'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION poison() RETURNS trigger AS $$ BEGIN "
        "IF NEW.id = 'poison' THEN RAISE EXCEPTION 'poisoned row'; END IF; "
        "RETURN NEW; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER poison BEFORE INSERT ON videos FOR EACH ROW EXECUTE FUNCTION poison()",
    ],
}


def test_failed_import_writes_nothing(store: repository.Store) -> None:
    store.import_catalog([model.Creator("c1")], [make_video("v1")])
    with store.engine.begin() as connection:
        for statement in POISON_TRIGGER[store.engine.dialect.name]:
            connection.exec_driver_sql(statement)
    changes = store.last_catalog_change()
    with pytest.raises(sa.exc.DBAPIError, match="poisoned row"):
        store.import_catalog([model.Creator("c2")], [make_video(i) for i in ("v2", "v3", "poison")])
    assert store.count_videos() == 1
    assert store.creators(["c2"]) == {}
    assert store.last_catalog_change() == changes


def test_account_round_trip(store: repository.Store) -> None:
    account = model.Account(
        "a1",
        birth_year=2012,
        region="PH",
        timezone="Asia/Manila",
        settings=model.AccountSettings(personalised=False, keyword_filters=("diet",), daily_limit_minutes=45),
        created_at=T0,
    )
    store.put_account(account)
    assert store.account("a1") == account == store.accounts(["a1"])["a1"]
    with pytest.raises(repository.UnknownAccount, match="create it first"):
        store.account("a2")
    with pytest.raises(repository.UnknownAccount, match="create it first"):
        store.accounts(["a1", "a2"])


EVENTS = [
    model.Event("a1", model.EventKind.IMPRESSION, T0, video_id="v1"),
    model.Event("a1", model.EventKind.WATCH, T0, video_id="v1", seconds=12.5, fraction=0.5),
    model.Event("a1", model.EventKind.SEARCH, T0, query="study tips"),
    model.Event("a2", model.EventKind.NOT_INTERESTED, T0, hashtag="sadtok"),
    model.Event("a1", model.EventKind.FOLLOW, T0, creator_id="c1"),
]


def test_event_log_keeps_order_and_content(store: repository.Store) -> None:
    store.append(EVENTS[:2])
    store.append(EVENTS[2:])
    logged = store.events()
    assert [event for _, event in logged] == EVENTS
    seqs = [seq for seq, _ in logged]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert [event for _, event in store.events(account_id="a2")] == [EVENTS[3]]
    assert [event for _, event in store.events(after_seq=seqs[2])] == EVENTS[3:]


def test_event_log_is_append_only(store: repository.Store) -> None:
    store.append(EVENTS[:1])
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), store.engine.begin() as connection:
        connection.execute(sa.update(schema.events).values(kind="like"))
    assert store.events()[0][1] == EVENTS[0]


def test_migrations_match_the_schema(store: repository.Store) -> None:
    with store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), schema.metadata)
    assert differences == []


def test_sqlite_is_durable_on_commit(tmp_path: Path) -> None:
    store = repository.Store.open(f"sqlite:///{tmp_path / 'd.db'}")
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    store.close()


def test_catalog_stats_counts_by_topic_language_and_label(store: repository.Store) -> None:
    store.import_catalog(
        [model.Creator("c1")],
        [
            make_video("v1"),
            make_video("v2", topic="food", language="es", label=model.NOT_MH),
            make_video("v3", topic="food", label=None),
        ],
    )
    stats = store.catalog_stats()
    assert stats.videos == 3
    assert stats.by_topic == {"wellbeing": 1, "food": 2}
    assert stats.by_language == {"en": 2, "es": 1}
    assert stats.by_label == {"anxiety_stress/supportive": 1, "not_mh": 1, "unlabelled": 1}


captions = st.text(max_size=300)  # any text but lone surrogates, which UTF-8 cannot hold
hashtags = st.lists(st.from_regex(r"[a-z0-9_\u00e9\u4e00-\u4e10]{1,30}", fullmatch=True), max_size=6)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(caption=captions, tags=hashtags, duration=st.floats(0, 3600), views=st.integers(0, 2**62))
def test_any_valid_video_round_trips(
    sqlite_store: repository.Store, caption: str, tags: list[str], duration: float, views: int
) -> None:
    video = make_video("p", caption=caption, hashtags=tuple(tags), duration_s=duration, counters=model.Counters(views))
    sqlite_store.import_catalog([model.Creator("c1")], [video])
    assert sqlite_store.video("p") == video


def test_numbered_appends_say_each_events_seq_and_the_account_log_counts_them(store: repository.Store) -> None:
    first = store.append(EVENTS[:2])
    second = store.append(EVENTS[2:], durable=False)
    assert [seq for seq, _ in store.events()] == first + second
    # a1 wrote events 0, 1, 2 and 4 of EVENTS; a2 wrote event 3.
    a1 = [seq for seq, event in store.events(account_id="a1")]
    assert store.account_log("a1", 0) == (len(a1), a1[-1], None)
    assert store.account_log("a1", a1[-1]) == (0, 0, None)
    store.put_snapshot("a1", a1[0], b"state")
    assert store.account_log("a1", a1[0]) == (len(a1) - 1, a1[-1], a1[0])


def test_the_former_append_names_are_the_one_append(store: repository.Store) -> None:
    # recommend/ still calls these two; both go through `Store.append` and number events the same way.
    first = store.append_events_numbered(EVENTS[:2], durable=False)
    store.append_events(EVENTS[2:3])
    third = store.append(EVENTS[3:])
    seqs = [seq for seq, _ in store.events()]
    assert seqs[:2] == first and seqs[3:] == third
    assert [event for _, event in store.events()] == EVENTS


def test_impressions_after_a_seq_are_the_page_served_there(store: repository.Store) -> None:
    page = [model.Event("a1", model.EventKind.IMPRESSION, T0, video_id=f"v{i}") for i in range(3)]
    before = store.append(EVENTS[:1])[-1]
    store.append(page, durable=False)
    store.append(EVENTS[3:4])
    assert [event for _, event in store.impressions_after("a1", before, 2)] == page[:2]
    assert store.impressions_after("a2", 0, 5) == []


def test_account_lock_makes_two_stores_take_turns(store: repository.Store) -> None:
    url = store.engine.url.render_as_string(hide_password=False)
    other = repository.Store.open(url)
    order: list[str] = []
    with store.account_lock("a1"):
        waiting = threading.Thread(target=lambda: _hold(other, "a1", order))
        waiting.start()
        _wait_until_blocked_in(waiting, "account_lock")
        order.append("first released")
    waiting.join()
    other.close()
    assert order == ["first released", "second held"]
    with store.account_lock("a1"), other_store_lock(url, "a2"):  # other accounts do not wait
        pass


def _wait_until_blocked_in(thread: threading.Thread, function: str) -> None:
    """Until `thread` is inside `function` (waiting there, if the lock works), instead of a fixed pause."""
    deadline = time.monotonic() + 30
    while True:
        frame = sys._current_frames().get(thread.ident or -1)
        while frame is not None and frame.f_code.co_name != function:
            frame = frame.f_back
        if frame is not None:
            return
        assert thread.is_alive(), "the second store took the lock while the first held it"
        assert time.monotonic() < deadline, f"the thread never reached {function}"
        time.sleep(0.005)


def _hold(store: repository.Store, account_id: str, order: list[str]) -> None:
    with store.account_lock(account_id):
        order.append("second held")


@contextlib.contextmanager
def other_store_lock(url: str, account_id: str) -> Iterator[None]:
    other = repository.Store.open(url)
    try:
        with other.account_lock(account_id):
            yield
    finally:
        other.close()
