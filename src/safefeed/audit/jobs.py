"""Audit runs started over the API: each runs in the background and keeps its status beside its output.

A job's folder holds `job.json` (state, progress, error) next to what
`safefeed audit run` writes, so any API instance that sees the folder can
answer for it, and a report outlives the process that made it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import secrets
import threading
from pathlib import Path
from typing import Any, Literal

from safefeed.audit import report, runner, targets
from safefeed.audit import scenario as scenario_module

STATUS_FILE = "job.json"
State = Literal["running", "done", "failed"]


class UnknownJob(LookupError):
    pass


class UnknownScenario(LookupError):
    pass


@dataclasses.dataclass(frozen=True, slots=True)
class Status:
    id: str
    scenario: str
    state: State
    done: int
    total: int
    started_at: dt.datetime
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "started_at": self.started_at.isoformat()}


class Jobs:
    """Starts audits on local worker processes and reports on them."""

    def __init__(
        self,
        root: Path,
        *,
        workers: int = 1,
        cache: Path | None = None,
        build_engine: targets.EngineBuilder | None = None,
    ) -> None:
        self.root = root
        self.workers = workers
        self.cache = cache
        self.build_engine = build_engine  # the composition root's, for the scenarios' engine targets

    @staticmethod
    def scenario(scenario_name: str, *, scale: float, repetitions: int | None) -> scenario_module.Scenario:
        """A shipped scenario by name: a caller never names a file on the server."""
        if scenario_name not in scenario_module.BUILTIN:
            raise UnknownScenario(f"no scenario {scenario_name!r}; choose one of {', '.join(scenario_module.BUILTIN)}")
        return scenario_module.load(scenario_name, scale=scale, repetitions=repetitions)

    def start(
        self, scenario_name: str, *, scale: float, repetitions: int | None, now: dt.datetime, wait: bool = False
    ) -> Status:
        """Validate the scenario now (a bad one is refused at once), then run it in the background (or `wait`)."""
        chosen = self.scenario(scenario_name, scale=scale, repetitions=repetitions)
        job_id = secrets.token_hex(8)
        out = self.root / job_id
        out.mkdir(parents=True)
        status = Status(job_id, scenario_name, "running", 0, len(runner.units(chosen)), now)
        self._save(status)

        def work() -> None:
            def advance(_log: runner.Log, done: int, total: int) -> None:
                self._save(dataclasses.replace(status, done=done, total=total))

            try:
                logs = runner.run(
                    chosen,
                    out,
                    workers=self.workers,
                    progress=advance,
                    cache=self.cache,
                    build_engine=self.build_engine,
                )
                report.write(chosen, logs, out)
            except Exception as failure:  # the job reports it; the server goes on
                self._save(dataclasses.replace(self.status(job_id), state="failed", error=str(failure)))
                raise
            self._save(dataclasses.replace(self.status(job_id), state="done"))

        if wait:
            work()
            return self.status(job_id)
        threading.Thread(target=work, name=f"audit-{job_id}", daemon=True).start()
        return status

    def status(self, job_id: str) -> Status:
        path = self._folder(job_id) / STATUS_FILE
        data = json.loads(path.read_text(encoding="utf-8"))
        return Status(**{**data, "started_at": dt.datetime.fromisoformat(data["started_at"])})

    def recent(self) -> list[Status]:
        found = [self.status(path.parent.name) for path in self.root.glob(f"*/{STATUS_FILE}")]
        return sorted(found, key=lambda status: status.started_at, reverse=True)

    def metrics(self, job_id: str) -> dict[str, Any]:
        return report.read(self._folder(job_id))

    def file(self, job_id: str, name: str) -> Path:
        """A file of the finished report (report.html, plots/...), never outside the job's folder."""
        folder = self._folder(job_id).resolve()
        path = (folder / name).resolve()
        if not path.is_relative_to(folder) or not path.is_file():
            raise UnknownJob(f"job {job_id} has no file {name!r}")
        return path

    def _folder(self, job_id: str) -> Path:
        if not job_id.isalnum() or not (self.root / job_id / STATUS_FILE).is_file():
            raise UnknownJob(f"no audit job {job_id!r}: GET /v1/audits lists them")
        return self.root / job_id

    def _save(self, status: Status) -> None:
        path = self.root / status.id / STATUS_FILE
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(status.to_json()), encoding="utf-8")
        temporary.replace(path)
