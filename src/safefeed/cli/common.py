"""What every command needs: the settings, the store, and how to print results."""

from __future__ import annotations

import json
from typing import Any

import rich.console

from safefeed import config
from safefeed.store import repository

console = rich.console.Console(stderr=True)


class UsageError(ValueError):
    """The command was given something it cannot work with; the message says what to do."""


def open_store() -> repository.Store:
    return repository.Store.open(config.load().database_url)


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, sort_keys=True, default=str))
