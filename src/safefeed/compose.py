"""The composition root: the one place that knows which concrete parts make an engine."""

from __future__ import annotations

from pathlib import Path

from safefeed import config
from safefeed.policy import rules
from safefeed.recommend import feed
from safefeed.store import repository


def build_engine(
    store: repository.Store,
    *,
    policy: str | Path = "default",
    engine_config: feed.EngineConfig | None = None,
    resolve: feed.Resolve | None = None,
    partial: bool = False,
) -> feed.Engine:
    """The feed engine over the store's catalog, under a policy: "default", "engagement" or a TOML file.

    `resolve` lays what the feed must also honour over a stored account (a guardian's controls);
    `partial=True` serves the videos embedded so far (a catalog still being embedded).
    """
    return feed.build(
        store,
        policy=rules.load(policy),
        config=engine_config or feed.EngineConfig(),
        resolve=resolve or feed.as_stored,
        partial=partial,
    )


def engine_from_settings(settings: config.Settings) -> feed.Engine:
    return build_engine(repository.Store.open(settings.database_url), policy=settings.policy)
