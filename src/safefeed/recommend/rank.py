"""Ranking, the short story: sources -> eligibility -> score -> exposure -> re-rank.

Every step is a pure function over arrays of catalog positions; what ranking
reads that a request does not change (the catalog in memory, its vectors, the
bands' flags, the weights) travels as one `Parts` value. `score` is the one
scoring path: the page, its ads, a replayed page and "why" all go through it.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from safefeed import model
from safefeed.policy import rules as policy_rules
from safefeed.recommend import context as policy_context
from safefeed.recommend import cursor as cursors
from safefeed.recommend import eligibility, exposure, rerank, score, sensitivity, sources, state, vectors
from safefeed.recommend import index as vector_index
from safefeed.recommend import items as catalog_items

Positions = npt.NDArray[np.int64]
Vector = npt.NDArray[np.float32]
Scored = cursors.Scored  # relevance, similarity, topic affinity, followed
Tab = str  # "for_you", "stem", "support" or "following" (chronological: `following`, not ranked here)
TABS = ("for_you", "stem", "support", "following")
THEME_CODES = catalog_items.THEME_CODES
NOTHING_KNOWN = (np.zeros(0, np.int64), np.zeros(0, np.float32))


@dataclasses.dataclass(frozen=True, slots=True)
class Parts:
    """What every ranking reads and no request changes (moderation updates the arrays in place)."""

    items: catalog_items.Items
    index: vector_index.VectorIndex
    factors: Vector  # ALS item factors, one row per position
    gram: Vector  # factors' Gram matrix, for the fold-in
    flags: Mapping[model.AgeBand, sensitivity.BandFlags]
    bands: Mapping[model.AgeBand, policy_rules.Band]
    weights: score.Weights
    per_source: int  # candidates each filler source brings (following, trending, chosen, explore)
    interest_candidates: int  # the nearest neighbours carry most of the relevance: more of them


@dataclasses.dataclass(frozen=True, slots=True)
class Ranked:
    """A page's organic positions, the source that found each, how each scored, and what the protections did."""

    page: list[int]
    found_by: dict[int, str]
    scored: dict[int, Scored]
    counts: Counter[str]


def active(
    every: Sequence[sources.CandidateSource],
    tab: Tab,
    *,
    stem: sources.CandidateSource,
    support: sources.CandidateSource,
    personalised: bool,
) -> list[sources.CandidateSource]:
    """The sources a tab ranks from: without profiling (DSA Art. 38), what is popular and what the account chose."""
    if tab == "stem":
        return [stem]
    if tab == "support":
        return [support]
    if personalised:
        return list(every)
    return [source for source in every if source.name in ("trending", "chosen", "explore")]


