"""Export and delete: what the account can take away, and what is left of it afterwards (nothing).

Both are checked against the database itself rather than against a list of
tables kept by hand: every row of every table is searched for the account's id,
so a table added later is covered the day it is added.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from typing import Any

import pytest
import sqlalchemy as sa

from safefeed.store import repository, schema
from tests.reliability import conftest as world_


def rows_naming(connection: sa.Connection, account_id: str) -> dict[str, list[dict[str, Any]]]:
    """Every row, in every table, with the id in any column (whole, or inside a text such as a notification)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for table in schema.metadata.sorted_tables:
        for row in connection.execute(sa.select(table)).mappings():
            if any(isinstance(value, str) and account_id in value for value in row.values()) or any(
                isinstance(value, dict | list) and account_id in json.dumps(value) for value in row.values()
            ):
                found.setdefault(table.name, []).append(dict(row))
    return found


def keyed_rows(connection: sa.Connection, account_id: str) -> dict[str, int]:
    """Rows whose account column (account_id, teen_id, recipient_id, principal_id, id...) is the account."""
    counts: dict[str, int] = {}
    for table in schema.metadata.sorted_tables:
        if table.name in {"videos", "creators", "video_vectors"}:
            continue
        columns = [
            column
            for column in table.columns
            if column.name in {"account_id", "teen_id", "recipient_id", "principal_id", "owner_id", "guardian_id"}
            or (column.name == "id" and table.name in {"accounts", "principals"})
        ]
        if not columns:
            continue
        count = connection.execute(
            sa.select(sa.func.count()).select_from(table).where(sa.or_(*(column == account_id for column in columns)))
        ).scalar_one()
        if count:
            counts[table.name] = int(count)
    return counts


@pytest.fixture
def lived_in(world: world_.World) -> world_.World:
    """The account after a day of use: pages, events, settings, prompts, a guardian's controls, a request."""
    teen = world.headers(world_.ACCOUNT)
    guardian = world.headers(world_.LINKED_GUARDIAN)
    client = world.client
    for _ in range(3):
        world.clock.advance(dt.timedelta(minutes=2))
        assert client.get("/v1/feed", params={"n": "5"}, headers=teen).status_code == 200
    video = world.template.video_ids[1]
    assert client.post("/v1/events", json=[{"kind": "like", "video_id": video}], headers=teen).status_code == 200
    assert client.post("/v1/me/not-interested", json={"topic": "gaming"}, headers=teen).status_code == 200
    assert client.patch("/v1/me/settings", json={"keyword_filters": ["spiders"]}, headers=teen).status_code == 200
    assert client.get("/v1/search", params={"q": "football"}, headers=teen).status_code == 200
    assert client.post("/v1/wellbeing/unlock", json={"passcode": "0000"}, headers=teen).status_code == 403
    assert client.post("/v1/wellbeing/unlock", json={"passcode": world_.PASSCODE}, headers=teen).status_code == 200
    assert client.post("/v1/wellbeing/prompts/session/acknowledge", headers=teen).status_code == 204
    teen_path = f"/v1/family/teens/{world_.ACCOUNT}"
    assert client.put(f"{teen_path}/limit", json={"minutes": 90}, headers=guardian).status_code == 204
    assert client.patch(f"{teen_path}/content", json={"less_of": ["gaming"]}, headers=guardian).status_code == 200
    assert client.put(f"{teen_path}/passcode", json={"passcode": "8642"}, headers=guardian).status_code == 204
    decided = client.post(
        f"/v1/family/requests/{world.template.request_id}/decision", json={"approve": True}, headers=guardian
    )
    assert decided.status_code == 200, decided.text
    assert client.post("/v1/family/requests", json={"minutes": 10}, headers=teen).status_code == 201
    return world


def test_export_holds_every_row_about_the_account(lived_in: world_.World) -> None:
    """Each table with rows keyed by the account appears in the export with as many rows."""
    exported = lived_in.client.get("/v1/me/export", headers=lived_in.headers(world_.ACCOUNT))
    assert exported.status_code == 200
    held = exported.json()
    with lived_in.safefeed.parts.store.engine.connect() as connection:
        keyed = keyed_rows(connection, world_.ACCOUNT)
    assert {"accounts", "events", "screen_time", "passcodes", "guardian_links", "family_controls"} <= set(keyed)
    missing: list[str] = []
    for table, count in sorted(keyed.items()):
        if table == "tokens":
            continue  # digests of live credentials: exporting them would only widen their exposure
        if table == "accounts":
            ok = held["account"]["id"] == world_.ACCOUNT
        elif table == "events":
            ok = len(held["events"]) == count
        elif table == "account_snapshots":
            ok = held["learned_state_snapshot_after_seq"] is not None and bool(held["learned"])
        elif table == "principals":
            ok = "login" in held
        else:
            ok = len(held["wellbeing"].get(table, ())) == count
        if not ok:
            missing.append(f"{table} ({count} rows)")
    assert held["learned"], "the learned profile is part of the export"
    assert "hash" not in json.dumps(held["wellbeing"].get("passcodes", [])), "passcode hashes stay out of exports"
    # The login record (role, created, failed logins, lock-out) is held about the person too.
    assert missing == [], f"held but not exported: {missing}"


