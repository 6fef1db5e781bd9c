"""Search: videos matching a query by caption and hashtags, among those the account may be shown.

The query finds candidates in item space (`vectors.query`, as learning from a
search reads it); the same eligibility as the feed's (`rank.eligible`, seen
videos allowed) decides what may be shown; the words matched order them.
An unsafe search from a minor is answered with help instead (`context.withheld`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from safefeed.policy import help as help_lines
from safefeed.recommend import context as policy_context
from safefeed.recommend import rank, state, vectors


def help_for(query: str, context: policy_context.Context) -> tuple[help_lines.HelpLine, ...]:
    """Help resources to show with the results of a search about suicide, self-harm or eating disorders."""
    if policy_context.sensitive_search(query) and context.rules.content_notes:
        return help_lines.lines_for(context.account.region)
    return ()


def find(
    parts: rank.Parts, context: policy_context.Context, current: state.AccountState, query: str, n: int
) -> tuple[list[int], Mapping[str, int]]:
    """Up to n positions for the query, best match first, and what each protection took out."""
    items = parts.items
    terms = {term.lstrip("#").lower() for term in query.split() if term.strip("#")}
    _, found = parts.index.search(vectors.query(query)[None, :], min(max(10 * n, 200), len(items)))
    positions = np.asarray([p for p in found[0].tolist() if p >= 0], dtype=np.int64)
    verdict = rank.eligible(parts, positions, current, context, unseen_only=False)  # seen ones too
    positions = positions[verdict.keep]

    def lexical(position: int) -> int:
        words = set(items.hashtags[position]) | set(items.page.captions[position].lower().split())
        return len(terms & words)

    return sorted(positions.tolist(), key=lambda p: -lexical(p))[:n], verdict.counts  # stable: vector order breaks ties
