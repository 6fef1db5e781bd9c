"""Audit runs started over the API: each runs in the background and keeps its status beside its output.

A job's folder (`safefeed.jobs`, the machinery every background job uses)
holds `job.json` (state, progress, error) next to what `safefeed audit run`
writes, so any API instance that sees the folder can answer for it, and a
report outlives the process that made it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from safefeed import jobs as background
from safefeed.audit import report, runner, targets
from safefeed.audit import scenario as scenario_module

STATUS_FILE = background.STATUS_FILE
KIND = "audit"
Status = background.Status
UnknownJob = background.UnknownJob


class UnknownScenario(LookupError):
    pass


def status_of(
    job_id: str, scenario_name: str, state: background.State, done: int, total: int, at: dt.datetime
) -> Status:
    """An audit job's status (its scenario is part of what the API answers)."""
    return Status(job_id, KIND, state, done, total, at, phase="sessions", about={"scenario": scenario_name})


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
        self.board = background.Board(root, KIND)
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
        status = self.board.create(
            now=now, total=len(runner.units(chosen)), phase="sessions", about={"scenario": scenario_name}
        )
        out = self.board.folder(status.id)

        def work(progress: background.Progress) -> None:
            def advance(_log: runner.Log, done: int, total: int) -> None:
                progress("sessions", done, total)

            logs = runner.run(
                chosen,
                out,
                workers=self.workers,
                progress=advance,
                cache=self.cache,
                build_engine=self.build_engine,
            )
            progress("report", 0, 1)
            report.write(chosen, logs, out)
            progress("report", 1, 1)

        return self.board.run(status, work, wait=wait)

    def status(self, job_id: str) -> Status:
        return self.board.status(self._folder(job_id).name)

    def recent(self) -> list[Status]:
        return self.board.recent()

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
        try:
            return self.board.folder(job_id)
        except UnknownJob:
            raise UnknownJob(f"no audit job {job_id!r}: GET /v1/audits lists them") from None
