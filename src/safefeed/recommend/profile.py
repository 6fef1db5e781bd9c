"""What the feed has learned about an account, in words a person can read, edit and question.

`describe` is the profile page; `forget_topic` is the account removing one
inferred interest; `why` says why a video is (or would be) in the feed, from
the same scores the ranking reads (`rank.score_missing`).
"""

from __future__ import annotations

import dataclasses

from safefeed import model
from safefeed.recommend import context as policy_context
from safefeed.recommend import explain, page, rank, state, vectors
from safefeed.recommend import index as vector_index
from safefeed.recommend import items as catalog_items


def describe(account: model.Account, context: policy_context.Context, current: state.AccountState) -> dict[str, object]:
    """What SafeFeed has inferred about the account, in terms a person can read and edit."""
    interests = sorted(current.topic_affinity.items(), key=lambda item: -item[1])
    return {
        "account": dataclasses.asdict(account),
        "age_band": context.band.value,
        "personalised": context.personalised,
        "privacy": context.rules.privacy.model_dump(),
        "privacy_locked": context.rules.privacy_locked,
        "inferred_interests": [{"topic": t, "strength": round(a, 3)} for t, a in interests if a > 0][:15],
        "less_interested_in": [t for t, a in interests if a < 0],
        "following": sorted(current.following),
        "not_interested": {
            "videos": sorted(current.blocked_videos),
            "creators": sorted(current.blocked_creators),
            "hashtags": sorted(current.blocked_hashtags),
            "topics": sorted(current.blocked_topics),
        },
        "events_learned_from": current.events,
        "videos_seen_recently": len(current.seen),
        "pages_served": current.pages,
    }


def forget_topic(
    items: catalog_items.Items, index: vector_index.VectorIndex, current: state.AccountState, topic: str
) -> state.AccountState:
    """Remove one inferred interest from the state, in place (and return it): its affinity, its direction in
    the interest vector, and the interactions with its videos that the collaborative taste is folded in from."""
    current.topic_affinity.pop(topic, None)
    code = items.topic_code.get(topic)
    if code is not None and len(items.by_topic[code]):
        centre = vectors.normalise(index.reconstruct(items.by_topic[code][:200]).mean(axis=0))
        along = float(current.interest @ centre)
        if along > 0:
            current.interest -= along * centre
        in_topic = [v for v in current.interactions if items.topic[items.position[v]] == code]
        for video_id in in_topic:
            del current.interactions[video_id]
    return current


def why(
    parts: rank.Parts, context: policy_context.Context, current: state.AccountState, position: int
) -> tuple[str, ...]:
    """Why this video is (or would be) in the account's feed: the signals the ranking reads, in words."""
    scored = rank.score_missing(parts, context, current, [position], {})
    _relevance, similar, affinity, followed = scored[position]
    topic = parts.items.topic_of(position)
    if followed:
        source = "following"
    elif topic in context.account.settings.chosen_interests:
        source = "chosen"
    elif context.personalised and similar > 0.5:
        source = "interest"
    else:
        source = "trending"
    return explain.reasons(
        source=source,
        topic=topic,
        region=context.account.region,
        similarity=similar,
        topic_affinity=affinity,
        followed=followed,
        personalised=context.personalised,
    ) + page.notes(parts.items, parts.flags[context.band], context, position)
