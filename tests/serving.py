"""A small served world for API and browser tests: the tiny catalog, a hand-driven clock, a live server.

The server is the real application (FastAPI under uvicorn, SQLite, the engine,
the well-being rules); only the clock is driven by the test, so a test can
scroll past a daily limit or into the night without waiting for it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import argon2
import fastapi
import uvicorn

from safefeed import compose, config, services
from safefeed.api import app as api_app
from safefeed.recommend import vectors
from safefeed.store import repository
from tests.recommend import conftest as tiny

# A Monday afternoon in Nairobi (UTC+3): far from the night, the start of a local week.
START = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
# Fast hashing for tests: the real parameters cost ~50 ms a password.
CHEAP_HASHER = argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@dataclasses.dataclass
class ManualClock:
    """The time the service sees; tests move it forward."""

    now: dt.datetime = START

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, delta: dt.timedelta) -> None:
        self.now += delta


def world_store(folder: Path, url: str | None = None, *, template: Path | None = None) -> repository.Store:
    """The tiny catalog (six topics, 120 videos, real content vectors) in a new store.

    With a `template` (a SQLite file this function made before) the file is copied instead of
    embedding the captions again: tests get a fresh database each in milliseconds.
    """
    if template is not None and url is None:
        shutil.copyfile(template, folder / "served.db")
        return repository.Store.open(f"sqlite:///{folder / 'served.db'}")
    store = repository.Store.open(url or f"sqlite:///{folder / 'served.db'}")
    catalog = tiny.tiny_catalog()
    store.import_catalog(catalog.creators, catalog.videos)
    vectors.ensure_content_vectors(store)
    return store


def make_service(
    store: repository.Store, clock: ManualClock, folder: Path, *, policy: str = "default"
) -> services.SafeFeed:
    """The service as `compose.build_service` wires it, with the test's clock and cheap hashing."""
    return compose.assemble(store, settings_for(folder, policy=policy), clock=clock, hasher=CHEAP_HASHER)


def settings_for(folder: Path, **overrides: Any) -> config.Settings:
    """Settings for a served world in `folder`; keyword arguments override any setting (e.g. rate limits)."""
    chosen: dict[str, Any] = {
        "database_url": f"sqlite:///{folder / 'served.db'}",
        "audit_dir": folder / "audits",
        "import_dir": folder / "imports",
    }
    return config.Settings(**(chosen | overrides))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def live_server(safefeed: services.SafeFeed, settings: config.Settings) -> Iterator[str]:
    """Serve the app on 127.0.0.1 (never another address) in a thread; yields its base URL."""
    with serve_app(api_app.create_app(settings, safefeed=safefeed), log_level="warning") as base:
        yield base


@contextlib.contextmanager
def serve_app(app: fastapi.FastAPI, **options: Any) -> Iterator[str]:
    """Serve an app with uvicorn on 127.0.0.1 in a thread (`options`: uvicorn's, e.g. logging)."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, **options))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
