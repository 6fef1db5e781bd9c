"""What the audit scrolls: any feed behind a three-verb `Target` protocol.

A target is observed, never helped: the audit asks it for pages, reports the
persona's events and scores what it served with its own labels (the answer
key where the world has one, else the classifier; `audit.scoring`), never
with the target's answer.

Implementations: `Engine` (SafeFeed in process, under any policy), `Server`
(SafeFeed served over HTTP by a `safefeed serve` the audit starts), `Http`
(any service speaking SafeFeed's feed API), `ImplicitAls` (a peer nobody here
wrote: `implicit`'s ALS, retrained as events arrive), `Null` (a random feed
from the same catalog) and `Replay` (feeds recorded on a real platform).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path

from safefeed import model
from safefeed.audit import history
from safefeed.audit.targets.base import AuditError, Target
from safefeed.audit.targets.engine import Engine, EngineBuilder
from safefeed.audit.targets.http import Http, event_from_json, event_to_json, video_from_json, video_to_json
from safefeed.audit.targets.peers import AlsSettings, ImplicitAls, Null
from safefeed.audit.targets.replay import Replay
from safefeed.audit.targets.served import Server
from safefeed.store import repository

__all__ = [
    "KINDS",
    "AlsSettings",
    "AuditError",
    "Built",
    "Engine",
    "EngineBuilder",
    "Http",
    "ImplicitAls",
    "Null",
    "Replay",
    "Server",
    "Spec",
    "Target",
    "build",
    "event_from_json",
    "event_to_json",
    "video_from_json",
    "video_to_json",
]

KINDS = ("engine", "served", "http", "als", "null")


@dataclasses.dataclass(frozen=True, slots=True)
class Spec:
    """A target as a scenario names it: `kind` picks the implementation, the rest configures it."""

    name: str
    kind: str
    policy: str = "engagement"  # engine, served
    url: str = ""  # http
    als: AlsSettings = AlsSettings()
    seed: int = 0  # null

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise AuditError(f"target {self.name!r}: kind must be one of {KINDS}, got {self.kind!r}")
        if self.kind == "http" and not self.url:
            raise AuditError(f"target {self.name!r}: an http target needs 'url'")


def _nothing() -> None:
    return None


@dataclasses.dataclass(frozen=True, slots=True)
class Built:
    target: Target
    note: str  # what the report should say about how faithful the target is
    close: Callable[[], None] = _nothing  # stops what the target started (a served process)


def build(
    spec: Spec,
    store: repository.Store,
    videos: Sequence[model.Video],
    *,
    mh_ids: frozenset[str] = frozenset(),
    build_engine: EngineBuilder | None = None,
    scratch: Path | None = None,
) -> Built:
    """The target a spec names, over the audit's world (the store holds its catalog and vectors).

    `build_engine` (the composition root's, handed in by the caller) builds
    SafeFeed's engine for an "engine" target; a "served" target starts
    `safefeed serve` over a copy of the store's file under `scratch` (call
    `Built.close` when done). The ALS peer learns from the world's history
    (`audit.history.past`); `mh_ids` (from the answer key) only shapes the
    population it simulates in a world without one.
    """
    if spec.kind == "engine":
        if build_engine is None:
            raise AuditError(
                f"target {spec.name!r} is SafeFeed's engine: pass build_engine=safefeed.compose.build_engine "
                "(the audit never imports the composition root)"
            )
        return Built(Engine(build_engine(store, policy=spec.policy)), "")
    if spec.kind == "served":
        if scratch is None:
            raise AuditError(f"target {spec.name!r} is served over HTTP: pass a scratch folder for its server")
        world = Path(str(store.engine.url.database))
        server = Server(world, spec.policy, scratch / f"served-{spec.name}")
        url = server.start()
        return Built(Http(url), f"SafeFeed ({spec.policy}) over HTTP at {url}", server.stop)
    if spec.kind == "http":
        return Built(Http(spec.url), "")
    if spec.kind == "als":
        return Built(ImplicitAls(videos, settings=spec.als, mh_ids=mh_ids, past=history.past(store)), "")
    return Built(Null(videos, seed=spec.seed), "")
