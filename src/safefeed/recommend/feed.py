"""The For You feed: `build` an `Engine` over what the store holds, and the names other packages know it by.

A request runs candidates -> eligibility -> scoring -> re-ranking -> page ->
impression log; `engine` tells that story, one stage module at a time.
"""

from __future__ import annotations

from safefeed.policy import rules as policy_rules
from safefeed.recommend import accounts as account_cache
from safefeed.recommend import build as loading
from safefeed.recommend import context as policy_context
from safefeed.recommend import cursor as cursors
from safefeed.recommend import engine, following, page, rank
from safefeed.recommend import items as catalog_items
from safefeed.store import repository

# The names other packages and tests know this module by; each now lives with its stage.
Positions = rank.Positions
Tab = rank.Tab
TABS = rank.TABS
Scored = rank.Scored
first_found = rank.first_found
CODES = catalog_items.ENFORCEMENT_CODES
HARM = catalog_items.HARM_CODES
THEME_CODES = catalog_items.THEME_CODES
HELP_THEME_CODES = page.HELP_THEME_CODES
VIDEO_CACHE_SIZE = page.VIDEO_CACHE_SIZE
CONTENT_NOTE = page.CONTENT_NOTE
VERIFIED_NOTE = page.VERIFIED_NOTE
Context = policy_context.Context
LogPosition = account_cache.LogPosition
InvalidCursor = cursors.InvalidCursor
encode_cursor = cursors.encode
decode_cursor = cursors.decode
PROTECTION_FLUSH_PAGES = engine.PROTECTION_FLUSH_PAGES
Engine = engine.Engine
EngineConfig = engine.EngineConfig
Resolve = engine.Resolve
as_stored = engine.as_stored
DEFAULT_CONFIG = EngineConfig()


def check_cursor(account_id: str, cursor: str) -> None:
    """Raise InvalidCursor unless the cursor is one this feed issued to the account, of any tab."""
    if following.is_cursor(cursor):
        following.decode(account_id, cursor)
    else:
        cursors.decode(account_id, cursor)


def build(
    store: repository.Store,
    *,
    policy: policy_rules.Policy | None = None,
    config: EngineConfig = DEFAULT_CONFIG,
    exact_below: int = 20_000,
    resolve: Resolve = as_stored,
    partial: bool = False,
) -> Engine:
    """An engine over everything the store holds, under a policy (SafeFeed's default if none is given).

    `partial=True` builds over the videos that have vectors so far (a catalog still being
    embedded: the rest join at a later build); otherwise a video without one is an error.
    """
    loaded = loading.load(store, exact_below=exact_below, seed=config.seed, partial=partial)
    return Engine(
        store,
        loaded.catalog,
        loaded.index,
        loaded.factors,
        policy=policy or policy_rules.built_in("default"),
        config=config,
        videos=loaded.first,
        resolve=resolve,
    )
