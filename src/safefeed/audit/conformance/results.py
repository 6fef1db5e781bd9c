"""From measurements to verdicts: pass, fail, not testable (with the reason) or error, per requirement.

A check returns `Measured` figures (estimate and 95% interval); the scenario
says, per measure, the comparator, the threshold and whether the estimate or
a bound is judged. A requirement passes when every measure does.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from safefeed.audit.conformance import requirements, stats

Verdict = Literal["pass", "fail", "not_testable", "error"]


@dataclasses.dataclass(frozen=True, slots=True)
class Measured:
    """A check's figure for one of its requirement's measures."""

    name: str
    value: stats.Interval
    detail: str = ""


@dataclasses.dataclass(frozen=True, slots=True)
class Checked:
    """What a check found: its figures, or why the target cannot be tested, and notes for the reader."""

    measured: tuple[Measured, ...] = ()
    not_testable: str = ""
    notes: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True, slots=True)
class MeasureResult:
    name: str
    metric: str
    unit: str
    comparator: str
    threshold: float
    judge: str
    why: str
    estimate: float
    low: float
    high: float
    passed: bool
    detail: str = ""


@dataclasses.dataclass(frozen=True, slots=True)
class Result:
    id: str
    number: int
    title: str
    sources: tuple[dict[str, str], ...]
    verdict: Verdict
    reason: str  # why it failed, was not testable or errored; empty on a pass
    measures: tuple[MeasureResult, ...]
    notes: tuple[str, ...]
    seconds: float

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @staticmethod
    def from_json(data: Mapping[str, Any]) -> Result:
        measures = tuple(MeasureResult(**m) for m in data["measures"])
        fields = {**data, "measures": measures, "sources": tuple(data["sources"]), "notes": tuple(data["notes"])}
        return Result(**fields)


def judged(measure: requirements.Measure, value: stats.Interval) -> float:
    return {"estimate": value.estimate, "upper": value.high, "lower": value.low}[measure.judge]


def meets(measure: requirements.Measure, value: stats.Interval) -> bool:
    """Whether the judged figure is on the right side of the threshold.

    >>> m = requirements.Measure(name="n", metric="m", comparator="<=", threshold=0, why="w")
    >>> meets(m, stats.Interval(0, 0, 0.01)), meets(m, stats.Interval(1, 0.5, 2))
    (True, False)
    """
    figure = judged(measure, value)
    return figure <= measure.threshold + 1e-12 if measure.comparator == "<=" else figure >= measure.threshold - 1e-12


def _sources(requirement: requirements.Requirement) -> tuple[dict[str, str], ...]:
    return tuple(source.model_dump() for source in requirement.sources)


def not_testable(requirement: requirements.Requirement, reason: str, *, verdict: Verdict = "not_testable") -> Result:
    return Result(
        requirement.id, requirement.number, requirement.title, _sources(requirement), verdict, reason, (), (), 0.0
    )


def verdict(requirement: requirements.Requirement, checked: Checked, *, seconds: float) -> Result:
    """Judge a check's figures against its requirement's thresholds."""
    if checked.not_testable:
        result = not_testable(requirement, checked.not_testable)
        return dataclasses.replace(result, notes=checked.notes, seconds=round(seconds, 2))
    found = {m.name: m for m in checked.measured}
    absent = [m.name for m in requirement.measures if m.name not in found]
    assert not absent, f"check {requirement.check} did not measure {absent}"
    measures = []
    for measure in requirement.measures:
        got = found[measure.name]
        measures.append(
            MeasureResult(
                name=measure.name,
                metric=measure.metric,
                unit=measure.unit,
                comparator=measure.comparator,
                threshold=measure.threshold,
                judge=measure.judge,
                why=measure.why,
                estimate=got.value.estimate,
                low=got.value.low,
                high=got.value.high,
                passed=meets(measure, got.value),
                detail=got.detail,
            )
        )
    failed = [m for m in measures if not m.passed]
    reason = "; ".join(f"{m.name} {describe(m)} (needs {m.comparator} {m.threshold:g})" for m in failed)
    return Result(
        requirement.id,
        requirement.number,
        requirement.title,
        _sources(requirement),
        "fail" if failed else "pass",
        reason,
        tuple(measures),
        checked.notes,
        round(seconds, 2),
    )


def describe(measure: MeasureResult) -> str:
    """The figure with its interval, in the measure's unit: '0 (95% CI 0-0.0037)'."""

    def show(x: float) -> str:
        return f"{x * 100:.1f} pp" if measure.unit == "pp" else f"{x:.3g}"

    if measure.unit == "pp":
        return f"{show(measure.estimate)} (95% CI {show(measure.low)} to {show(measure.high)})"
    return f"{show(measure.estimate)} (95% CI {show(measure.low)}-{show(measure.high)})"


def failed(results: Sequence[Result]) -> list[Result]:
    return [r for r in results if r.verdict in ("fail", "error")]


def counts(results: Sequence[Result]) -> dict[str, int]:
    out = {"pass": 0, "fail": 0, "not_testable": 0, "error": 0}
    for result in results:
        out[result.verdict] += 1
    return out
