"""The conformance suite on a small world: known answers, outputs, the baseline gate and the CLI's exit code."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import typer.testing

from safefeed import model
from safefeed.audit import scoring, targets
from safefeed.audit.conformance import baseline, requirements, results, run, sessions, stats
from safefeed.cli import app
from safefeed.cli import conformance as cli_conformance
from safefeed.recommend import vectors
from safefeed.store import answer_key, repository

SCALE = 0.15
# SafeFeed's whole service in process, as the CLI hands it to the runner.
IN_PROCESS = cli_conformance.in_process

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

EVERYDAY = {
    "food": ("easy pasta recipe for dinner", ("food", "recipe")),
    "gaming": ("insane clutch in ranked match", ("gaming", "esports")),
    "pets": ("my puppy learned a new trick", ("dog", "pets")),
    "football": ("best goals of the weekend", ("football", "goals")),
    "music": ("new song on repeat all day", ("music", "song")),
    "travel": ("hidden beach you must visit", ("travel", "beach")),
    "comedy": ("this prank went wrong", ("comedy", "funny")),
    "cars": ("restoring an old engine", ("cars", "engine")),
}
# (theme, harm, caption, hashtags): E1 = self-harm/suicide/eating with a harmful label.
MENTAL_HEALTH = (
    (model.Theme.SADNESS_DEPRESSION, model.Harm.NEUTRAL, "nobody notices how tired i am lately", ("sad", "sadtok")),
    (model.Theme.SELF_HARM, model.Harm.POTENTIALLY_HARMFUL, "the scars tell my story", ("selfharm", "sh")),
    (
        model.Theme.EATING_BODY_IMAGE,
        model.Harm.POTENTIALLY_HARMFUL,
        "what i eat in a day 500 cal",
        ("edtwt", "thinspo"),
    ),
    (model.Theme.SUICIDE, model.Harm.POTENTIALLY_HARMFUL, "i just want to disappear forever", ("unalive", "sadtok")),
    (
        model.Theme.THERAPY_RECOVERY_SUPPORT,
        model.Harm.SUPPORTIVE,
        "how therapy helped me cope",
        ("recovery", "support"),
    ),
)


def small_catalog(per_topic: int = 40) -> model.Catalog:
    """Eight everyday topics of 40 videos and 100 mental-health ones, 60 of them E1 (self-harm, suicide, eating)."""
    creators: list[model.Creator] = []
    videos: list[model.Video] = []
    for topic, (caption, tags) in EVERYDAY.items():
        creators.extend(model.Creator(f"{topic}-c{c}") for c in range(5))
        for number in range(per_topic):
            videos.append(
                model.Video(
                    id=f"{topic}-{number:03d}",
                    creator_id=f"{topic}-c{number % 5}",
                    caption=f"{caption} part {number}",
                    hashtags=tags,
                    duration_s=20.0 + number % 30,
                    created_at=T0 - dt.timedelta(days=number % 20),
                    counters=model.Counters(views=1000 * (per_topic + 1 - number)),
                    topic=topic,
                    label=model.NOT_MH,
                )
            )
    for cell, (theme, harm, caption, tags) in enumerate(MENTAL_HEALTH):
        creators.extend(model.Creator(f"mh{cell}-c{c}") for c in range(3))
        for number in range(per_topic // 2):
            videos.append(
                model.Video(
                    id=f"mh{cell}-{number:03d}",
                    creator_id=f"mh{cell}-c{number % 3}",
                    caption=f"{caption} {number}",
                    hashtags=tags,
                    duration_s=25.0,
                    created_at=T0 - dt.timedelta(days=number % 20),
                    counters=model.Counters(views=3000 * (per_topic + 1 - number)),
                    topic="mental_health",
                    label=model.Label(True, theme, harm),
                )
            )
    return model.Catalog(tuple(creators), tuple(videos))


def truth(videos: Sequence[model.Video]) -> dict[str, model.Label]:
    """The small world's answer key: the labels it was written with."""
    return {video.id: video.label for video in videos if video.label is not None}


def build_world(path: Path) -> Path:
    """The engine sees the true labels here, as reviewed ones (it reads no other kind, and holds unlabelled
    videos from minors); the auditor scores by the answer key."""
    store = repository.Store.open(f"sqlite:///{path}")
    made = small_catalog()
    reviewed = [
        dataclasses.replace(v, label=dataclasses.replace(v.label, source=model.LabelSource.REVIEW)) if v.label else v
        for v in made.videos
    ]
    store.import_catalog(made.creators, reviewed)
    answer_key.put(store, truth(made.videos))
    vectors.ensure_content_vectors(store)
    store.close()
    return path


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_world(tmp_path_factory.mktemp("conformance-world") / "world.db")


@pytest.fixture(scope="session")
def suite() -> requirements.Scenario:
    return requirements.load()


def requirement(suite: requirements.Scenario, check: str) -> requirements.Requirement:
    return next(r for r in suite.requirements if r.check == check)


