"""The audit's step loop and the fleet that runs it.

One *unit* is one persona, one repetition, one target: a fresh account
scrolls for its schedule on a simulated clock. Each step reads like RecSim's:
the target serves a page, the persona reacts to each video (its behaviour
seeded per persona and repetition, never per target), the clock advances by
the time it spent, and the events go back before the next page.

Units are independent -- each gets its own copy of the world (`audit.world`:
catalog, vectors, engine labels, an empty event log) -- so they run in any
order on any worker, local processes or a Dask cluster, and give the same log
(BLAS held to one thread). Each finished unit is written atomically under
`out/units/`, so a crash loses at most the units in flight and `run` resumes.

A cluster on one machine that listens on loopback only (Dask's HTTP port
binds every interface by default, even with `--no-dashboard`):

    dask scheduler --host 127.0.0.1 --dashboard-address 127.0.0.1:8787
    dask worker tcp://127.0.0.1:8786 --host 127.0.0.1 --nthreads 1 --dashboard-address 127.0.0.1:0
    safefeed audit run amnesty-2023 --out DIR --dask tcp://127.0.0.1:8786
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import datetime as dt
import gzip
import json
import multiprocessing
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import threadpoolctl

from safefeed import model
from safefeed.audit import behaviour as behaviour_module
from safefeed.audit import engine_labels, fleet, history, scoring, targets, world
from safefeed.audit import persona as persona_module
from safefeed.audit import scenario as scenario_module
from safefeed.audit.fleet import FleetError
from safefeed.store import repository

__all__ = ["FleetError"]  # raised here, defined with the cluster's client

WORLD_FILE = "world.db"
UNITS_DIR = "units"
SCENARIO_FILE = "scenario.json"

COLUMNS = (
    "session",
    "t_s",  # simulated seconds since the session started, when the video was served
    "video_id",
    "creator_id",
    "topic",
    "mh",
    "theme",
    "harm",
    "seconds",  # time the persona spent on it
    "skipped",
    "rewatched",
    "liked",
    "followed",
)


class ScenarioChanged(ValueError):
    """The output folder holds a run of a different scenario: resuming would mix two audits."""


@dataclasses.dataclass(frozen=True, slots=True)
class Unit:
    target: str
    persona: persona_module.Persona
    repetition: int

    @property
    def key(self) -> str:
        return f"{self.target}/{self.persona.id}--r{self.repetition}"


@dataclasses.dataclass(frozen=True, slots=True)
class Log:
    """What one unit saw and did: a row per served video, as columns (see `COLUMNS`)."""

    target: str
    persona: str
    arm: str
    variant: str
    region: str
    age: int
    repetition: int
    columns: dict[str, list[Any]]
    impressions: int
    wall_s: float  # time the step loop took (setup excluded): the throughput figure
    note: str = ""
    engine_labels: str = ""  # which labels the target acted on (`engine_labels`), or that it has its own / none
    scored_by: str = ""  # which labels scored its items: the answer key, the classifier, or both (`scoring`)
    worker: str = ""  # where it ran (a Dask worker's address, else "pid:N"): for the operator, not the audit

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @staticmethod
    def from_json(data: dict[str, Any]) -> Log:
        return Log(**data)

    def outcome(self) -> dict[str, Any]:
        """The log without how and where it ran: equal for the same scenario and seed on any fleet."""
        data = self.to_json()
        for field in RUN_FIELDS:
            del data[field]
        return data


RUN_FIELDS = ("wall_s", "worker")  # the fields of a `Log` that depend on the machine, not the audit


# -- one unit ---------------------------------------------------------------------


def scroll(
    target: targets.Target,
    persona: persona_module.Persona,
    repetition: int,
    *,
    seed: int,
    labeller: scoring.Labeller,
    behaviour: behaviour_module.Behaviour | None = None,
    page_size: int = 10,
) -> dict[str, list[Any]]:
    """The step loop for one persona and repetition; returns the log columns."""
    chooser = behaviour or behaviour_module.SockPuppet()
    rng = np.random.default_rng(persona_module.unit_seed(seed, persona.id, repetition))
    account = persona.account(repetition)
    target.start(account)
    columns: dict[str, list[Any]] = {name: [] for name in COLUMNS}
    for session, start in enumerate(persona.session_starts()):
        clock, end = 0.0, persona.schedule.session_minutes * 60.0
        while clock < end:
            page = target.feed(account.id, page_size, start + dt.timedelta(seconds=clock))
            if not page:
                break  # the feed has nothing more (a replay ran out): the session ends early
            events: list[model.Event] = []
            for video, label in zip(page, labeller.labels(page), strict=True):
                if clock >= end:
                    break
                response = chooser.react(persona, video, label, rng)
                for name, value in (
                    ("session", session),
                    ("t_s", round(clock, 3)),
                    ("video_id", video.id),
                    ("creator_id", video.creator_id),
                    ("topic", video.topic or ""),
                    ("mh", label.mh_related),
                    ("theme", "" if label.theme is None else label.theme.value),
                    ("harm", label.harm.value),
                    ("seconds", round(response.seconds, 3)),
                    ("skipped", response.skipped),
                    ("rewatched", response.rewatched),
                    ("liked", response.liked),
                    ("followed", response.followed),
                ):
                    columns[name].append(value)
                clock += response.seconds
                events.extend(behaviour_module.events(account.id, video, response, start + dt.timedelta(seconds=clock)))
            target.send(events)
    return columns


@dataclasses.dataclass(frozen=True, slots=True)
class Job:
    """Everything a worker needs for one unit; plain values, so any process or cluster can take it."""

    scenario: scenario_module.Scenario
    world: Path
    unit: Unit
    build_engine: targets.EngineBuilder | None = None  # the composition root's (a module-level function pickles)


def run_unit(job: Job) -> Log:
    """Run one unit on a private copy of the world, so units never see each other's events."""
    spec = next(t for t in job.scenario.targets if t.name == job.unit.target)
    with (
        tempfile.TemporaryDirectory(prefix="safefeed-audit-") as scratch,
        threadpoolctl.threadpool_limits(1),
    ):
        copy = Path(scratch) / WORLD_FILE
        shutil.copyfile(job.world, copy)
        store = repository.Store.open(f"sqlite:///{copy}", simulation=True)
        try:
            videos, key = world.read(job.world, store)
            mh_ids = frozenset(video_id for video_id, label in key.items() if label.mh_related)
            built = targets.build(
                spec, store, videos, mh_ids=mh_ids, build_engine=job.build_engine, scratch=Path(scratch)
            )
            labeller = scoring.Labeller(key)
            began = time.perf_counter()
            try:
                columns = scroll(
                    built.target,
                    job.unit.persona,
                    job.unit.repetition,
                    seed=job.scenario.seed,
                    labeller=labeller,
                    page_size=job.scenario.page_size,
                )
            finally:
                built.close()
            wall = time.perf_counter() - began
        finally:
            store.close()
    p = job.unit.persona
    return Log(
        target=job.unit.target,
        persona=p.id,
        arm=p.arm,
        variant=p.variant,
        region=p.region,
        age=p.age,
        repetition=job.unit.repetition,
        columns=columns,
        impressions=len(columns["t_s"]),
        wall_s=round(wall, 4),
        note=built.note,
        engine_labels=engine_labels.seen_by(spec.kind, job.scenario.engine_labels),
        scored_by=labeller.scored_by,
        worker=fleet.where(),
    )


