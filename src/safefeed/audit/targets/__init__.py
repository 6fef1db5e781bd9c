"""What the audit scrolls: any feed behind a three-verb `Target` protocol.

A target is observed, never helped: the audit asks it for pages, reports the
persona's events and scores what it served with its own labels (the answer
key where the world has one, else the classifier; `audit.scoring`), never
with the target's answer.

Implementations: `Engine` (SafeFeed in process, under any policy), `Http`
(any service speaking SafeFeed's feed API), `ImplicitAls` (a peer nobody here
wrote: `implicit`'s ALS, retrained as events arrive), `Null` (a random feed
from the same catalog) and `Replay` (feeds recorded on a real platform).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from safefeed import model
from safefeed.audit.targets.base import AuditError, Target
from safefeed.audit.targets.engine import Engine, build_engine
from safefeed.audit.targets.http import Http, event_from_json, event_to_json, video_from_json, video_to_json
from safefeed.audit.targets.peers import AlsSettings, ImplicitAls, Null
from safefeed.audit.targets.replay import Replay
from safefeed.store import repository

__all__ = [
    "KINDS",
    "AlsSettings",
    "AuditError",
    "Built",
    "Engine",
    "Http",
    "ImplicitAls",
    "Null",
    "Replay",
    "Spec",
    "Target",
    "build",
    "build_engine",
    "event_from_json",
    "event_to_json",
    "video_from_json",
    "video_to_json",
]

KINDS = ("engine", "http", "als", "null")


@dataclasses.dataclass(frozen=True, slots=True)
class Spec:
    """A target as a scenario names it: `kind` picks the implementation, the rest configures it."""

    name: str
    kind: str
    policy: str = "engagement"  # engine
    url: str = ""  # http
    als: AlsSettings = AlsSettings()
    seed: int = 0  # null

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise AuditError(f"target {self.name!r}: kind must be one of {KINDS}, got {self.kind!r}")
        if self.kind == "http" and not self.url:
            raise AuditError(f"target {self.name!r}: an http target needs 'url'")


@dataclasses.dataclass(frozen=True, slots=True)
class Built:
    target: Target
    note: str  # what the report should say about how faithful the target is


def build(
    spec: Spec, store: repository.Store, videos: Sequence[model.Video], *, mh_ids: frozenset[str] = frozenset()
) -> Built:
    """The target a spec names, over the audit's world (the store holds its catalog and vectors).

    `mh_ids` (from the answer key) only shapes the ALS peer's simulated background population;
    SafeFeed's engine is built from the store alone.
    """
    if spec.kind == "engine":
        engine, applied = build_engine(store, spec.policy)
        note = (
            ""
            if applied
            else (
                f"policy {spec.policy!r} NOT applied: safefeed.compose.build_engine is missing, "
                "so this is the plain engine without protections"
            )
        )
        return Built(Engine(engine), note)
    if spec.kind == "http":
        return Built(Http(spec.url), "")
    if spec.kind == "als":
        return Built(ImplicitAls(videos, settings=spec.als, mh_ids=mh_ids), "")
    return Built(Null(videos, seed=spec.seed), "")
