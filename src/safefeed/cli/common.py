"""What every command needs: the service (or, for catalog tooling, the store), and how to print results."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import rich.console
import rich.progress

from safefeed import compose, config, services
from safefeed.store import repository

console = rich.console.Console(stderr=True)
PLAIN_EVERY_S = 5.0  # without a terminal (a log), one progress line this often per step


class UsageError(ValueError):
    """The command was given something it cannot work with; the message says what to do."""


def open_store() -> repository.Store:
    return repository.Store.open(config.load().database_url)


def service() -> services.SafeFeed:
    """The service, as the API runs it: what a person does from the shell goes through the same acts."""
    return compose.build_service(config.load())


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, sort_keys=True, default=str))


def bar_phases(bar: rich.progress.Progress, **fields: Any) -> Callable[[str, int, int], None]:
    """A `(phase, done, total)` callback showing each phase as its own line on `bar` (`fields`: its columns')."""
    tasks: dict[str, rich.progress.TaskID] = {}

    def update(phase: str, done: int, total: int) -> None:
        if phase not in tasks:
            tasks[phase] = bar.add_task(phase, total=total, **fields)
        bar.update(tasks[phase], completed=done, total=total)

    return update


@contextlib.contextmanager
def phases() -> Iterator[Callable[[str, int, int], None]]:
    """A `(phase, done, total)` callback for long work in steps: a progress bar per step on a terminal,
    otherwise a plain line per step every PLAIN_EVERY_S and when the step ends."""
    if console.is_terminal:
        with rich.progress.Progress(
            *rich.progress.Progress.get_default_columns(), rich.progress.MofNCompleteColumn(), console=console
        ) as bar:
            yield bar_phases(bar)
        return
    began = time.monotonic()
    last: dict[str, float] = {}

    def line(phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if phase not in last or done >= total or now - last[phase] >= PLAIN_EVERY_S:
            last[phase] = now
            share = done / total if total else 1.0
            console.print(f"{phase}: {done:,} of {total:,} ({share:.0%}) after {now - began:.0f} s", markup=False)

    yield line
