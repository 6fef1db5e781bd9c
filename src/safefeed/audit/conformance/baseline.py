"""The release gate's memory: compare a run with an earlier one (DSA Art. 34: test a ranking change first).

A measure regresses when its whole 95% interval moved to the wrong side of the
earlier interval (no overlap), so noise alone does not block a release; a
requirement that passed before and now fails, errs or became untestable
regresses too (a control that disappeared is a regression).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from safefeed.audit.conformance import results

FILE = "conformance.json"


def load(folder: Path) -> list[results.Result]:
    """The results of an earlier run's `--out` folder."""
    path = Path(folder) / FILE
    if not path.is_file():
        raise FileNotFoundError(f"no {FILE} in {folder}: give --baseline the --out folder of an earlier run")
    data = json.loads(path.read_text(encoding="utf-8"))
    return [results.Result.from_json(entry) for entry in data["results"]]


def regressions(current: Sequence[results.Result], earlier: Sequence[results.Result]) -> list[str]:
    """One sentence per regression, naming the requirement, the measure and both intervals."""
    before = {result.id: result for result in earlier}
    found = []
    for result in current:
        old = before.get(result.id)
        if old is None:
            continue
        if old.verdict == "pass" and result.verdict != "pass":
            found.append(f"{result.id}: passed in the baseline, now {result.verdict} ({result.reason})")
            continue
        old_measures = {m.name: m for m in old.measures}
        for measure in result.measures:
            was = old_measures.get(measure.name)
            if was is None:
                continue
            worse = measure.low > was.high if measure.comparator == "<=" else measure.high < was.low
            if worse:
                found.append(
                    f"{result.id}: {measure.name} {results.describe(measure)} is worse than the baseline's "
                    f"{results.describe(was)} beyond both intervals"
                )
    return found
