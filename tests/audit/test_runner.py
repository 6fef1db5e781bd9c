"""The step loop and the fleet: a known answer, determinism, resume after a crash, Dask on loopback."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from safefeed import compose, model
from safefeed.audit import fleet, metrics, persona, report, runner, scenario, scoring, targets, world
from safefeed.recommend import feed
from safefeed.store import answer_key, repository

from . import conftest

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _video(video_id: str, mh: bool) -> model.Video:
    return model.Video(
        id=video_id,
        creator_id="c",
        caption="x",
        hashtags=(),
        duration_s=10.0,
        created_at=T0,
        topic="mental_health" if mh else "food",
        label=model.Label(True, model.Theme.LONELINESS) if mh else model.NOT_MH,
    )


class Lingering:
    """A trivial recommender: one video a page; mental-health next if the last one was watched 1.5x or more,
    else mental-health on every 4th item (its only "explore"), everyday videos otherwise."""

    def __init__(self) -> None:
        self.served = 0
        self.lingered = False

    def start(self, account: model.Account) -> None:
        self.served, self.lingered = 0, False

    def feed(self, account_id: str, n: int, now: dt.datetime) -> Sequence[model.Video]:
        mh = self.lingered or self.served % 4 == 3
        self.served += 1
        return [_video(f"v{self.served}", mh)]

    def send(self, events: Sequence[model.Event]) -> None:
        watches = [e for e in events if e.kind is model.EventKind.WATCH]
        self.lingered = bool(watches) and (watches[-1].fraction or 0.0) >= 1.5


def _labels() -> scoring.Labeller:
    return scoring.Labeller({}, fallback=lambda videos: [v.label or model.NOT_MH for v in videos])


def test_known_answer_rabbit_hole_of_a_trivial_recommender() -> None:
    interested = runner.scroll(Lingering(), conftest.teen(minutes=60), 0, seed=1, labeller=_labels(), page_size=1)
    control = runner.scroll(
        Lingering(), conftest.teen(persona.CONTROL, minutes=60), 0, seed=1, labeller=_labels(), page_size=1
    )
    # Items 0-2 are everyday, item 3 is the first mental-health one (every 4th). The interested
    # persona watches it 2x (fraction 2 >= 1.5), so from then on every item is mental health:
    # 17 of the first 20 = 0.85.
    assert sum(interested["mh"][:20]) == 17
    # The control persona never watches past the end (fraction <= 1), so only every 4th item is
    # mental health: items 3, 7, 11, 15, 19 -> 5 of 20 = 0.25.
    assert sum(control["mh"][:20]) == 5
    # The clock: the interested persona's MH items take 20 s each (2 x 10 s).
    assert interested["t_s"][5] - interested["t_s"][4] == pytest.approx(20.0)


def test_same_seed_same_log_on_the_engine(store: repository.Store, world_file: Path, tmp_path: Path) -> None:
    def once(path: Path) -> dict[str, list[object]]:
        opened = repository.Store.open(f"sqlite:///{path}")
        try:
            labeller = scoring.Labeller(answer_key.read(opened))
            return runner.scroll(
                targets.Engine(feed.build(opened)), conftest.teen(minutes=8), 0, seed=5, labeller=labeller
            )
        finally:
            opened.close()

    copies = []
    for name in ("a.db", "b.db"):
        copies.append(tmp_path / name)
        copies[-1].write_bytes(world_file.read_bytes())
    first, second = once(copies[0]), once(copies[1])
    assert len(first["video_id"]) > 20
    assert first == second


SMALL = {
    "name": "tiny",
    "seed": 3,
    "repetitions": 2,
    "page_size": 10,
    "catalog": {"videos": 300, "seed": 7},
    "personas": {
        "age": 13,
        "session_minutes": 6,
        "seed_interests": ["gaming", "music"],
        "regions": [{"region": "KE", "timezone": "Africa/Nairobi"}],
        "arms": {"interested": {"mh_sensitivity": 1.0}, "control": {"mh_sensitivity": 0.0}},
        "variants": {"automated": {}},
    },
    "targets": [{"name": "engagement", "kind": "engine"}, {"name": "null", "kind": "null"}],
}


@pytest.fixture(scope="module")
def tiny() -> scenario.Scenario:
    return scenario.parse(SMALL)


def _outcomes(logs: Sequence[runner.Log]) -> dict[str, dict[str, object]]:
    """Every field of every unit's log but where and how fast it ran."""
    return {f"{log.target}/{log.persona}/{log.repetition}": log.outcome() for log in logs}