def test_export_includes_the_login_record(lived_in: world_.World) -> None:
    held = lived_in.client.get("/v1/me/export", headers=lived_in.headers(world_.ACCOUNT)).json()
    assert "login" in held


def test_export_shows_nothing_of_other_accounts(lived_in: world_.World) -> None:
    held = lived_in.client.get("/v1/me/export", headers=lived_in.headers(world_.ACCOUNT)).text
    assert world_.OTHER_ACCOUNT not in held
    assert world_.UNLINKED_GUARDIAN not in held


def delete(world: world_.World) -> None:
    answer = world.client.delete("/v1/me", headers=world.headers(world_.ACCOUNT))
    assert answer.status_code == 204, answer.text


def test_delete_leaves_no_row_that_names_the_account(lived_in: world_.World) -> None:
    """Every table, every column, including notifications in a guardian's inbox that mention the teen."""
    with lived_in.safefeed.parts.store.engine.connect() as connection:
        before = rows_naming(connection, world_.ACCOUNT)
        others_before = keyed_rows(connection, world_.OTHER_ACCOUNT)
    assert {"accounts", "events", "principals", "tokens", "screen_time"} <= set(before)
    delete(lived_in)
    with lived_in.safefeed.parts.store.engine.connect() as connection:
        after = rows_naming(connection, world_.ACCOUNT)
        others_after = keyed_rows(connection, world_.OTHER_ACCOUNT)
    assert others_after == others_before, "deleting one account touched another's rows"
    left = {table: len(rows) for table, rows in after.items()}
    keyed_left = {table: count for table, count in left.items() if table != "notifications"}
    assert keyed_left == {}, f"rows naming the deleted account: {after}"


def test_delete_leaves_no_notification_that_names_the_account(lived_in: world_.World) -> None:
    delete(lived_in)
    with lived_in.safefeed.parts.store.engine.connect() as connection:
        assert rows_naming(connection, world_.ACCOUNT).get("notifications", []) == []


def test_delete_forgets_the_account_in_memory_and_in_the_logins(lived_in: world_.World) -> None:
    """The engine's per-account state, the store's account cache, the logins and the tokens."""
    safefeed = lived_in.safefeed
    engine = safefeed.parts.engine
    assert world_.ACCOUNT in engine._states, "the fixture should have loaded the account's state"
    delete(lived_in)
    held_in_memory = [
        name for name, value in vars(engine).items() if isinstance(value, dict) and world_.ACCOUNT in value
    ]
    assert held_in_memory == [], f"the engine still holds the account in {held_in_memory}"
    cache = getattr(safefeed.parts.store, "_accounts", None)
    assert cache is None or world_.ACCOUNT not in cache
    assert safefeed.parts.logins.principal(world_.ACCOUNT) is None
    with pytest.raises(repository.UnknownAccount):
        safefeed.parts.store.account(world_.ACCOUNT)
    with pytest.raises(repository.UnknownAccount):
        engine.profile(world_.ACCOUNT)
    old = lived_in.client.get("/v1/me/export", headers=lived_in.headers(world_.ACCOUNT))
    assert old.status_code == 401


def test_delete_ends_the_family_links_and_what_guardians_set(lived_in: world_.World) -> None:
    delete(lived_in)
    guardian = lived_in.headers(world_.LINKED_GUARDIAN)
    assert lived_in.client.get("/v1/family/teens", headers=guardian).json() == []
    summary = lived_in.client.get(f"/v1/family/teens/{world_.ACCOUNT}/summary", headers=guardian)
    assert summary.status_code == 403
    requests = lived_in.client.get("/v1/family/requests", headers=guardian).json()
    assert all(request["teen_id"] != world_.ACCOUNT for request in requests)


def test_the_id_can_be_reused_without_inheriting_anything(lived_in: world_.World) -> None:
    """A new sign-up under the deleted id starts empty: no events, no profile, no guardian, no passcode."""
    delete(lived_in)
    fresh = lived_in.client.post("/v1/accounts", json={"id": world_.ACCOUNT, "birth_year": 2012, "region": "KE"})
    assert fresh.status_code == 201, fresh.text
    headers = {"Authorization": f"Bearer {fresh.json()['access_token']}"}
    held = lived_in.client.get("/v1/me/export", headers=headers).json()
    assert held["events"] == []
    assert held["wellbeing"].get("guardian_links", []) == []
    assert held["wellbeing"].get("passcodes", []) == []
    assert lived_in.client.get("/v1/family/controls", headers=headers).json()["guardians"] == []


def test_the_database_file_keeps_no_trace_of_the_account(lived_in: world_.World) -> None:
    """Deleted rows must not survive in the file's free pages or its write-ahead log."""
    delete(lived_in)
    lived_in.safefeed.parts.store.engine.dispose()
    path = lived_in.folder / "served.db"
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    remnants = [
        file.name for file in lived_in.folder.glob("served.db*") if world_.ACCOUNT.encode() in file.read_bytes()
    ]
    assert remnants == [], f"the deleted id is still readable in {remnants}"