class AlwaysSensitive:
    """A trivial feed that serves only E1 videos, in catalog order: it must fail PCU E1 on every item."""

    def __init__(self, videos: Sequence[model.Video]) -> None:
        self.videos = list(videos)
        self.next: dict[str, int] = {}

    def start(self, account: model.Account) -> None:
        self.next[account.id] = 0

    def feed(self, account_id: str, n: int, now: dt.datetime) -> Sequence[model.Video]:
        at = self.next[account_id]
        self.next[account_id] = at + n
        return [self.videos[(at + i) % len(self.videos)] for i in range(n)]

    def send(self, events: Sequence[model.Event]) -> None:
        return None


def context(
    suite: requirements.Scenario, check: str, target: targets.Target, videos: tuple[model.Video, ...]
) -> sessions.Context:
    return sessions.Context(
        target=target,
        labeller=scoring.Labeller(truth(videos)),
        catalog=videos,
        suite=suite.suite,
        requirement=requirement(suite, check),
        items=40,
        repetitions=1,
        seed=1,
    )


def catalog() -> tuple[model.Video, ...]:
    return small_catalog().videos


def test_the_shipped_scenario_names_a_known_check_and_a_source_for_every_requirement(
    suite: requirements.Scenario,
) -> None:
    assert {r.check for r in suite.requirements} <= set(run.CHECKS)
    assert len({r.number for r in suite.requirements}) == len(suite.requirements) >= 12
    assert all(r.sources and all(m.why for m in r.measures) for r in suite.requirements)


def test_a_scenario_with_an_unknown_key_is_refused_naming_it(tmp_path: Path) -> None:
    text = requirements.builtin().read_text(encoding="utf-8").replace("number = 1\n", "number = 1\nnumbr = 2\n", 1)
    (tmp_path / "bad.toml").write_text(text, encoding="utf-8")
    with pytest.raises(model.InvalidValue, match="numbr"):
        requirements.load(tmp_path / "bad.toml")


def test_a_zero_is_reported_with_its_exact_upper_bound() -> None:
    # 0 of n: the Clopper-Pearson upper bound is 1 - 0.025^(1/n); for n = 40, 1 - 0.025^(1/40) = 0.0881.
    zero = stats.clopper_pearson(0, 40)
    assert (zero.estimate, zero.low) == (0.0, 0.0)
    assert zero.high == pytest.approx(1 - 0.025 ** (1 / 40))


def test_a_feed_that_serves_only_e1_videos_fails_e1(suite: requirements.Scenario) -> None:
    videos = catalog()
    sensitive = [v for v in videos if v.label is not None and v.label.theme is model.Theme.SELF_HARM]
    result = run.judge(
        requirement(suite, "e1_exclusion"), context(suite, "e1_exclusion", AlwaysSensitive(sensitive), videos)
    )
    assert result.verdict == "fail"
    # Every one of the 40 items per persona is E1: the share is 1, its exact lower bound 0.025^(1/40) = 0.912.
    shares = {m.name: m for m in result.measures}
    assert shares["e1_items_neutral"].estimate == 1.0
    assert shares["e1_items_interested"].low == pytest.approx(0.025 ** (1 / 40))


def test_a_feed_that_never_serves_e1_passes_e1(suite: requirements.Scenario) -> None:
    videos = catalog()
    safe = [v for v in videos if v.label is not None and not v.label.mh_related]
    result = run.judge(
        requirement(suite, "e1_exclusion"), context(suite, "e1_exclusion", AlwaysSensitive(safe), videos)
    )
    assert result.verdict == "pass"
    assert all(m.estimate == 0.0 and m.high > 0 for m in result.measures)


def test_the_null_feed_is_not_testable_for_controls_it_lacks(suite: requirements.Scenario) -> None:
    videos = catalog()
    null = targets.Null(videos, seed=1)
    for check, control in (("reset", "refresh"), ("search_coded", "search"), ("time_limits", "wellbeing")):
        result = run.judge(requirement(suite, check), context(suite, check, null, videos))
        assert result.verdict == "not_testable"
        assert control in result.reason


def test_a_check_that_does_not_finish_a_measure_is_a_programmer_error(suite: requirements.Scenario) -> None:
    with pytest.raises(AssertionError, match="did not measure"):
        results.verdict(requirement(suite, "e1_exclusion"), results.Checked(()), seconds=0.0)


def test_outputs_json_junit_and_html_agree(world: Path, suite: requirements.Scenario, tmp_path: Path) -> None:
    doc = run.run(suite, "null", tmp_path, scale=SCALE, world=world)
    written = json.loads((tmp_path / "conformance.json").read_text(encoding="utf-8"))
    assert written["counts"] == doc["counts"] and len(written["results"]) == len(suite.requirements)
    assert doc["counts"]["fail"] >= 1 and not doc["passed"]  # the null feed serves E1 videos to children
    junit = ElementTree.parse(tmp_path / "conformance-junit.xml").getroot()
    cases = junit.findall("testcase")
    assert len(cases) == len(suite.requirements)
    assert len([c for c in cases if c.find("skipped") is not None]) == doc["counts"]["not_testable"]
    assert len([c for c in cases if c.find("failure") is not None]) == doc["counts"]["fail"]
    page = (tmp_path / "conformance.html").read_text(encoding="utf-8")
    for header in ("requirement", "source", "metric", "threshold", "measured (95% CI)", "verdict"):
        assert f"<th>{header}</th>" in page
    assert "PCU E1" in page and "not testable" in page


