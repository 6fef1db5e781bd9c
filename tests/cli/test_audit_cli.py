"""`safefeed audit run|summary|replay` end to end on tiny inputs."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from safefeed.audit import runner
from safefeed.cli import audit, common
from tests.datasets import test_kinit

cli = CliRunner()

SCENARIO = """
name = "cli-tiny"
seed = 1
repetitions = 1
[catalog]
videos = 300
seed = 7
[personas]
age = 13
session_minutes = 4
seed_interests = ["gaming"]
[[personas.regions]]
region = "PH"
timezone = "Asia/Manila"
[personas.arms.interested]
mh_sensitivity = 1.0
[personas.arms.control]
mh_sensitivity = 0.0
[[targets]]
name = "engagement"
kind = "engine"
[[targets]]
name = "null"
kind = "null"
"""


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.getbasetemp() / "audit-world-cache"  # as tests/audit: one embedding per session
    path.mkdir(exist_ok=True)
    return path


def test_run_then_summary_json(tmp_path: Path, cache: Path) -> None:
    path = tmp_path / "tiny.toml"
    path.write_text(SCENARIO, encoding="utf-8")
    out = tmp_path / "out"
    result = cli.invoke(audit.app, ["run", str(path), "--out", str(out), "--workers", "1", "--cache", str(cache)])
    assert result.exit_code == 0, result.output
    assert (out / "metrics.json").is_file() and (out / "report.html").is_file()
    assert (out / "plots" / "mh_share_engagement.png").read_bytes().startswith(b"\x89PNG")
    summary = cli.invoke(audit.app, ["summary", str(out), "--json"])
    assert summary.exit_code == 0, summary.output
    rows = json.loads(summary.stdout)
    assert [row["target"] for row in rows] == ["engagement", "null"]
    for row in rows:
        for key in (
            "mh_share_hour_6",
            "ratio_to_control",
            "minutes_to_half_rewatch",
            "max_mh_share_window_20",
            "harmful_items_minors",
            "control_watch_time_vs_engagement",
            "engine_labels",
            "scored_by",
            "harmful_per_10k_minor_impressions",
            "harmful_per_10k_minor_impressions_upper95",
            "mh_share_interested_corrected",
            "mh_share_interested_corrected_ci_low",
            "mh_share_control_corrected_ci_high",
        ):
            assert key in row
        assert all(not isinstance(value, (dict, list)) for value in row.values())  # flat
        assert row["scored_by"] == "answer_key"  # a generated world is scored by its answer key
        # A zero is never bare: the rate comes with an upper bound above it.
        assert row["harmful_per_10k_minor_impressions_upper95"] > row["harmful_per_10k_minor_impressions"]
    assert rows[0]["control_watch_time_vs_engagement"] == 1.0
    assert rows[0]["engine_labels"] == "classifier"
    assert rows[1]["engine_labels"].startswith("none")
    again = cli.invoke(audit.app, ["run", str(path), "--out", str(out), "--workers", "1", "--cache", str(cache)])
    assert again.exit_code == 0  # every unit done: resumes to the same report


def _without_timing(value: object) -> object:
    if isinstance(value, dict):
        return {k: _without_timing(v) for k, v in value.items() if k != "impressions_per_s_core"}
    return value


def test_run_on_a_dask_cluster_spreads_units_and_matches_a_local_run(tmp_path: Path, cache: Path) -> None:
    distributed = pytest.importorskip("distributed")
    path = tmp_path / "tiny.toml"
    path.write_text(SCENARIO, encoding="utf-8")
    local, fleet = tmp_path / "local", tmp_path / "fleet"
    result = cli.invoke(audit.app, ["run", str(path), "--out", str(local), "--workers", "1", "--cache", str(cache)])
    assert result.exit_code == 0, result.output
    with distributed.LocalCluster(
        host="127.0.0.1", n_workers=2, threads_per_worker=1, dashboard_address=None
    ) as cluster:
        workers = sorted(cluster.scheduler_info["workers"])
        result = cli.invoke(
            audit.app,
            ["run", str(path), "--out", str(fleet), "--dask", cluster.scheduler_address, "--cache", str(cache)],
        )
    assert result.exit_code == 0, result.output
    # 2 targets x 2 arms x 1 region x 1 repetition = 4 units, over both workers.
    assert "4 units on 2 workers" in result.output
    logs = runner.load_logs(fleet)
    assert sorted({log.worker for log in logs}) == workers
    assert [log.outcome() for log in logs] == [log.outcome() for log in runner.load_logs(local)]
    metrics = [json.loads((out / "metrics.json").read_text()) for out in (local, fleet)]
    assert _without_timing(metrics[0]) == _without_timing(metrics[1])
    assert metrics[1]["targets"]["engagement"]["summary"]["impressions_per_s_core"] > 0


def test_a_label_recall_sweep_runs_each_quality_and_plots_them(tmp_path: Path, cache: Path) -> None:
    path = tmp_path / "tiny.toml"
    path.write_text(SCENARIO, encoding="utf-8")
    out = tmp_path / "sweep"
    arguments = ["run", str(path), "--out", str(out), "--workers", "1", "--cache", str(cache)]
    result = cli.invoke(audit.app, [*arguments, "--label-recall", "1.0,0.5", "--label-fpr", "0.01"])
    assert result.exit_code == 0, result.output
    assert (out / "plots" / "label_sweep.png").read_bytes().startswith(b"\x89PNG")
    runs = json.loads((out / "sweep.json").read_text())["runs"]
    assert sorted({row["label_recall"] for row in runs}) == [0.5, 1.0]
    engine = {row["label_recall"]: row["engine_labels"] for row in runs if row["target"] == "engagement"}
    assert engine == {0.5: "oracle:recall=0.5,fpr=0.01", 1.0: "oracle:recall=1,fpr=0.01"}
    assert (out / "recall-0.5" / "metrics.json").is_file()


def test_bad_label_settings_are_refused_with_the_fix(tmp_path: Path) -> None:
    for extra, message in (
        (["--labels", "truth"], "engine labels must be one of"),
        (["--label-recall", "0.5,x"], "numbers separated by commas"),
        (["--label-recall", "1.5"], r"must lie in \[0, 1\]"),
        (["--labels", "reviewed", "--label-recall", "0.5"], "drop one"),
    ):
        with pytest.raises(common.UsageError, match=message):
            cli.invoke(audit.app, ["run", "amnesty-2023", "--out", str(tmp_path), *extra], catch_exceptions=False)


def test_dask_and_local_workers_together_are_refused(tmp_path: Path) -> None:
    with pytest.raises(common.UsageError, match="--workers counts local processes"):
        cli.invoke(
            audit.app,
            ["run", "amnesty-2023", "--out", str(tmp_path), "--dask", "tcp://127.0.0.1:8786", "--workers", "2"],
            catch_exceptions=False,
        )


def test_summary_of_a_folder_without_a_run_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(common.UsageError, match="safefeed audit run"):
        cli.invoke(audit.app, ["summary", str(tmp_path)], catch_exceptions=False)


HEADER = test_kinit.COLUMNS  # the real file's header


def _kinit(folder: Path) -> Path:
    folder.mkdir()
    with (folder / "feed_items.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        number = 0
        for group, cats in (("experiment", 3), ("control", 1)):
            for run in (1, 2):
                for position in range(4):
                    number += 1
                    tag = "cats" if position < cats else "food"
                    writer.writerow(
                        [
                            "39",
                            group,
                            run,
                            1,
                            f"2025012{run}-100000",
                            position,
                            f"7{number:05d}",
                            1734290183,
                            f"video #{tag}",
                            "ascii",
                            tag,
                            10,
                            "en",
                            1,
                            1,
                            "False",
                            1,
                            1,
                            1,
                            1,
                            1,
                            f"a{number % 3}",
                            "fyp",
                        ]
                    )
    (folder / "scenario_parameters.json").write_text(
        json.dumps(
            [
                {
                    "config_file": "scenarios/config_39_exp.py",
                    "COUNTRY": "US",
                    "MAX_VIDEOS": 250,
                    "profiles": {"1": {"HASHTAGS_WATCH_LONGER": ["cats"]}},
                },
                {
                    "config_file": "scenarios/config_39_control.py",
                    "COUNTRY": "US",
                    "MAX_VIDEOS": 250,
                    "profiles": {"1": {}},
                },
            ]
        ),
        encoding="utf-8",
    )
    return folder


def test_replay_writes_shares_by_arm(tmp_path: Path) -> None:
    folder = _kinit(tmp_path / "kinit")
    out = tmp_path / "replay"
    result = cli.invoke(audit.app, ["replay", str(folder), "--out", str(out), "--labels", "lexicon"])
    assert result.exit_code == 0, result.output
    data = json.loads((out / "replay.json").read_text())
    share = data["scenarios"]["39"]["target_hashtag_share"]
    # Experiment: 3 of 4 per run tagged #cats -> 6/8; control: 1 of 4 -> 2/8.
    assert (share["experiment"]["share"], share["control"]["share"]) == (0.75, 0.25)
    assert data["scenarios"]["39"]["mental_health_share"]["experiment"]["share"] == 0.0


def test_replay_refuses_an_unknown_labeller(tmp_path: Path) -> None:
    with pytest.raises(common.UsageError, match="--labels"):
        cli.invoke(audit.app, ["replay", str(_kinit(tmp_path / "k")), "--labels", "tarot"], catch_exceptions=False)


def test_over_http_with_personalised_personas_serves_safefeed_from_outside(tmp_path: Path, cache: Path) -> None:
    path = tmp_path / "tiny.toml"
    path.write_text(SCENARIO.replace("session_minutes = 4", "session_minutes = 2"), encoding="utf-8")
    out = tmp_path / "out"
    arguments = ["run", str(path), "--out", str(out), "--workers", "1", "--cache", str(cache)]
    result = cli.invoke(audit.app, [*arguments, "--over-http", "--personalised"])
    assert result.exit_code == 0, result.output
    logs = runner.load_logs(out)
    engagement = [log for log in logs if log.target == "engagement"]
    assert engagement and all(
        log.note.startswith("SafeFeed (engagement) over HTTP at http://127.0.0.1:") for log in engagement
    )
    assert all(log.impressions > 0 for log in engagement)
    scenario_file = json.loads((out / runner.SCENARIO_FILE).read_text(encoding="utf-8"))
    assert {p["personalised"] for p in scenario_file["personas"]} == {True}
    assert [t["kind"] for t in scenario_file["targets"]] == ["served", "null"]