# -- the fleet ------------------------------------------------------------------------


def units(scenario: scenario_module.Scenario) -> list[Unit]:
    return [
        Unit(target.name, persona, repetition)
        for target in scenario.targets
        for persona in scenario.personas
        for repetition in range(scenario.repetitions)
    ]


def unit_path(out: Path, unit: Unit) -> Path:
    return out / UNITS_DIR / unit.target / f"{unit.persona.id}--r{unit.repetition}.json.gz"


def save(out: Path, log: Log) -> Path:
    """Write one unit's log atomically: a reader (or a resumed run) never sees half of it."""
    path = out / UNITS_DIR / log.target / f"{log.persona}--r{log.repetition}.json.gz"
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with gzip.open(partial, "wt", encoding="utf-8") as file:
        json.dump(log.to_json(), file, separators=(",", ":"))
    os.replace(partial, path)
    return path


def load_logs(out: Path) -> list[Log]:
    """Every finished unit under `out`, in a stable order."""
    logs = []
    for path in sorted((out / UNITS_DIR).glob("*/*.json.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as file:
            logs.append(Log.from_json(json.load(file)))
    return logs


def _fingerprint(scenario: scenario_module.Scenario) -> str:
    return json.dumps(dataclasses.asdict(scenario), sort_keys=True, default=str)


def _check_resume(scenario: scenario_module.Scenario, out: Path) -> None:
    marker = out / SCENARIO_FILE
    fingerprint = _fingerprint(scenario)
    if marker.exists():
        if marker.read_text(encoding="utf-8") != fingerprint:
            raise ScenarioChanged(
                f"{out} holds a run of a different scenario (or other --scale/--repetitions); "
                "use a new --out folder, or delete this one to start over"
            )
        return
    out.mkdir(parents=True, exist_ok=True)
    marker.write_text(fingerprint, encoding="utf-8")


Progress = Callable[[Log, int, int], None]


def _local(jobs: Sequence[Job], workers: int) -> Iterator[Log]:
    if workers <= 1:
        for job in jobs:
            yield run_unit(job)
        return
    # spawn, not fork: the parent has torch and BLAS thread pools that do not survive a fork.
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
        futures = [pool.submit(run_unit, job) for job in jobs]
        for future in concurrent.futures.as_completed(futures):
            yield future.result()


def _dask(client: Any, jobs: Sequence[Job]) -> Iterator[Log]:
    import distributed

    if jobs:
        # Workers open the world by path: one on another machine without the shared folder would
        # fail every unit it takes, so ask them all before any unit runs.
        shared = str(jobs[0].world)
        readable = client.run(os.path.exists, shared)
        blind = sorted(worker for worker, ok in readable.items() if not ok)
        if blind:
            raise FleetError(
                f"Dask workers {blind} cannot read the audit's world {shared}: "
                "put --out on a file system every worker mounts at the same path"
            )
    futures = client.map(run_unit, list(jobs), pure=False)
    for future in distributed.as_completed(futures):  # type: ignore[no-untyped-call]
        log = future.result()
        assert isinstance(log, Log)
        yield log


def run(
    scenario: scenario_module.Scenario,
    out: Path,
    *,
    workers: int | None = None,
    dask: str | None = None,
    progress: Progress | None = None,
    cache: Path | None = None,
    wait_s: float = 30.0,
    build_engine: targets.EngineBuilder | None = None,
    world_progress: history.Progress | None = None,
) -> list[Log]:
    """Run every unit not yet under `out` and return all logs; run it again after a crash to resume.

    With `dask` (a scheduler address) the units run on that cluster, as many
    at once as it has worker threads, and `wait_s` bounds the wait for its
    scheduler and first worker. Its workers must be able to read `out` (a
    shared file system), where the world lies; the logs are the same as a
    local run's but for `RUN_FIELDS`. `build_engine` (`safefeed.compose.build_engine`,
    handed in from above) builds SafeFeed's engine for the scenario's "engine" targets.
    """
    assert not (dask and workers), "workers counts local processes; a Dask cluster brings its own"
    if build_engine is None and any(spec.kind == "engine" for spec in scenario.targets):
        raise targets.AuditError(
            f"scenario {scenario.name!r} audits SafeFeed's engine: pass build_engine=safefeed.compose.build_engine"
        )
    out = Path(out)
    _check_resume(scenario, out)
    with contextlib.ExitStack() as stack:
        client = stack.enter_context(fleet.connect(dask, wait_s=wait_s)) if dask else None
        labels = engine_labels.parse(scenario.engine_labels)
        prepared = world.prepare_world(
            scenario.catalog, out / WORLD_FILE, cache=cache, labels=labels, seed=scenario.seed, progress=world_progress
        )
        todo = [unit for unit in units(scenario) if not unit_path(out, unit).exists()]
        jobs = [Job(scenario, prepared.resolve(), unit, build_engine) for unit in todo]
        total, done = len(units(scenario)), len(units(scenario)) - len(todo)
        stream = _dask(client, jobs) if client is not None else _local(jobs, workers or max(1, os.cpu_count() or 1))
        for log in stream:
            save(out, log)
            done += 1
            if progress is not None:
                progress(log, done, total)
    return load_logs(out)
