"""The audits router's acts: start a sock-puppet run in the background, follow it, read its report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from safefeed.audit import jobs
from safefeed.services import parts as parts_module


class Audits:
    def __init__(self, parts: parts_module.Parts) -> None:
        self.parts = parts

    def start(self, scenario_name: str, *, scale: float, repetitions: int | None) -> jobs.Status:
        return self.parts.jobs.start(scenario_name, scale=scale, repetitions=repetitions, now=self.parts.clock())

    def recent(self) -> list[jobs.Status]:
        return self.parts.jobs.recent()

    def status(self, job_id: str) -> jobs.Status:
        return self.parts.jobs.status(job_id)

    def report(self, job_id: str) -> dict[str, Any]:
        """The metrics: share of mental-health videos over time, ratio to control, harmful items, per arm."""
        return self.parts.jobs.metrics(job_id)

    def file(self, job_id: str, name: str) -> Path:
        """report.html and its plots."""
        return self.parts.jobs.file(job_id, name)
