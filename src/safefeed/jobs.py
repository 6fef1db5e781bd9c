"""Background jobs that keep their status in a folder: audits started over the API, catalog imports.

Each job has a folder under its board's root holding `job.json` (kind, state,
phase, progress, error and what the job is about), written atomically as the
work goes, so any process that sees the folder can answer for the job (every
`serve` worker, a restarted server), and a job's output outlives the process
that made it. One machinery for every kind of long work the web app starts:
`audit.jobs` runs sock-puppet audits on it, `services.admin` catalog imports.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal

log = logging.getLogger(__name__)

STATUS_FILE = "job.json"
State = Literal["running", "done", "failed"]
SAVE_EVERY_S = 0.25  # progress is written at most this often (a change of phase or state always is)


class UnknownJob(LookupError):
    pass


@dataclasses.dataclass(frozen=True, slots=True)
class Status:
    """Where a job stands; `about` holds what it works on and, once done, its result (JSON values)."""

    id: str
    kind: str  # "audit", "import"
    state: State
    done: int
    total: int
    started_at: dt.datetime
    phase: str = ""  # the step under way, e.g. "embedding"; `done` and `total` count within it
    error: str | None = None
    about: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    owner: str = ""  # "host:pid" of the process running it, so a job whose process died is not shown as running

    def to_json(self) -> dict[str, Any]:
        """The status as the API answers it: `about`'s keys beside the fixed ones."""
        fixed = {name: getattr(self, name) for name in ("id", "kind", "state", "phase", "done", "total", "error")}
        return {**self.about, **fixed, "started_at": self.started_at.isoformat()}

    def to_file(self) -> dict[str, Any]:
        return {**{name: getattr(self, name) for name in self.__slots__}, "started_at": self.started_at.isoformat()}

    @classmethod
    def from_file(cls, data: Mapping[str, Any], *, kind: str) -> Status:
        """A saved status; one written before `kind`, `phase` and `about` existed reads with their defaults."""
        known = {
            name: data[name] for name in ("id", "state", "done", "total", "error", "phase", "owner") if name in data
        }
        about = dict(data.get("about") or {})
        about.update({name: value for name, value in data.items() if name not in cls.__slots__})
        return cls(
            **known,
            kind=str(data.get("kind", kind)),
            started_at=dt.datetime.fromisoformat(data["started_at"]),
            about=about,
        )


class Progress:
    """What a running job's work calls to say how far it is; saves the status, at most every `SAVE_EVERY_S`."""

    def __init__(self, board: Board, status: Status) -> None:
        self.board = board
        self.status = status
        self._saved_at = 0.0
        self._lock = threading.Lock()

    def __call__(self, phase: str, done: int, total: int) -> None:
        with self._lock:
            changed_phase = phase != self.status.phase
            self.status = dataclasses.replace(self.status, phase=phase, done=done, total=total)
            now = time.monotonic()
            if changed_phase or done >= total or now - self._saved_at >= SAVE_EVERY_S:
                self.board.save(self.status)
                self._saved_at = now


Work = Callable[[Progress], Mapping[str, Any] | None]  # returns the job's result, added to `about`


class Board:
    """The jobs of one kind under `root`: start them, follow them, find their folders."""

    def __init__(self, root: Path, kind: str) -> None:
        self.root = Path(root)
        self.kind = kind

    def create(
        self, *, now: dt.datetime, total: int, phase: str = "", about: Mapping[str, Any] | None = None
    ) -> Status:
        """A new job's folder and its first status (running, nothing done yet)."""
        job_id = secrets.token_hex(8)
        (self.root / job_id).mkdir(parents=True)
        status = Status(
            job_id, self.kind, "running", 0, total, now, phase=phase, about=dict(about or {}), owner=_this_process()
        )
        self.save(status)
        return status

    def run(self, status: Status, work: Work, *, wait: bool = False) -> Status:
        """Run `work` in a background thread (or here, with `wait`); a failure is kept in the job's status."""

        def body() -> None:
            progress = Progress(self, status)
            try:
                result = work(progress)
            except Exception as failure:  # the job reports it; the server goes on
                self.save(dataclasses.replace(progress.status, state="failed", error=str(failure) or repr(failure)))
                if wait:
                    raise
                log.exception("%s job %s failed", self.kind, status.id)
                return
            about = {**progress.status.about, **(result or {})}
            self.save(dataclasses.replace(progress.status, state="done", about=about))

        if wait:
            body()
            return self.status(status.id)
        threading.Thread(target=body, name=f"{self.kind}-{status.id}", daemon=True).start()
        return status

    def status(self, job_id: str) -> Status:
        data = json.loads((self.folder(job_id) / STATUS_FILE).read_text(encoding="utf-8"))
        status = Status.from_file(data, kind=self.kind)
        if status.state == "running" and _gone(status.owner):
            return dataclasses.replace(
                status, state="failed", error="the process running this job stopped before it ended: start it again"
            )
        return status

    def recent(self, limit: int | None = None) -> list[Status]:
        """The jobs, newest first."""
        found = [self.status(path.parent.name) for path in self.root.glob(f"*/{STATUS_FILE}")]
        return sorted(found, key=lambda status: status.started_at, reverse=True)[:limit]

    def folder(self, job_id: str) -> Path:
        if not job_id.isalnum() or not (self.root / job_id / STATUS_FILE).is_file():
            raise UnknownJob(f"no {self.kind} job {job_id!r}")
        return self.root / job_id

    def save(self, status: Status) -> None:
        path = self.root / status.id / STATUS_FILE
        temporary = path.with_name(f"{STATUS_FILE}.{threading.get_ident()}.tmp")
        temporary.write_text(json.dumps(status.to_file()), encoding="utf-8")
        temporary.replace(path)


def _this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _gone(owner: str) -> bool:
    """Whether `owner` ("host:pid") was a process on this machine that no longer runs (elsewhere: unknown, no)."""
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, someone else's
    return False
