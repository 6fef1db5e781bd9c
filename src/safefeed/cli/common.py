"""What every command needs: the service (or, for catalog tooling, the store), and how to print results."""

from __future__ import annotations

import json
from typing import Any

import rich.console

from safefeed import compose, config, services
from safefeed.store import repository

console = rich.console.Console(stderr=True)


class UsageError(ValueError):
    """The command was given something it cannot work with; the message says what to do."""


def open_store() -> repository.Store:
    return repository.Store.open(config.load().database_url)


def service() -> services.SafeFeed:
    """The service, as the API runs it: what a person does from the shell goes through the same acts."""
    return compose.build_service(config.load())


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, sort_keys=True, default=str))
