"""Sponsored slots: which ad goes into each, as the band's `ad_targeting` allows.

For minors an ad is chosen by the video just before its slot (contextual),
never from the account's profile (DSA Art. 28); "none" serves no ads.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from safefeed.policy import rules as policy_rules
from safefeed.recommend import index as vector_index
from safefeed.recommend import items as catalog_items
from safefeed.recommend import vectors

CODES = catalog_items.ENFORCEMENT_CODES


def choose(
    items: catalog_items.Items,
    index: vector_index.VectorIndex,
    rules: policy_rules.Band,
    page: Sequence[int],
    *,
    every: int,
    interest: npt.NDArray[np.float32],
    rng: np.random.Generator,
) -> list[int]:
    """One ad per sponsored slot of the organic `page` (a slot every `every` items; 0: no ads)."""
    targeting = rules.ad_targeting
    if every <= 0 or targeting is policy_rules.AdTargeting.NONE or not page:
        return []
    ads = np.flatnonzero(items.is_ad)
    allowed = (CODES[e] for e in rules.recommend_enforcement)
    ads = ads[catalog_items.among(items.enforcement[ads], allowed, len(CODES))]
    if len(ads) == 0:
        return []
    chosen: list[int] = []
    for number, slot in enumerate(range(every - 1, len(page), every)):
        neighbour = page[slot - 1 - number]  # the organic video just before the slot
        if targeting is policy_rules.AdTargeting.PROFILE and interest.any():
            fit = index.reconstruct(ads) @ vectors.normalise(interest)
        else:  # contextual: the ad's topic against the video it follows, nothing about the person
            fit = (items.topic[ads] == items.topic[neighbour]).astype(np.float32)
        best = ads[fit >= fit.max()]
        chosen.append(int(rng.choice(best)))
    return chosen
