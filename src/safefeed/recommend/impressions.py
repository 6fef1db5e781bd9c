"""The impression log: a served page's impressions and its ranking decisions, in one commit, learned at once.

Logging the impressions is what moves the account's place in the shared log
(its next page starts after them) and what a retried cursor finds again
(`page.replay`, from the decisions kept with them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from safefeed import model
from safefeed.recommend import accounts as account_cache
from safefeed.recommend import cursor as cursors
from safefeed.recommend import state
from safefeed.store import pages, repository


def log(
    store: repository.Store,
    accounts: account_cache.Accounts,
    current: state.AccountState,
    position: account_cache.LogPosition,
    *,
    account_id: str,
    asked: str,
    decided: tuple[cursors.Decided, ...],
    moment: dt.datetime,
    learn: Callable[[model.Event], None],
) -> cursors.Served:
    """Log the page's impressions with its decisions, learn from them, and move the account's place past them."""
    impressions = [model.Event(account_id, model.EventKind.IMPRESSION, moment, video_id=d.video_id) for d in decided]
    kept: list[cursors.Served] = []

    def decisions(seqs: list[int]) -> tuple[int, str] | None:
        kept.append(cursors.Served(asked, cursors.encode(account_id, max([position.impression, *seqs])), decided))
        return cursors.row(account_id, kept[0])

    seqs = pages.append_page(store, impressions, decisions)  # impressions and decisions: one commit
    for impression in impressions:
        learn(impression)
    accounts.applied(position, seqs)
    position.impression = max([position.impression, *seqs])
    served = kept[0]
    current.pages += 1
    current.last_page = served
    return served
