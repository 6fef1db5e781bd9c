"""Fixtures shared by every test: stores on the real databases, and the real data sets."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from safefeed import config
from safefeed.store import repository

POSTGRES_URL = os.environ.get("SAFEFEED_TEST_POSTGRES_URL")


def _postgres_store() -> Iterator[repository.Store]:
    """A fresh database on the PostgreSQL server `.ci/run` starts, dropped afterwards."""
    if not POSTGRES_URL:
        pytest.skip("no PostgreSQL server: set SAFEFEED_TEST_POSTGRES_URL (`.ci/run` starts one)")
    name = f"safefeed_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(
        POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    store = repository.Store.open(POSTGRES_URL.rsplit("/", 1)[0] + "/" + name)
    try:
        yield store
    finally:
        store.close()
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[repository.Store]:
    """The same tests run on SQLite and on a real PostgreSQL server."""
    if request.param == "sqlite":
        sqlite_store = repository.Store.open(f"sqlite:///{tmp_path / 'safefeed.db'}")
        yield sqlite_store
        sqlite_store.close()
    else:
        yield from _postgres_store()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[repository.Store]:
    store = repository.Store.open(f"sqlite:///{tmp_path / 'safefeed.db'}")
    yield store
    store.close()


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """`../shared/data` (or $SAFEFEED_DATA); tests that need it skip when it is absent."""
    path = config.load().data_dir
    if not path.is_dir():
        pytest.skip(f"real data not found at {path}: set SAFEFEED_DATA to the shared data folder")
    return path


@pytest.fixture(scope="session")
def world_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny served world (catalog and content vectors) embedded once per test process; tests copy the file."""
    from tests import serving  # the API and its server: only for the tests that serve

    folder = tmp_path_factory.mktemp("world")
    serving.world_store(folder).close()
    return folder / "served.db"