def test_the_section_is_placed_into_an_existing_report_once(
    world: Path, suite: requirements.Scenario, tmp_path: Path
) -> None:
    (tmp_path / "report.html").write_text("<html><body><h1>audit</h1></body></html>", encoding="utf-8")
    run.run(suite, "null", tmp_path, scale=SCALE, world=world)
    run.run(suite, "null", tmp_path, scale=SCALE, world=world)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert page.count("id='conformance'") == 1 and page.index("<h1>audit</h1>") < page.index("id='conformance'")


def test_a_regression_beyond_the_interval_fails_the_gate(
    world: Path, suite: requirements.Scenario, tmp_path: Path
) -> None:
    first = tmp_path / "before"
    run.run(suite, "default", first, scale=SCALE, world=world, in_process=IN_PROCESS)
    # Compare the engagement baseline against SafeFeed's run: E1 went from 0 (upper bound ~0.08) to a share
    # whose whole interval lies above it, which is a regression beyond the interval.
    doc = run.run(
        suite, "engagement", tmp_path / "after", scale=SCALE, world=world, baseline_dir=first, in_process=IN_PROCESS
    )
    assert any(line.startswith("pcu-e1-exclusion") for line in doc["regressions"])
    assert not doc["passed"]
    again = run.run(
        suite, "default", tmp_path / "again", scale=SCALE, world=world, baseline_dir=first, in_process=IN_PROCESS
    )
    assert again["regressions"] == []  # the same run twice never regresses


def test_baseline_needs_an_earlier_run(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"conformance\.json"):
        baseline.load(tmp_path)


def test_cli_exit_code_follows_the_verdicts(world: Path, tmp_path: Path) -> None:
    only_e1 = (
        requirements.builtin().read_text(encoding="utf-8").split('\n[[requirements]]\nid = "pcu-e2-prominence"')[0]
    )
    (tmp_path / "e1.toml").write_text(only_e1, encoding="utf-8")
    cli = typer.testing.CliRunner()
    common = ["--world", str(world), "--scale", str(SCALE), "--scenario", str(tmp_path / "e1.toml")]
    passed = cli.invoke(app, ["audit", "conformance", "default", "--out", str(tmp_path / "a"), *common])
    assert passed.exit_code == 0, passed.output
    failed = cli.invoke(app, ["audit", "conformance", "null", "--out", str(tmp_path / "b"), *common])
    assert failed.exit_code == 1
    assert "FAIL" in failed.output
    unknown = cli.invoke(app, ["audit", "conformance", "nonsense", "--out", str(tmp_path / "c"), *common])
    assert unknown.exit_code != 0


def test_the_same_run_gives_the_same_figures(world: Path, suite: requirements.Scenario, tmp_path: Path) -> None:
    one = run.run(suite, "default", tmp_path / "one", scale=SCALE, world=world, in_process=IN_PROCESS)
    two = run.run(suite, "default", tmp_path / "two", scale=SCALE, world=world, in_process=IN_PROCESS)

    def figures(doc: dict[str, Any]) -> list[Any]:
        return [(r["id"], r["verdict"], [(m["name"], m["estimate"]) for m in r["measures"]]) for r in doc["results"]]

    assert figures(one) == figures(two)


def test_a_run_leaves_the_world_as_it_was(world: Path, suite: requirements.Scenario, tmp_path: Path) -> None:
    before = world.stat().st_mtime_ns
    run.run(suite, "default", tmp_path, scale=SCALE, world=world, in_process=IN_PROCESS)
    assert world.stat().st_mtime_ns == before  # the run scrolls a private copy


def test_a_feed_that_ignores_not_interested_fails_negative_feedback(suite: requirements.Scenario) -> None:
    # The null feed draws uniformly from the catalog whatever it is told: after 'not interested' the marked
    # topic's share stays about what it was (8 everyday topics of 40 videos and 100 mental-health ones in 420),
    # so the removal is near 0, far below 0.95.
    videos = catalog()
    result = run.judge(
        requirement(suite, "negative_feedback"),
        context(suite, "negative_feedback", targets.Null(videos, seed=3), videos),
    )
    assert result.verdict == "fail"
    assert all(m.estimate < 0.6 for m in result.measures)


def test_safefeed_in_process_without_a_service_is_refused_naming_how(
    world: Path, suite: requirements.Scenario, tmp_path: Path
) -> None:
    with pytest.raises(targets.AuditError, match="no service was handed in"):
        run.run(suite, "default", tmp_path, scale=SCALE, world=world)
