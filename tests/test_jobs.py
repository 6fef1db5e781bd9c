"""Background jobs in folders (`safefeed.jobs`): what any process reads back is what the work reported."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from safefeed import jobs

T0 = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


def test_a_job_reports_each_phase_and_ends_done_with_its_result(tmp_path: Path) -> None:
    board = jobs.Board(tmp_path, "import")
    status = board.create(now=T0, total=3, phase="queued", about={"filename": "a.csv"})
    seen: list[tuple[str, str, int, int]] = []

    def work(progress: jobs.Progress) -> dict[str, int]:
        for phase, total in (("classifying", 2), ("embedding", 3)):
            for done in range(total + 1):
                progress(phase, done, total)
                read = jobs.Board(tmp_path, "import").status(status.id)  # as another process would
                seen.append((read.state, read.phase, read.done, read.total))
        return {"videos": 3}

    finished = board.run(status, work, wait=True)
    assert ("running", "classifying", 0, 2) in seen and ("running", "embedding", 3, 3) in seen
    assert (finished.state, finished.phase, finished.done, finished.total) == ("done", "embedding", 3, 3)
    assert finished.to_json() | {"started_at": None} == {
        "id": status.id,
        "kind": "import",
        "state": "done",
        "phase": "embedding",
        "done": 3,
        "total": 3,
        "error": None,
        "started_at": None,
        "filename": "a.csv",
        "videos": 3,
    }
    assert board.recent() == [finished]


def test_a_failing_job_keeps_its_error_and_phase_and_the_thread_ends(tmp_path: Path) -> None:
    board = jobs.Board(tmp_path, "import")
    status = board.create(now=T0, total=1)
    ended = threading.Event()

    def work(progress: jobs.Progress) -> None:
        progress("storing", 0, 1)
        try:
            raise OSError("disk full")
        finally:
            ended.set()

    board.run(status, work)
    assert ended.wait(10)
    for _ in range(200):
        failed = board.status(status.id)
        if failed.state != "running":
            break
        threading.Event().wait(0.01)
    assert (failed.state, failed.phase, failed.error) == ("failed", "storing", "disk full")


def test_a_status_file_from_before_kinds_and_phases_still_reads(tmp_path: Path) -> None:
    (tmp_path / "abc123").mkdir()
    old = {"id": "abc123", "scenario": "amnesty-2023", "state": "done", "done": 4, "total": 4}
    (tmp_path / "abc123" / jobs.STATUS_FILE).write_text(
        json.dumps({**old, "started_at": T0.isoformat(), "error": None}), encoding="utf-8"
    )
    status = jobs.Board(tmp_path, "audit").status("abc123")
    assert (status.kind, status.phase, status.about) == ("audit", "", {"scenario": "amnesty-2023"})
    assert status.to_json()["scenario"] == "amnesty-2023"


@pytest.mark.parametrize("job_id", ["nope", "../etc", ""])
def test_an_unknown_or_malformed_id_is_unknown(tmp_path: Path, job_id: str) -> None:
    with pytest.raises(jobs.UnknownJob, match="no import job"):
        jobs.Board(tmp_path, "import").status(job_id)


def test_a_job_whose_process_died_reads_as_failed_not_running_forever(tmp_path: Path) -> None:
    """A server killed mid-import left its job "running" for good; the status now says it stopped."""
    started = (
        "import datetime as dt, sys; from safefeed import jobs; "
        "print(jobs.Board(sys.argv[1], 'import').create(now=dt.datetime.now(dt.UTC), total=9).id)"
    )
    dead_id = subprocess.run(
        [sys.executable, "-c", started, str(tmp_path)], check=True, capture_output=True, text=True
    ).stdout.strip()
    board = jobs.Board(tmp_path, "import")
    dead = board.status(dead_id)
    assert dead.state == "failed" and dead.error is not None and "start it again" in dead.error
    alive = board.create(now=T0, total=9)
    assert board.status(alive.id).state == "running"  # this process still runs it
