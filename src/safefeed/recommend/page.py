"""A page: ranked positions made into feed items with their reasons, content notes and help resources.

A page is assembled from a `Plan` (its ids and the ranking's decisions on
them), whether the ranking just made it or a retried cursor recalls it
(`replay`), so a retry is the page first served, sources and sponsored marks
included.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence

from safefeed import model
from safefeed.policy import help as help_lines
from safefeed.recommend import accounts, explain, sensitivity
from safefeed.recommend import context as policy_context
from safefeed.recommend import cursor as cursors
from safefeed.recommend import items as catalog_items
from safefeed.store import repository

Scored = cursors.Scored
VIDEO_CACHE_SIZE = 50_000
CONTENT_NOTE = "This video talks about mental health. You are not alone: help is a tap away."
VERIFIED_NOTE = "From a verified health professional"
HELP_THEME_CODES = frozenset(catalog_items.THEME_CODES[theme] for theme in help_lines.HELP_THEMES)
UNSCORED: Scored = (0.0, 0.0, 0.0, False)


@dataclasses.dataclass(frozen=True, slots=True)
class Plan:
    """What a page is assembled from: the cursor it answers, its ids in order, the next cursor, and the
    ranking's decisions (the source that found each position, how it scored, which are ads)."""

    cursor: str
    ids: tuple[str, ...]
    next_cursor: str
    found_by: Mapping[int, str]
    scored: Mapping[int, Scored]
    ads: frozenset[int]


class Videos:
    """Full videos for pages, from the catalog in memory (no trip to the store), through an LRU cache."""

    def __init__(self, items: catalog_items.Items, seed: Iterable[model.Video] = ()) -> None:
        self.items = items
        self.cache: OrderedDict[str, model.Video] = OrderedDict(
            (video.id, video) for video in itertools.islice(seed, VIDEO_CACHE_SIZE)
        )

    def get(self, ids: Sequence[str]) -> dict[str, model.Video]:
        cache = self.cache
        found = {}
        for video_id in ids:
            video = cache.get(video_id)
            if video is None:
                video = self.items.video(self.items.position[video_id])
            else:
                cache.move_to_end(video_id)  # least recently used goes first
            found[video_id] = cache[video_id] = video
        while len(cache) > VIDEO_CACHE_SIZE:
            cache.popitem(last=False)
        return found

    def forget(self, video_id: str) -> None:
        """Changed (moderated): built again from the catalog next time."""
        self.cache.pop(video_id, None)


def assemble(
    items: catalog_items.Items,
    flags: sensitivity.BandFlags,
    videos: Videos,
    context: policy_context.Context,
    plan: Plan,
    scored: Mapping[int, Scored],
    *,
    tab: str = "for_you",
) -> model.Page:
    """The page a plan stands for; `scored`: every position of the page scored (the plan's, and the rest)."""
    found = videos.get(plan.ids)
    positions = [items.position[i] for i in plan.ids]
    page_items = []
    for video_id, position in zip(plan.ids, positions, strict=True):
        relevance_of, similarity, topic_affinity, followed = scored[position]
        sponsored = position in plan.ads
        source = "sponsored" if sponsored else plan.found_by.get(position, "interest")
        page_items.append(
            model.FeedItem(
                video=found[video_id],
                score=relevance_of,
                source=source,
                reasons=explain.reasons(
                    source=source,
                    topic=items.topic_of(position),
                    region=context.account.region,
                    similarity=similarity,
                    topic_affinity=topic_affinity,
                    followed=followed,
                    personalised=context.personalised,
                    targeting=context.rules.ad_targeting.value,
                ),
                notes=notes(items, flags, context, position),
                sponsored=sponsored,
            )
        )
    needs_help = context.rules.content_notes and any(int(items.theme[p]) in HELP_THEME_CODES for p in positions)
    return model.Page(
        context.account.id,
        tuple(page_items),
        plan.cursor,
        plan.next_cursor,
        help=help_lines.lines_for(context.account.region) if needs_help else (),
        personalised=context.personalised,
        tab=tab,
    )


def notes(
    items: catalog_items.Items, flags: sensitivity.BandFlags, context: policy_context.Context, position: int
) -> tuple[str, ...]:
    """The content notes an item carries for this account (none where the band shows none)."""
    if not context.rules.content_notes or not flags.sensitive[position]:
        return ()
    found = [CONTENT_NOTE]
    supportive = catalog_items.HARM_CODES[model.Harm.SUPPORTIVE]
    if items.verified[position] and int(items.harm[position]) == supportive:
        found.append(VERIFIED_NOTE)
    return tuple(found)


def decided(
    items: catalog_items.Items,
    chosen: Sequence[int],
    found_by: Mapping[int, str],
    scored: Mapping[int, Scored],
    ads: frozenset[int],
) -> tuple[cursors.Decided, ...]:
    """The ranking decisions of a new page, as `assemble` reads them (ads are scored when the page is made)."""
    found = []
    for p in chosen:
        sponsored = p in ads
        source = "sponsored" if sponsored else found_by.get(p, "interest")
        found.append(cursors.Decided(items.ids[p], source, sponsored, scored.get(p, UNSCORED)))
    return tuple(found)


def replay(
    store: repository.Store,
    items: catalog_items.Items,
    account_id: str,
    cursor: str,
    last_page: cursors.Served | None,
    position: accounts.LogPosition,
    *,
    n: int,
) -> Plan | None:
    """The plan of the page already served for this cursor, as it was served (None: not served yet).

    `last_page`: the account state's newest page; `position`: how far the state has read the log.
    """
    after = cursors.decode(account_id, cursor)
    fresh = after is None or after >= position.impression or after < (position.snapshot or 0)
    served = last_page
    if served is None or served.cursor != cursor:
        served = None if fresh else cursors.recall(store, account_id, cursor)
    if served is not None:
        known = [item for item in served.items if item.video_id in items.position]
        at = [items.position[item.video_id] for item in known]
        found_by = {p: item.source for p, item in zip(at, known, strict=True)}
        scored = {p: item.scored for p, item in zip(at, known, strict=True)}
        ads = frozenset(p for p, item in zip(at, known, strict=True) if item.sponsored)
        return Plan(cursor, tuple(item.video_id for item in known), served.next_cursor, found_by, scored, ads)
    if fresh:
        return None
    assert after is not None
    logged = served_after(store, account_id, after, n)
    if logged is None:
        return None
    # Served before its decisions were kept: the ids, scored again.
    ids, next_cursor = logged
    return Plan(cursor, ids, next_cursor, {}, {}, frozenset())


def served_after(store: repository.Store, account_id: str, after: int, n: int) -> tuple[tuple[str, ...], str] | None:
    """The page already served after a log position, from the impressions logged after it (None: none yet).

    A page's impressions are logged together, at one moment, under the
    account's lock; the first ones after the cursor with the moment of the
    first are that page (a page cut short by an exhausted catalog and a
    next one logged at the very same moment would run together).
    """
    logged = store.impressions_after(account_id, after, n)
    if not logged:
        return None
    moment = logged[0][1].at
    page = list(itertools.takewhile(lambda logged_one: logged_one[1].at == moment, logged))
    ids = tuple(event.video_id for _, event in page if event.video_id is not None)
    return ids, cursors.encode(account_id, page[-1][0])
