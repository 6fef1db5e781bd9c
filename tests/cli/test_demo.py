"""`safefeed demo`: the machine's time zone for the demo accounts, and the logins it creates."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path

import pytest

from safefeed import access
from safefeed.cli import common, demo
from safefeed.store import repository

NOWHERE = Path("/nonexistent/localtime")


def tz_tree(folder: Path, key: str) -> Path:
    """A zoneinfo tree holding `key` (an empty file: only its path is read) and a localtime link to it."""
    target = folder / "usr" / "share" / "zoneinfo" / key
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"")
    link = folder / "etc" / "localtime"
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target)
    return link


def detect(environ: dict[str, str], localtime: Path = NOWHERE, timezone_file: Path = NOWHERE) -> str:
    return demo.local_timezone(environ, localtime=localtime, timezone_file=timezone_file)


def test_tz_wins_when_it_names_a_zone(tmp_path: Path) -> None:
    link = tz_tree(tmp_path, "America/Lima")
    assert detect({"TZ": "Asia/Manila"}, link) == "Asia/Manila"
    assert detect({"TZ": ":Europe/Berlin"}, link) == "Europe/Berlin"  # glibc's leading colon
    assert detect({"TZ": str(tz_tree(tmp_path / "b", "posix/Africa/Nairobi"))}, link) == "Africa/Nairobi"


def test_a_tz_that_is_no_zone_falls_through_to_the_machine_setting(tmp_path: Path) -> None:
    link = tz_tree(tmp_path, "America/Lima")
    for unusable in ("", "  ", "CET-1CEST,M3.5.0,M10.5.0/3", "Mars/Olympus_Mons", "../../etc/passwd", "/etc/passwd"):
        assert detect({"TZ": unusable}, link) == "America/Lima", unusable


def test_etc_timezone_then_utc(tmp_path: Path) -> None:
    named = tmp_path / "timezone"
    named.write_text("Pacific/Auckland\n", encoding="utf-8")
    assert detect({}, NOWHERE, named) == "Pacific/Auckland"
    copied = tmp_path / "localtime"  # a copy, not a link: says nothing about its name
    copied.write_bytes(b"TZif")
    assert detect({}, copied, named) == "Pacific/Auckland"
    named.write_text("Not/AZone\n", encoding="utf-8")
    assert detect({}, copied, named) == "UTC"
    named.write_text("", encoding="utf-8")
    assert detect({"TZ": "nonsense"}, NOWHERE, named) == "UTC"


def test_every_answer_is_a_zone_zoneinfo_loads() -> None:
    found = demo.local_timezone()  # this machine, as the demo sees it
    assert zoneinfo.ZoneInfo(found).key == found


def test_the_demo_teen_lives_in_the_machine_zone_and_moves_with_it(tmp_path: Path) -> None:
    store = repository.Store.open(f"sqlite:///{tmp_path / 'demo.db'}")
    now = dt.datetime(2026, 11, 23, 20, 0, tzinfo=dt.UTC)
    demo.create_logins(store, "America/Lima", now)
    teen = store.account("demo-teen")
    assert (teen.timezone, teen.birth_year, teen.created_at) == ("America/Lima", 2012, now)
    logins = access.Access(store.engine)
    assert all(logins.principal(login) is not None for login, _, _ in demo.LOGINS)

    demo.create_logins(store, "Europe/Berlin", now + dt.timedelta(days=1))  # run again elsewhere
    moved = store.account("demo-teen")
    assert (moved.timezone, moved.created_at) == ("Europe/Berlin", now)
    assert logins.login("demo-teen", "demo-teen-pass", now)
    store.close()


def test_the_demo_refuses_an_empty_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFEFEED_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(common.UsageError, match="catalog generate"):
        demo.demo()
