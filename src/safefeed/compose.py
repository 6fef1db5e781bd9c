"""The composition root: the one place that knows which concrete parts make an engine and a service.

The policy is loaded once per service and handed to both halves that act on
it (the feed engine and the well-being rules), so they never disagree.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import argon2

from safefeed import access, config, services
from safefeed import jobs as background
from safefeed.audit import jobs
from safefeed.policy import rules
from safefeed.recommend import feed
from safefeed.services import parts
from safefeed.store import repository
from safefeed.wellbeing import service as wellbeing_service
from safefeed.wellbeing.records import store as wellbeing_store

PolicyName = str | Path | rules.Policy
"""`"default"`, `"engagement"`, a TOML file, or a policy already loaded."""


def load_policy(policy: PolicyName) -> rules.Policy:
    return policy if isinstance(policy, rules.Policy) else rules.load(policy)


def build_engine(
    store: repository.Store,
    *,
    policy: PolicyName = "default",
    engine_config: feed.EngineConfig | None = None,
    resolve: feed.Resolve | None = None,
    partial: bool = False,
) -> feed.Engine:
    """The feed engine over the store's catalog, under a policy.

    `resolve` lays what the feed must also honour over a stored account (a guardian's controls);
    `partial=True` serves the videos embedded so far (a catalog still being embedded).
    """
    return feed.build(
        store,
        policy=load_policy(policy),
        config=engine_config or feed.EngineConfig(),
        resolve=resolve or feed.as_stored,
        partial=partial,
    )


def engine_from_settings(settings: config.Settings) -> feed.Engine:
    return build_engine(repository.Store.open(settings.database_url), policy=settings.policy)


def build_service(settings: config.Settings, *, clock: parts.Clock = parts.utc_now) -> services.SafeFeed:
    return assemble(repository.Store.open(settings.database_url), settings, clock=clock)


def assemble(
    store: repository.Store,
    settings: config.Settings,
    *,
    clock: parts.Clock = parts.utc_now,
    hasher: argon2.PasswordHasher | None = None,
) -> services.SafeFeed:
    """The service over an open store: one policy for the engine and well-being; the engine sees
    accounts through their guardians' controls."""
    policy = load_policy(settings.policy)
    wellbeing = wellbeing_service.Wellbeing(
        wellbeing_store.WellbeingStore(store.engine, activity_engine=store.log_engine), store, policy, hasher=hasher
    )

    def rebuild(changed: repository.Store) -> feed.Engine:
        # A server serves what is embedded so far; videos still being embedded join at a later rebuild.
        return build_engine(changed, policy=policy, resolve=wellbeing.effective_account, partial=True)

    seen = store.last_catalog_change()
    return services.SafeFeed(
        parts.Parts(
            store,
            rebuild(store),
            wellbeing,
            access.Access(store.engine, token_lifetime=dt.timedelta(days=settings.token_days), hasher=hasher),
            jobs.Jobs(settings.audit_dir, build_engine=build_engine),
            background.Board(settings.import_dir, "import"),
            rebuild=rebuild,
            clock=clock,
            catalog_seen=seen,
        )
    )
