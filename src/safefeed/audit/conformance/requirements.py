"""The suite's definition: each requirement's source, metric, threshold and why, read from TOML.

Parsed by a strict pydantic model (unknown keys, wrong types and missing
reasons are errors naming the key), so a platform can tighten a threshold or
add a query but cannot half-write a requirement.
"""

from __future__ import annotations

import datetime as dt
import importlib.resources
import tomllib
from pathlib import Path
from typing import Annotated, Literal

import pydantic

from safefeed import model

BUILTIN = "conformance"

Capability = Literal[
    "refresh", "search", "settings", "explain", "wellbeing", "notifications", "anonymous", "suggestions"
]
Comparator = Literal["<=", ">="]
Judge = Literal["estimate", "upper", "lower"]
Param = str | int | float | bool | list[str]
Text = Annotated[str, pydantic.StringConstraints(min_length=1, strip_whitespace=True)]


class Strict(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid", frozen=True, strict=True)


class Source(Strict):
    """Where the rule comes from, in the instrument's own numbering, with its wording paraphrased."""

    instrument: Text
    provision: Text
    paraphrase: Text


class Measure(Strict):
    """One figure a requirement is judged on: `judge` picks the estimate or a bound of its 95% interval."""

    name: Text
    metric: Text
    unit: Text = "share"
    comparator: Comparator
    threshold: float
    judge: Judge = "estimate"
    why: Text


class Requirement(Strict):
    id: Annotated[str, pydantic.StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]
    number: int = pydantic.Field(ge=1)
    title: Text
    check: Text
    needs: tuple[Capability, ...] = ()
    sources: tuple[Source, ...] = pydantic.Field(min_length=1)
    measures: tuple[Measure, ...] = pydantic.Field(min_length=1)
    params: dict[str, Param] = {}

    @pydantic.model_validator(mode="after")
    def _unique_measures(self) -> Requirement:
        names = [m.name for m in self.measures]
        if len(set(names)) != len(names):
            raise ValueError(f"requirement {self.id}: measure names must be unique, got {names}")
        return self


class Suite(Strict):
    """How the personas scroll at scale 1 (the standard scale); `--scale` shrinks items and the catalog."""

    catalog_videos: int = pydantic.Field(ge=200)
    catalog_seed: int = 7
    items: int = pydantic.Field(ge=20, description="items a persona scrolls per phase at scale 1")
    repetitions: int = pydantic.Field(ge=1)
    page_size: int = pydantic.Field(default=10, ge=1, le=100)
    start: dt.datetime
    region: Text
    timezone: Text
    seed_interests: tuple[str, ...] = pydantic.Field(min_length=1)
    child_age: int = pydantic.Field(default=13, ge=5, le=17)
    adult_age: int = pydantic.Field(default=25, ge=18, le=120)


class Scenario(Strict):
    name: Text
    seed: int
    suite: Suite
    requirements: tuple[Requirement, ...] = pydantic.Field(min_length=1)

    @pydantic.model_validator(mode="after")
    def _unique_ids(self) -> Scenario:
        ids = [r.id for r in self.requirements]
        if len(set(ids)) != len(ids):
            raise ValueError(f"requirement ids must be unique, got {ids}")
        return self


def builtin() -> Path:
    return Path(str(importlib.resources.files("safefeed.audit") / "scenarios" / f"{BUILTIN}.toml"))


def load(path: str | Path | None = None) -> Scenario:
    """The suite at `path` (default: the shipped one); a bad file is an `InvalidValue` naming the key."""
    where = builtin() if path is None or str(path) == BUILTIN else Path(path)
    if not where.is_file():
        raise FileNotFoundError(f"no conformance scenario at {str(where)!r}; give a TOML path or {BUILTIN!r}")
    with where.open("rb") as file:
        data = tomllib.load(file)
    try:
        return Scenario.model_validate(data, strict=False)
    except pydantic.ValidationError as bad:
        first = bad.errors()[0]
        place = ".".join(str(part) for part in first["loc"])
        raise model.InvalidValue(f"conformance scenario {where}: {place}: {first['msg']}") from None