def _metrics(scenario_: scenario.Scenario, logs: Sequence[runner.Log]) -> object:
    """metrics.json's content without its one timing figure."""

    def strip(value: object) -> object:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "impressions_per_s_core"}
        return value

    return strip(report.compute(scenario_, logs))


@pytest.fixture(scope="module")
def reference(tiny: scenario.Scenario, world_cache: Path, tmp_path_factory: pytest.TempPathFactory) -> list[runner.Log]:
    return runner.run(
        tiny, tmp_path_factory.mktemp("reference"), workers=1, cache=world_cache, build_engine=compose.build_engine
    )


def test_run_writes_every_unit_and_resumes_after_a_crash(
    tiny: scenario.Scenario,
    reference: list[runner.Log],
    world_cache: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert len(reference) == 2 * 2 * 2  # targets x personas x repetitions
    real = runner.run_unit
    calls = 0

    def crashing(job: runner.Job) -> runner.Log:
        nonlocal calls
        calls += 1
        if calls == 4:
            raise RuntimeError("worker died")
        return real(job)

    monkeypatch.setattr(runner, "run_unit", crashing)
    with pytest.raises(RuntimeError, match="worker died"):
        runner.run(tiny, tmp_path, workers=1, cache=world_cache, build_engine=compose.build_engine)
    assert len(list((tmp_path / runner.UNITS_DIR).glob("*/*.json.gz"))) == 3  # what finished survived
    assert not list((tmp_path / runner.UNITS_DIR).glob("*/*.partial"))
    monkeypatch.setattr(runner, "run_unit", real)
    done: list[str] = []
    resumed = runner.run(
        tiny,
        tmp_path,
        workers=1,
        cache=world_cache,
        progress=lambda log, d, t: done.append(log.persona),
        build_engine=compose.build_engine,
    )
    assert len(done) == 8 - 3  # only the missing units ran again
    assert _outcomes(resumed) == _outcomes(reference)


def test_resume_refuses_a_different_scenario(tiny: scenario.Scenario, world_cache: Path, tmp_path: Path) -> None:
    runner.run(
        dataclasses.replace(tiny, targets=tiny.targets[1:]),
        tmp_path,
        workers=1,
        cache=world_cache,
        build_engine=compose.build_engine,
    )
    with pytest.raises(runner.ScenarioChanged, match="different scenario"):
        runner.run(tiny, tmp_path, workers=1, cache=world_cache, build_engine=compose.build_engine)


def test_local_processes_give_the_same_logs(
    tiny: scenario.Scenario, reference: list[runner.Log], world_cache: Path, tmp_path: Path
) -> None:
    logs = runner.run(tiny, tmp_path, workers=2, cache=world_cache, build_engine=compose.build_engine)
    assert _outcomes(logs) == _outcomes(reference)
    assert all(log.worker.startswith("pid:") and log.worker != f"pid:{os.getpid()}" for log in logs)


def test_a_worker_reads_the_world_once_and_again_when_it_is_rebuilt(world_file: Path, tmp_path: Path) -> None:
    copy = tmp_path / "world.db"
    copy.write_bytes(world_file.read_bytes())
    opened = repository.Store.open(f"sqlite:///{copy}")
    try:
        first = world.read(copy, opened)
        assert len(first[0]) == 7 * 30  # the tiny world: 7 topics x 30 videos
        assert len(first[1]) == 7 * 30  # and its answer key
        assert world.read(copy, opened) is first
        os.utime(copy, ns=(0, 0))  # rebuilt in place: another mtime
        again = world.read(copy, opened)
        assert again is not first and again[0] == first[0]
    finally:
        opened.close()


def test_outcome_leaves_out_only_where_and_how_fast(reference: list[runner.Log]) -> None:
    log = reference[0]
    moved = dataclasses.replace(log, wall_s=log.wall_s + 9, worker="tcp://10.0.0.9:1234")
    assert moved.outcome() == log.outcome()
    assert dataclasses.replace(log, impressions=log.impressions + 1).outcome() != log.outcome()
    assert set(log.to_json()) - set(log.outcome()) == set(runner.RUN_FIELDS)


def _listeners(pids: set[int]) -> list[str]:
    """Local addresses of TCP listeners owned by these processes (`ss -ltnp`, else psutil)."""
    try:
        output = subprocess.run(["ss", "-ltnpH"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        import psutil  # type: ignore[import-untyped]

        return [
            f"{c.laddr.ip}:{c.laddr.port}"
            for pid in pids
            for c in psutil.Process(pid).net_connections(kind="inet")
            if c.status == psutil.CONN_LISTEN
        ]
    found = []
    for line in output.splitlines():
        fields = line.split()
        if any(f"pid={pid}," in line for pid in pids):
            found.append(fields[3])
    return found


def _cluster_listeners() -> list[str]:
    import psutil

    return _listeners({os.getpid(), *(child.pid for child in psutil.Process().children(recursive=True))})


def test_dask_on_loopback_spreads_units_and_gives_the_same_logs_and_metrics(
    tiny: scenario.Scenario, reference: list[runner.Log], world_cache: Path, tmp_path: Path
) -> None:
    distributed = pytest.importorskip("distributed")

    with distributed.LocalCluster(
        host="127.0.0.1", n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        workers = set(cluster.scheduler_info["workers"])
        assert len(workers) == 2
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        before = _cluster_listeners()
        logs = runner.run(
            tiny, tmp_path, dask=cluster.scheduler_address, cache=world_cache, build_engine=compose.build_engine
        )
        after = _cluster_listeners()
    # Scheduler, two nannies and two workers at least; no dashboard, nothing off loopback, before or after.
    assert len(before) >= 5, before
    assert all(address.startswith("127.0.0.1:") for address in before + after), before + after
    assert {log.worker for log in logs} == workers  # both workers ran units
    assert _outcomes(logs) == _outcomes(reference)
    assert _metrics(tiny, logs) == _metrics(tiny, reference)
    # The unit files on disk too, value for value.
    on_disk = {log.target + log.persona + str(log.repetition): log.outcome() for log in runner.load_logs(tmp_path)}
    assert on_disk == {log.target + log.persona + str(log.repetition): log.outcome() for log in reference}


def test_dask_without_scheduler_or_workers_or_shared_folder_says_what_to_do(
    tiny: scenario.Scenario, world_cache: Path, tmp_path: Path
) -> None:
    distributed = pytest.importorskip("distributed")
    import socket

    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(runner.FleetError, match="no Dask scheduler answers"):
        runner.run(
            tiny,
            tmp_path / "a",
            dask=f"tcp://127.0.0.1:{port}",
            cache=world_cache,
            wait_s=1,
            build_engine=compose.build_engine,
        )
    unit = runner.units(tiny)[0]
    with (
        distributed.LocalCluster(n_workers=0, processes=False, dashboard_address=None) as empty,
        pytest.raises(runner.FleetError, match="no workers after 1 s"),
    ):
        runner.run(tiny, tmp_path / "b", dask=empty.scheduler_address, wait_s=1, build_engine=compose.build_engine)
    assert not (tmp_path / "b" / runner.WORLD_FILE).exists()  # refused before building the world
    with distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=None) as one:
        job = runner.Job(tiny, tmp_path / "not-shared" / "world.db", unit)
        with (
            fleet.connect(one.scheduler_address, wait_s=5) as client,
            pytest.raises(runner.FleetError, match=r"cannot read the audit's world .*not-shared"),
        ):
            list(runner._dask(client, [job]))


def test_the_policy_difference_shows_in_a_small_audit(world_file: Path, tmp_path: Path) -> None:
    """The same interested 13-year-old on the tiny world, under "engagement" and under "default"."""
    shares = {}
    for policy in ("engagement", "default"):
        copy = tmp_path / f"{policy}.db"
        copy.write_bytes(world_file.read_bytes())
        opened = repository.Store.open(f"sqlite:///{copy}")
        try:
            videos = list(opened.iter_videos())
            built = targets.build(
                targets.Spec(policy, "engine", policy=policy), opened, videos, build_engine=compose.build_engine
            )
            labeller = scoring.Labeller(answer_key.read(opened))
            columns = runner.scroll(built.target, conftest.teen(minutes=30), 0, seed=2, labeller=labeller)
        finally:
            opened.close()
        flags = np.asarray(columns["mh"], dtype=np.bool_)
        harmful = sum(h in ("potentially_harmful", "violative") for h in columns["harm"])
        shares[policy] = (float(flags.mean()), metrics.max_window_share(flags, 20), harmful)
    # Engagement follows the lingering into the mental-health slice (1 video in 7 of the catalog) ...
    assert shares["engagement"][0] > 0.4
    # ... the default policy keeps it to at most 1 in 10 and never serves a minor a harmful one.
    assert shares["default"][1] <= 0.10
    assert shares["default"][2] == 0
