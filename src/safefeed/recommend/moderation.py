"""Moderation in memory: a stored decision takes effect on the next page, and the review queue's order.

The catalog's arrays, the sensitivity evidence, every band's flags and the
support source's list are updated in place for the one video decided on.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from safefeed import model
from safefeed.policy import rules as policy_rules
from safefeed.recommend import items as catalog_items
from safefeed.recommend import rank, sensitivity, sources
from safefeed.store import reach as minor_reach
from safefeed.store import repository


def apply(
    parts: rank.Parts,
    evidence: sensitivity.Evidence,
    support: sources.Support,
    position: int,
    *,
    enforcement: model.Enforcement | None,
    label: model.Label | None,
) -> None:
    """Take a moderation decision into the arrays ranking reads (`label`: already one the platform may read)."""
    items, flags = parts.items, parts.flags
    if enforcement is not None:
        items.enforcement[position] = catalog_items.ENFORCEMENT_CODES[enforcement]
    if label is None:
        return
    items.mh[position] = label.mh_related
    theme = catalog_items.NO_THEME if label.theme is None else catalog_items.THEME_CODES[label.theme]
    items.theme[position] = theme
    items.harm[position] = catalog_items.HARM_CODES[label.harm]
    page = items.page  # what pages show of the label, built from memory too
    page.labelled[position] = True
    page.probability[position] = label.probability
    page.label_source[position] = catalog_items.SOURCE_CODES[label.source]
    evidence.relabel(items, position)
    for band, rules in parts.bands.items():
        sensitivity.reflag(flags[band], evidence, rules.sensitivity, position)
    support.supportive[position] = sensitivity.supportive(items, evidence)[position]


def review_priority(
    store: repository.Store,
    parts: rank.Parts,
    evidence: sensitivity.Evidence,
    youngest: policy_rules.Sensitivity,
    limit: int,
    since: dt.datetime | None,
    today: dt.date,
) -> list[tuple[str, float]]:
    """The videos the review queue should take first (`sensitivity.review_priority`), with what minors
    were shown since `since` (None: popularity alone). Returns (video id, priority), highest first."""
    items = parts.items
    reach = None
    if since is not None:
        reach = np.zeros(len(items), dtype=np.float64)
        for video_id, count in minor_reach.minor_impressions(store, since=since, today=today).items():
            at = items.position.get(video_id)
            if at is not None:
                reach[at] = count
    return sensitivity.review_priority(items, evidence, youngest, minor_impressions=reach, limit=limit)
