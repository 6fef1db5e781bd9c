"""The `safefeed` command end to end, in-process, through its real entry point."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import pytest

from safefeed import cli


def run(args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["safefeed", *args])
    try:
        cli.main()
        code = 0
    except SystemExit as done:
        code = int(done.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def afternoon_zone() -> str:
    """A time zone where it is early afternoon now: `feed` runs the well-being gate, which at night
    answers a 14-year-old with wind-down instead of a page."""
    offset = 13 - dt.datetime.now(dt.UTC).hour  # local hour = UTC hour + offset, offset in -10..13
    return f"Etc/GMT{-offset:+d}" if offset else "UTC"  # Etc/GMT-3 is UTC+3


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.db"
    monkeypatch.setenv("SAFEFEED_DATABASE_URL", f"sqlite:///{path}")
    return path


def test_generate_train_feed_and_controls(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["catalog", "generate", "--videos", "400", "--seed", "3"], monkeypatch, capsys)
    assert code == 0 and "generated 400 videos" in out
    code, out, _ = run(["catalog", "stats", "--json"], monkeypatch, capsys)
    stats = json.loads(out)
    assert stats["videos"] == 400 and "not_mh" in stats["by_label"]
    assert run(["train"], monkeypatch, capsys)[0] == 0
    kim = ["accounts", "add", "kim", "--birth-year", "2012", "--region", "KE", "--timezone", afternoon_zone()]
    assert run(kim, monkeypatch, capsys)[0] == 0
    code, out, _ = run(["feed", "kim", "--n", "5", "--json"], monkeypatch, capsys)
    page = json.loads(out)
    assert code == 0 and len(page["items"]) == 5 and page["personalised"] is False
    code, out, _ = run(["accounts", "set", "kim", "--personalised", "--filters", "pasta,#cats"], monkeypatch, capsys)
    assert code == 0 and "A personalised feed learns" in out
    assert json.loads(run(["me", "show", "kim"], monkeypatch, capsys)[1])["personalised"] is True
    first = page["items"][0]["video"]["id"]
    code, out, _ = run(["events", "add", "kim", "not_interested", "--video", first], monkeypatch, capsys)
    assert code == 0 and "recorded not_interested" in out
    code, out, _ = run(["me", "show", "kim"], monkeypatch, capsys)
    assert json.loads(out)["not_interested"]["videos"] == [first]
    code, out, _ = run(["me", "export", "kim"], monkeypatch, capsys)
    exported = json.loads(out)
    assert exported["account"]["id"] == "kim"
    assert any(event["kind"] == "not_interested" for event in exported["events"])
    assert run(["me", "delete", "kim"], monkeypatch, capsys)[0] == 1  # needs --yes
    code, out, _ = run(["me", "delete", "kim", "--yes"], monkeypatch, capsys)
    assert code == 0 and "deleted kim" in out
    code, _, err = run(["feed", "kim"], monkeypatch, capsys)
    assert code == 1 and err.startswith("error: no account with id 'kim'")


def test_errors_are_one_clear_line_and_a_nonzero_exit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("id,creator_id\n1,2\n", encoding="utf-8")
    code, _, err = run(["catalog", "import", str(bad)], monkeypatch, capsys)
    assert code == 1 and "missing required columns" in err and "Traceback" not in err
    code, _, err = run(["catalog", "import", str(bad), "--format", "xml"], monkeypatch, capsys)
    assert code == 1 and "unknown --format 'xml'" in err
    policy = tmp_path / "weak.toml"
    policy.write_text('name = "weak"\n', encoding="utf-8")
    code, _, err = run(["policy", "check", str(policy)], monkeypatch, capsys)
    assert code == 1 and "bands" in err
    code, _, err = run(["events", "add", "nobody", "search"], monkeypatch, capsys)
    assert code == 1 and "non-empty 'query'" in err


def test_every_command_has_help(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    for command in (
        [],
        ["catalog"],
        ["catalog", "import"],
        ["feed"],
        ["events", "add"],
        ["train"],
        ["eval", "relevance"],
        ["policy", "describe"],
        ["report", "transparency"],
        ["me", "delete"],
    ):
        code, out, _ = run([*command, "--help"], monkeypatch, capsys)
        assert code == 0 and "Usage:" in out


def test_transparency_report_and_description(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run(["catalog", "generate", "--videos", "300"], monkeypatch, capsys)
    code, out, _ = run(["report", "transparency", "--out", str(tmp_path / "report")], monkeypatch, capsys)
    assert code == 0
    rows = json.loads((tmp_path / "report" / "transparency.json").read_text())
    assert sum(r["count"] for r in rows if r["name"].startswith("enforcement:")) == 300
    assert (tmp_path / "report" / "transparency.csv").read_text().startswith("section,region,age_band,name,count")
    code, out, _ = run(["policy", "describe"], monkeypatch, capsys)
    assert "at most 1 mental-health video(s) in any 10" in out and "Not interested" in out
