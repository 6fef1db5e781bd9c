"""Eligibility: which candidates an account may be shown at all, before anything is scored.

A pure function over arrays: enforcement level and harm by age band, what
the labels leave in doubt (likely harmful, not yet labelled), creators'
privacy by their own age band, the account's blocks, filters and seen set.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from safefeed import model
from safefeed.policy import rules as policy_rules
from safefeed.recommend import items as catalog_items
from safefeed.recommend import sensitivity
from safefeed.recommend import state as account_state

Positions = npt.NDArray[np.int64]
Flags = npt.NDArray[np.bool_]
CODES = catalog_items.ENFORCEMENT_CODES
HARM = catalog_items.HARM_CODES
BAND_ORDER = (model.AgeBand.U16, model.AgeBand.U18, model.AgeBand.ADULT)


@dataclasses.dataclass(frozen=True, slots=True)
class Verdict:
    """Which candidates may be shown, and how many each protection took out (for the transparency report)."""

    keep: Flags
    counts: Mapping[str, int]


def eligible(
    items: catalog_items.Items,
    candidates: Positions,
    current: account_state.AccountState,
    *,
    rules: policy_rules.Band,
    bands: Mapping[model.AgeBand, policy_rules.Band],
    settings: model.AccountSettings,
    today: dt.date,
    flags: sensitivity.BandFlags,
    unseen_only: bool = True,
    hold_sensitive: bool = True,
) -> Verdict:
    """Which candidates the account may be shown; `unseen_only` False: whether seen or not (search);
    `hold_sensitive` False: the support tab, a deliberate choice, where the band's hold does not apply."""
    counts: dict[str, int] = {}
    harm_ok = catalog_items.among(items.harm[candidates], (HARM[h] for h in rules.recommend_harm), len(HARM))
    enforcement_ok = catalog_items.among(
        items.enforcement[candidates], (CODES[e] for e in rules.recommend_enforcement), len(CODES)
    )
    counts["age_gated"] = int((~(harm_ok & enforcement_ok)).sum())
    keep = harm_ok & enforcement_ok & ~items.is_ad[candidates]
    if model.Harm.POTENTIALLY_HARMFUL not in rules.recommend_harm:
        # "Indicated potentially" harmful: held back on the evidence, before any final judgement.
        likely_harmful = flags.harmful[candidates] & keep
        counts["likely_harmful_held"] = int(likely_harmful.sum())
        keep &= ~likely_harmful
    if hold_sensitive and rules.sensitivity.hold_threshold is not None:
        # Likely sensitive for this band: not in any slot of the feed, explore included.
        held = flags.held[candidates] & keep
        counts["sensitive_held"] = int(held.sum())
        keep &= ~held
    if rules.sensitivity.hold_unclassified:
        waiting = flags.unclassified[candidates] & keep
        counts["unclassified_held"] = int(waiting.sum())
        keep &= ~waiting
    creators = items.creator[candidates]
    following = [items.creator_code[c] for c in current.following if c in items.creator_code]
    blocked_creators = [items.creator_code[c] for c in current.blocked_creators if c in items.creator_code]
    blocked_topics = [items.topic_code[t] for t in current.blocked_topics if t in items.topic_code]
    if blocked_creators:
        keep &= ~np.isin(creators, blocked_creators)
    if blocked_topics:
        keep &= ~catalog_items.among(items.topic[candidates], blocked_topics, len(items.topics))
    public = shown_to_strangers(items.creator_birth_year[candidates], today, bands)
    keep &= (public | np.isin(creators, following)) if following else public
    if unseen_only:
        keep &= ~current.seen.contains(items.id_hash[candidates])
    if current.blocked_videos:
        blocked_positions = [items.position[v] for v in current.blocked_videos if v in items.position]
        keep &= ~np.isin(candidates, blocked_positions)
    if current.blocked_hashtags:
        blocked = current.blocked_hashtags
        keep &= np.asarray([blocked.isdisjoint(items.hashtags[p]) for p in candidates.tolist()], np.bool_)
    words = {word.lower().lstrip("#") for word in settings.keyword_filters}
    if words:
        mentions = np.asarray([mentions_any(words, items, p) for p in candidates.tolist()], dtype=np.bool_)
        counts["keyword_filtered"] = int((keep & mentions).sum())
        keep &= ~mentions
    return Verdict(np.asarray(keep, dtype=np.bool_), counts)


def shown_to_strangers(
    birth_year: npt.NDArray[np.int32], today: dt.date, bands: Mapping[model.AgeBand, policy_rules.Band]
) -> Flags:
    """Whether each creator's own age band lets their videos be recommended to people who do not follow them
    (`privacy.recommend_to_strangers`). Ages are counted as `model.Account.age_band` counts them (the
    younger of the two possible ages); a creator of unknown age is not held back.

    >>> policy = policy_rules.built_in("default").bands
    >>> shown_to_strangers(np.array([0, 1990, 2010, 2011, 2008]), dt.date(2026, 6, 1), policy).tolist()
    [True, True, False, False, True]
    """
    allowed = np.asarray([bands[band].privacy.recommend_to_strangers for band in BAND_ORDER], dtype=np.bool_)
    age = today.year - birth_year.astype(np.int64) - 1
    band = np.where(age < 16, 0, np.where(age < 18, 1, 2))
    return np.asarray((birth_year == 0) | allowed[band], dtype=np.bool_)


def mentions_any(words: set[str], items: catalog_items.Items, position: int) -> bool:
    """Whether a filtered word is one of the video's hashtags or caption words."""
    if not words.isdisjoint(items.hashtags[position]):
        return True
    caption = {token.strip(".,!?:;\"'()").lstrip("#") for token in items.page.captions[position].lower().split()}
    return not words.isdisjoint(caption)