def rank(
    parts: Parts,
    context: policy_context.Context,
    current: state.AccountState,
    active: Sequence[sources.CandidateSource],
    *,
    n: int,
    tab: Tab,
    rng: np.random.Generator,
) -> Ranked:
    """The page's positions, the source that found each candidate, and how each chosen one scored."""
    items = parts.items
    taste = account_factors(parts, current) if context.personalised else np.zeros(parts.factors.shape[1], np.float32)
    interest = interest_query(current, taste) if context.personalised else np.zeros(vectors.DIMENSIONS, np.float32)
    request = sources.Request(
        state=current,
        interest=interest,
        region=context.account.region,
        chosen_topics=context.account.settings.chosen_interests,
        rng=rng,
        personalised=context.personalised,
    )
    k = max(parts.per_source, 4 * n)
    found: list[Positions] = []
    known = NOTHING_KNOWN
    for source in active:
        if isinstance(source, sources.Interest):
            known = source.scored(request, max(k, parts.interest_candidates))
            found.append(known[0])
        else:
            found.append(source.candidates(request, k))
    candidates, origin = first_found(found)
    verdict = eligible(parts, candidates, current, context, hold_sensitive=tab != "support")
    counts: Counter[str] = Counter(verdict.counts)
    candidates, origin = candidates[verdict.keep], origin[verdict.keep]
    features, relevance = score_of(parts, context, current, candidates, taste=taste, interest=interest, known=known)
    order = np.argsort(-relevance, kind="stable")
    ranked, ranked_origin = candidates[order], origin[order]
    diversity = context.rules.diversity
    dispersion = context.rules.dispersion if tab != "support" else policy_rules.Dispersion()  # chosen: no caps
    window_caps = [c for c in (dispersion.all_mental_health, *dispersion.themes.values()) if c is not None]
    # Only the windows' reach of what was served matters: the caps and the diversity windows look no further.
    reach = max(
        [
            diversity.creator_window,
            diversity.topic_window,
            *(max(c.window, c.max_consecutive or 0) for c in window_caps),
        ]
    )
    served = list(itertools.islice(reversed(current.served), reach))[::-1]
    history = [items.position[i] for i in served if i in items.position]
    names = [source.name for source in active]
    exploring = ranked_origin == names.index("explore") if "explore" in names else np.zeros(len(ranked), np.bool_)
    weights = parts.weights
    plain = weights.popularity * features.popularity + weights.freshness * features.freshness
    mode = context.rules.sensitivity.exposure if tab == "for_you" else "ranked"
    if mode == "explore_slots" and "explore" in names:
        # Whatever the explore source drew, even if another source found it first: which ones those are
        # must not depend on what the account follows or likes.
        drawn = np.zeros(len(items), dtype=np.bool_)
        drawn[found[names.index("explore")]] = True
        exploring = drawn[ranked]
    split = exposure.split(
        ranked, exploring, sensitive=parts.flags[context.band].sensitive[ranked], plain_score=plain[order], mode=mode
    )
    counts["sensitive_unranked"] += split.held
    explore, ordinary = split.explore, split.ordinary
    ordered = rerank.diversify(
        ordinary,
        items.creator,
        items.topic,
        min(len(ordinary), 4 * n),
        history_creators=[int(items.creator[p]) for p in history[-10:]],
        history_topics=[int(items.topic[p]) for p in history[-10:]],
        creator_window=diversity.creator_window,
        topic_window=diversity.topic_window,
        topic_cap=diversity.topic_cap,
    )
    ordered = rerank.insert_slots(ordered + explore, explore, every=diversity.explore_every)
    page = rerank.disperse(ordered, caps(parts, context, dispersion, ordered + history), n, history=history)
    counts["dispersed"] += sum(1 for p in ordered[: len(page)] if p not in page)
    by_position = np.argsort(candidates, kind="stable")
    rows = by_position[np.searchsorted(candidates[by_position], np.asarray(page, dtype=np.int64))].tolist()
    found_by = {p: names[int(origin[row])] for p, row in zip(page, rows, strict=True)}
    scored = {p: scored_row(features, relevance, row) for p, row in zip(page, rows, strict=True)}
    return Ranked(page, found_by, scored, +counts)


def eligible(
    parts: Parts,
    candidates: Positions,
    current: state.AccountState,
    context: policy_context.Context,
    *,
    unseen_only: bool = True,
    hold_sensitive: bool = True,
) -> eligibility.Verdict:
    """Which candidates the account may be shown (`eligibility.eligible`), and what each protection took."""
    return eligibility.eligible(
        parts.items,
        candidates,
        current,
        rules=context.rules,
        bands=parts.bands,
        settings=context.account.settings,
        today=context.today,
        flags=parts.flags[context.band],
        unseen_only=unseen_only,
        hold_sensitive=hold_sensitive,
    )


def score_of(
    parts: Parts,
    context: policy_context.Context,
    current: state.AccountState,
    candidates: Positions,
    *,
    taste: Vector,
    interest: Vector,
    known: tuple[Positions, Vector] = NOTHING_KNOWN,
) -> tuple[score.Features, Vector]:
    """The one scoring path: each candidate's features and relevance for the account."""
    similar = similarity(parts, candidates, interest, known)
    features = features_of(parts, candidates, similar, taste, current, context)
    relevance = score.relevance(features, parts.weights)
    penalty = context.rules.sensitivity.rank_penalty
    if penalty:  # soft, by probability: the more evidence of mental health, the lower it ranks
        relevance = (relevance - penalty * parts.flags[context.band].evidence[candidates]).astype(np.float32)
    return features, relevance


def score_missing(
    parts: Parts,
    context: policy_context.Context,
    current: state.AccountState,
    positions: Sequence[int],
    scored: Mapping[int, Scored],
) -> dict[int, Scored]:
    """`scored` with the positions it lacks (ads, a page served before decisions were kept, "why") scored now."""
    unscored = [p for p in positions if p not in scored]
    if not unscored:
        return dict(scored)
    taste = account_factors(parts, current)
    at = np.asarray(unscored, dtype=np.int64)
    features, relevance = score_of(parts, context, current, at, taste=taste, interest=interest_query(current, taste))
    return dict(scored) | {p: scored_row(features, relevance, row) for row, p in enumerate(unscored)}


def scored_row(features: score.Features, relevance: Vector, row: int) -> Scored:
    return (
        float(relevance[row]),
        float(features.similarity[row]),
        float(features.topic[row]),
        bool(features.following[row]),
    )


