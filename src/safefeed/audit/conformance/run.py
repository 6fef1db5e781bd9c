"""The suite's runner: one world, one target, every requirement in turn, each judged as it finishes.

The world is the audit's (`audit.world.prepare_world`: a generated catalog
imported with classifier labels and vectors, its answer key apart, cached per
size and seed) copied to a private scratch file, so the run never changes it.
Labels come from the auditor's side (`scoring.Labeller` over the answer key,
the classifier for videos it lacks); the target only serves pages and takes
events, and is never given the answer key. SafeFeed in process is the whole
service, which sits above the audit: the caller hands it in (`in_process`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import threadpoolctl

from safefeed.audit import history, runner, scenario, scoring, targets
from safefeed.audit import world as world_module
from safefeed.audit.conformance import (
    adapters,
    baseline,
    capabilities,
    checks_controls,
    checks_exposure,
    checks_feedback,
    outputs,
    requirements,
    results,
    sessions,
)
from safefeed.audit.targets import http as http_target
from safefeed.store import repository

Check = Callable[[sessions.Context], results.Checked]

CHECKS: Mapping[str, Check] = {
    "e1_exclusion": checks_exposure.e1_exclusion,
    "e2_prominence": checks_exposure.e2_prominence,
    "child_vs_adult": checks_exposure.child_vs_adult,
    "unknown_age": checks_exposure.unknown_age,
    "logged_out": checks_exposure.logged_out,
    "negative_feedback": checks_feedback.negative_feedback,
    "passive_signals": checks_feedback.passive_signals,
    "reset": checks_feedback.reset,
    "non_profiling": checks_feedback.non_profiling,
    "search_coded": checks_controls.search_coded,
    "search_suggestions": checks_controls.search_suggestions,
    "time_limits": checks_controls.time_limits,
    "notifications": checks_controls.notifications,
    "explanations": checks_controls.explanations,
}

Progress = Callable[[results.Result, int, int], None]


def spec(target: str) -> targets.Spec:
    """A TARGET as the CLI names it: a policy (`default`, `engagement`, a policy TOML), `served:POLICY`
    (SafeFeed under that policy served over HTTP by the run itself), `als`, `null` or a URL."""
    if target.startswith(("http://", "https://")):
        return targets.Spec(name="http", kind="http", url=target)
    if target.startswith("served:"):
        policy = spec(target.removeprefix("served:"))
        if policy.kind != "engine":
            raise targets.AuditError(f"served:POLICY needs a policy (default, engagement or a .toml), got {target!r}")
        return targets.Spec(name=f"served-{policy.name}", kind="served", policy=policy.policy)
    if target in ("als", "implicit-als"):
        return targets.Spec(name="implicit-als", kind="als")
    if target == "null":
        return targets.Spec(name="null", kind="null")
    if target in ("default", "engagement") or target.endswith(".toml"):
        if target.endswith(".toml") and not Path(target).is_file():
            raise targets.AuditError(f"no policy file {target!r}")
        return targets.Spec(name=Path(target).stem, kind="engine", policy=target)
    raise targets.AuditError(
        f"unknown target {target!r}: give default, engagement, a policy .toml, served:POLICY, als, null "
        "or an http(s):// URL"
    )


@dataclasses.dataclass(frozen=True, slots=True)
class Sizes:
    scale: float
    items: int
    repetitions: int
    videos: int


def sizes(suite: requirements.Suite, scale: float) -> Sizes:
    """Scale 1 is the standard run; smaller scales shrink the items, the repetitions and the catalog."""
    return Sizes(
        scale,
        max(20, round(suite.items * scale)),
        max(1, round(suite.repetitions * min(scale, 1.0))),
        max(200, round(suite.catalog_videos * min(scale, 1.0))),
    )


def judge(requirement: requirements.Requirement, ctx: sessions.Context) -> results.Result:
    """One requirement: not testable when a control is missing, an error when the target fails, else judged."""
    lacking = capabilities.missing(ctx.target, requirement.needs)
    if lacking:
        return results.not_testable(requirement, f"the target offers no {', '.join(lacking)} control")
    began = time.perf_counter()
    try:
        checked = CHECKS[requirement.check](ctx)
    except http_target.Unsupported as lacking:  # an HTTP feed without a control's route
        return dataclasses.replace(
            results.not_testable(requirement, f"the target lacks a control: {lacking}"),
            seconds=time.perf_counter() - began,
        )
    except targets.AuditError as failed:
        return dataclasses.replace(
            results.not_testable(requirement, str(failed), verdict="error"), seconds=time.perf_counter() - began
        )
    return results.verdict(requirement, checked, seconds=time.perf_counter() - began)


def run(
    suite: requirements.Scenario,
    target: str,
    out: Path,
    *,
    scale: float = 1.0,
    seed: int | None = None,
    world: Path | None = None,
    cache: Path | None = None,
    baseline_dir: Path | None = None,
    progress: Progress | None = None,
    in_process: adapters.InProcess | None = None,
    world_progress: history.Progress | None = None,
) -> dict[str, Any]:
    """Run every requirement against `target`; write the outputs under `out` and return conformance.json's content.

    `in_process` builds SafeFeed's service for a policy target (default, engagement, a .toml); the CLI
    passes `services.conformance_target` over `compose.assemble`. Without it only als, null and URLs run.
    """
    unknown = [r.check for r in suite.requirements if r.check not in CHECKS]
    if unknown:
        raise targets.AuditError(f"unknown checks {unknown} in the scenario; known: {sorted(CHECKS)}")
    chosen = spec(target)
    earlier = baseline.load(baseline_dir) if baseline_dir is not None else None
    size = sizes(suite.suite, scale)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if world is None:
        catalog = scenario.CatalogSpec(videos=size.videos, seed=suite.suite.catalog_seed)
        world = world_module.prepare_world(catalog, out / runner.WORLD_FILE, cache=cache, progress=world_progress)
    began = time.perf_counter()
    found: list[results.Result] = []
    with tempfile.TemporaryDirectory(prefix="safefeed-conformance-") as scratch, threadpoolctl.threadpool_limits(1):
        copy = Path(scratch) / runner.WORLD_FILE
        shutil.copyfile(world, copy)
        store = repository.Store.open(f"sqlite:///{copy}", simulation=True)
        with contextlib.ExitStack() as stack:
            stack.callback(store.close)
            videos, key = world_module.read(copy, store)
            labeller = scoring.Labeller(key)
            mh_ids = frozenset(video_id for video_id, label in key.items() if label.mh_related)
            built = adapters.build(
                chosen, store, videos, in_process=in_process, mh_ids=mh_ids, scratch=Path(scratch) / "served"
            )
            stack.callback(built.close)
            memo: dict[str, sessions.Served] = {}
            for number, requirement in enumerate(suite.requirements, start=1):
                ctx = sessions.Context(
                    target=built.target,
                    labeller=labeller,
                    catalog=videos,
                    suite=suite.suite,
                    requirement=requirement,
                    items=size.items,
                    repetitions=size.repetitions,
                    seed=suite.seed if seed is None else seed,
                    scale=scale,
                    memo=memo,
                )
                found.append(judge(requirement, ctx))
                if progress is not None:
                    progress(found[-1], number, len(suite.requirements))
    header = {
        "suite": suite.name,
        "target": target,
        "kind": chosen.kind,
        "scale": scale,
        "seed": suite.seed if seed is None else seed,
        "items_per_phase": size.items,
        "repetitions": size.repetitions,
        "catalog_videos": len(videos),
        "scored_by": labeller.scored_by,
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "wall_s": round(time.perf_counter() - began, 1),
        "baseline": None if baseline_dir is None else str(baseline_dir),
    }
    found_regressions = baseline.regressions(found, earlier) if earlier is not None else []
    doc = outputs.document(header, found, found_regressions)
    outputs.write(doc, out)
    return doc
