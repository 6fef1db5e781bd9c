"""A Wellbeing service over the shared `store` fixture (SQLite and PostgreSQL), with a fast hasher."""

from __future__ import annotations

import datetime as dt

import argon2
import pytest

from safefeed import model
from safefeed.policy import rules
from safefeed.store import repository
from safefeed.wellbeing import service
from safefeed.wellbeing.records import store as wellbeing_store

# Cheap argon2 parameters: the tests check the flow, not the cost.
FAST_HASHER = argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def make_service(store: repository.Store, policy: str = "default") -> service.Wellbeing:
    return service.Wellbeing(
        wellbeing_store.WellbeingStore(store.engine), store, rules.built_in(policy), hasher=FAST_HASHER
    )


@pytest.fixture
def wellbeing(store: repository.Store) -> service.Wellbeing:
    return make_service(store)


def add_account(
    store: repository.Store, account_id: str, *, birth_year: int | None = 2012, timezone: str = "Africa/Nairobi"
) -> model.Account:
    account = model.Account(
        account_id,
        birth_year=birth_year,
        region="KE",
        timezone=timezone,
        created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
    store.put_account(account)
    return account


def scroll(
    wellbeing: service.Wellbeing, account: model.Account, start: dt.datetime, minutes: float, *, every_s: int = 30
) -> dt.datetime:
    """Activity every `every_s` seconds for `minutes` minutes from `start`; returns the last moment."""
    steps = int(minutes * 60 // every_s)
    moments = [start + dt.timedelta(seconds=every_s * n) for n in range(steps + 1)]
    wellbeing.observe(account, moments)
    return moments[-1]