def caps(
    parts: Parts, context: policy_context.Context, dispersion: policy_rules.Dispersion, positions: Sequence[int]
) -> list[rerank.WindowCap]:
    """The policy's dispersion caps, with flags looked up once for the positions in play: every likely
    sensitive video counts against the cap on all mental health, labelled or not."""
    items = parts.items
    array = np.asarray(positions, dtype=np.int64)
    found = []
    if dispersion.all_mental_health is not None:
        cap = dispersion.all_mental_health
        flagged = frozenset(array[parts.flags[context.band].sensitive[array]].tolist())
        found.append(rerank.WindowCap(cap.window, cap.max, cap.max_consecutive, flagged))
    for theme, cap in dispersion.themes.items():
        flagged = frozenset(array[items.theme[array] == THEME_CODES[theme]].tolist())
        found.append(rerank.WindowCap(cap.window, cap.max, cap.max_consecutive, flagged))
    return found


def similarity(
    parts: Parts, candidates: Positions, interest: Vector, known: tuple[Positions, Vector] = NOTHING_KNOWN
) -> Vector:
    """Each candidate's inner product with the interest vector: from the index's own search where it
    found the candidate (`known`), else from its stored vector."""
    similar = np.zeros(len(candidates), dtype=np.float32)
    if not len(candidates) or not interest.any():
        return similar
    positions, scores = known
    order = np.argsort(positions)
    at = np.minimum(np.searchsorted(positions[order], candidates), max(len(positions) - 1, 0))
    hit = positions[order][at] == candidates if len(positions) else np.zeros(len(candidates), np.bool_)
    similar[hit] = scores[order][at[hit]]
    if not hit.all():
        similar[~hit] = parts.index.reconstruct(candidates[~hit]) @ interest
    return similar


def features_of(
    parts: Parts,
    candidates: Positions,
    similar: Vector,
    taste: Vector,
    current: state.AccountState,
    context: policy_context.Context,
) -> score.Features:
    items = parts.items
    by_topic = np.zeros(len(items.topics), dtype=np.float32)  # one value per topic, then one lookup per item
    learned = current.topic_affinity if context.personalised else {}  # not profiled: nothing learned counts
    for topic, value in learned.items():
        if topic in items.topic_code:
            by_topic[items.topic_code[topic]] += value
    for topic in set(context.account.settings.less_of):
        if topic in items.topic_code:
            by_topic[items.topic_code[topic]] -= 4.0
    age_days = (items.newest - items.created_at[candidates]) / 86_400.0
    following = [items.creator_code[c] for c in current.following if c in items.creator_code]
    return score.Features(
        similarity=similar,
        topic=score.squash_affinity(by_topic[items.topic[candidates]]),
        popularity=items.popularity[candidates],
        freshness=np.power(0.5, age_days / 7.0).astype(np.float32),
        following=np.isin(items.creator[candidates], following).astype(np.float32),
        collaborative=(parts.factors[candidates] @ taste).astype(np.float32),
    )


def account_factors(parts: Parts, current: state.AccountState) -> Vector:
    """The account's ALS vector, folded in from its interactions (zeros if there are none)."""
    position = parts.items.position
    known = [(position[v], c) for v, c in current.interactions.items() if v in position]
    if not known or not parts.gram.any():
        return np.zeros(parts.factors.shape[1], dtype=np.float32)
    positions, confidences = zip(*known, strict=True)
    return score.fold_in(
        parts.factors[list(positions)],
        np.asarray(confidences, dtype=np.float32),
        parts.gram,
        regularization=vectors.REGULARIZATION,
    )


def interest_query(current: state.AccountState, taste: Vector) -> Vector:
    """The unit query for the interest source: recent content interests and, where known, ALS taste."""
    content = vectors.normalise(current.interest[: -vectors.FACTORS])
    unit_taste = vectors.normalise(taste)
    has = np.asarray([unit_taste.any()])
    return vectors.normalise(vectors.combine(content[None, :], unit_taste[None, :], has)[0])


def first_found(found: Sequence[Positions]) -> tuple[Positions, npt.NDArray[np.int64]]:
    """Each position once, in the order first found, with the index of the source that found it first.

    >>> [a.tolist() for a in first_found([np.array([5, 3]), np.array([3, 7])])]
    [[5, 3, 7], [0, 0, 1]]
    """
    if not found:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    every = np.concatenate(found).astype(np.int64)
    origin = np.repeat(np.arange(len(found), dtype=np.int64), [len(f) for f in found])
    _, first = np.unique(every, return_index=True)
    first.sort()
    return every[first], origin[first]
