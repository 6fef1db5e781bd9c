"""Scenario files: who scrolls what, for how long, against which targets (TOML, validated on load).

A scenario expands a persona grid -- regions x arms x variants -- so the
Amnesty replication is a dozen lines; `scale` and `repetitions` grow it.
See `scenarios/amnesty-2023.toml` for every key with its meaning.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.resources
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from safefeed import model
from safefeed.audit import behaviour, engine_labels, persona, targets
from safefeed.audit import history as history_module

BUILTIN = ("amnesty-2023", "likes-minor", "likes-minor-kinit")


SOURCES = ("generated", "kinit")


@dataclasses.dataclass(frozen=True, slots=True)
class CatalogSpec:
    """The catalog every target serves from.

    "generated" (`content.generate`, its answer key apart), or "kinit": real
    TikTok captions from the KInIT feed logs, imported unlabelled (the engine
    knows only its classifier's reading), `videos` of them drawn with `seed`;
    the hand labels in `labels` (a CSV of video_id, mh_related, theme, harm)
    become the auditor's answer key for the videos they cover. `history` is
    the platform's past the engine learns co-engagement from (`audit.history`;
    `[catalog.history]` in the file, `users_per_video = 0` for none).
    """

    videos: int = 6000
    seed: int = 7
    source: str = "generated"
    path: str = ""  # kinit: the KInIT folder (default: SAFEFEED_DATA/tiktok-fyp-audit-kinit)
    labels: str = ""  # kinit: the hand labels (default: SAFEFEED_DATA/tiktok-captions-mh-labels/labels-dev.csv)
    history: history_module.Population = history_module.Population()

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise model.InvalidValue(f"catalog source must be one of {SOURCES}, got {self.source!r}")


@dataclasses.dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    seed: int
    repetitions: int
    page_size: int
    catalog: CatalogSpec
    personas: tuple[persona.Persona, ...]
    targets: tuple[targets.Spec, ...]
    baseline: str = "engagement"  # the target others' control watch time is compared with
    window_minutes: float = 10.0  # the width of the share-over-time windows in the report
    engine_labels: str = "classifier"  # which labels SafeFeed's engine acts on (`audit.engine_labels`)

    def __post_init__(self) -> None:
        if self.repetitions < 1:
            raise model.InvalidValue(f"repetitions must be >= 1, got {self.repetitions}")
        if not 1 <= self.page_size <= 100:
            raise model.InvalidValue(f"page_size must be within 1-100, got {self.page_size}")
        for kind, names in (
            ("persona", [p.id for p in self.personas]),
            ("target", [t.name for t in self.targets]),
        ):
            if len(set(names)) != len(names):
                raise model.InvalidValue(f"{kind} names must be unique, got {names}")
        if not self.personas or not self.targets:
            raise model.InvalidValue("a scenario needs at least one persona and one target")
        engine_labels.parse(self.engine_labels)  # a clear error for an unknown kind or a bad oracle


def builtin(name: str) -> Path:
    """The path of a scenario shipped with the package."""
    resource = importlib.resources.files("safefeed.audit") / "scenarios" / f"{name}.toml"
    return Path(str(resource))


def resolve(path_or_name: str | Path) -> Path:
    """A scenario path; a bare builtin name or `scenarios/<name>.toml` resolves to the shipped file."""
    path = Path(path_or_name)
    if path.is_file():
        return path
    stem = path.name.removesuffix(".toml")
    if stem in BUILTIN:
        return builtin(stem)
    raise FileNotFoundError(f"no scenario file {str(path)!r}; give a TOML path or one of {BUILTIN}")


def load(
    path_or_name: str | Path,
    *,
    scale: float = 1.0,
    repetitions: int | None = None,
    labels: str | None = None,
    personalised: bool | None = None,
    over_http: bool = False,
) -> Scenario:
    """Read and validate a scenario; `scale` multiplies session lengths and the catalog (for quick runs),
    `labels` overrides which labels the engine sees (`engine_labels`), `personalised` every persona's
    personalisation choice (True: all opted in); `over_http` serves SafeFeed's engine targets over HTTP
    (`safefeed serve` per unit: the "served" kind) instead of calling them in process."""
    path = resolve(path_or_name)
    with path.open("rb") as file:
        data = tomllib.load(file)
    try:
        scenario = parse(data, scale=scale, repetitions=repetitions)
        if personalised is not None:
            chosen = tuple(dataclasses.replace(p, personalised=personalised) for p in scenario.personas)
            scenario = dataclasses.replace(scenario, personas=chosen)
        if over_http:
            served = tuple(
                dataclasses.replace(spec, kind="served") if spec.kind == "engine" else spec for spec in scenario.targets
            )
            scenario = dataclasses.replace(scenario, targets=served)
        return scenario if labels is None else dataclasses.replace(scenario, engine_labels=labels)
    except (KeyError, TypeError, ValueError) as bad:
        raise model.InvalidValue(f"scenario {path}: {bad}") from None


def _behaviour(table: Mapping[str, Any], base: behaviour.Parameters) -> behaviour.Parameters:
    known = {field.name for field in dataclasses.fields(behaviour.Parameters)}
    unknown = set(table) - known
    if unknown:
        raise ValueError(f"unknown behaviour keys {sorted(unknown)}; known: {sorted(known)}")
    values: dict[str, Any] = {key: tuple(value) if isinstance(value, list) else value for key, value in table.items()}
    return dataclasses.replace(base, **values)


def parse(data: Mapping[str, Any], *, scale: float = 1.0, repetitions: int | None = None) -> Scenario:
    grid = data["personas"]
    start = dt.datetime.fromisoformat(str(grid.get("start", "2026-02-02T16:00")))
    base_behaviour = _behaviour(grid.get("behaviour", {}), behaviour.Parameters())
    personas: list[persona.Persona] = []
    for region in grid["regions"]:
        for arm_name, arm in grid["arms"].items():
            for variant_name, variant in grid.get("variants", {"automated": {}}).items():
                minutes = float(variant.get("session_minutes", grid.get("session_minutes", 360))) * scale
                parameters = _behaviour({**arm.get("behaviour", {}), **variant.get("behaviour", {})}, base_behaviour)
                personas.append(
                    persona.Persona(
                        id=f"{region['region'].lower()}-{arm_name}-{variant_name}",
                        age=int(grid.get("age", 13)),
                        region=str(region["region"]),
                        timezone=str(region["timezone"]),
                        seed_interests=tuple(region.get("seed_interests", grid.get("seed_interests", ()))),
                        mh_sensitivity=float(arm.get("mh_sensitivity", 0.0)),
                        arm=arm_name,
                        variant=variant_name,
                        schedule=persona.Schedule(
                            start, session_minutes=minutes, sessions=int(grid.get("sessions", 1))
                        ),
                        behaviour=parameters,
                        personalised=_personalised(arm.get("personalised", grid.get("personalised"))),
                    )
                )
    specs = []
    for entry in data["targets"]:
        entry = dict(entry)
        als = _als(entry.pop("als", {}))
        specs.append(targets.Spec(als=als, **entry))
    catalog = data.get("catalog", {})
    return Scenario(
        name=str(data["name"]),
        seed=int(data.get("seed", 0)),
        repetitions=repetitions or int(data.get("repetitions", 1)),
        page_size=int(data.get("page_size", 10)),
        catalog=CatalogSpec(
            videos=max(200, int(int(catalog.get("videos", 6000)) * min(scale, 1.0))),
            seed=int(catalog.get("seed", 7)),
            source=str(catalog.get("source", "generated")),
            path=str(catalog.get("path", "")),
            labels=str(catalog.get("labels", "")),
            history=_history(catalog.get("history", {})),
        ),
        personas=tuple(personas),
        targets=tuple(specs),
        baseline=str(data.get("baseline", "engagement")),
        window_minutes=float(data.get("window_minutes", 10.0)) * min(scale, 1.0),
        engine_labels=str(data.get("engine_labels", "classifier")),
    )


def _personalised(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise ValueError(f"personalised must be true or false (or left out for the policy's default), got {value!r}")


def _history(table: Mapping[str, Any]) -> history_module.Population:
    """`[catalog.history]`: the background population (by default it grows with the catalog)."""
    known = {field.name for field in dataclasses.fields(history_module.Population)}
    unknown = set(table) - known
    if unknown:
        raise ValueError(f"unknown catalog.history keys {sorted(unknown)}; known: {sorted(known)}")
    return dataclasses.replace(history_module.Population(), **table)


def _als(table: Mapping[str, Any]) -> targets.AlsSettings:
    return dataclasses.replace(targets.AlsSettings(), **table)
