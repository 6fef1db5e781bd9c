"""The For You feed, search and events."""

from __future__ import annotations

from typing import Annotated, Literal

import fastapi

from safefeed import access, model
from safefeed.api import clock, deps, schemas

router = fastapi.APIRouter(tags=["feed"])


@router.get("/feed", response_model=schemas.PageOut)
async def get_feed(
    request: fastapi.Request,
    account_id: deps.AccountId,
    safefeed: deps.ServiceDep,
    n: Annotated[int, fastapi.Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, fastapi.Query(max_length=200)] = None,
    tab: Annotated[
        Literal["for_you", "stem", "following"],
        fastapi.Query(
            description="following: videos of creators you follow, newest first, nothing ranked. A minor without "
            "a guardian's consent, where the policy asks for it, gets following for for_you (the page's tab and "
            "tab_reason say so)."
        ),
    ] = "for_you",
    now: clock.Now = None,
) -> schemas.PageOut:
    """The next page; pass the previous `next_cursor` to scroll on (the same cursor twice gives the same page).

    The page's `tab` is the tab served; `next_cursor` is null when a Following tab has no more."""
    # On the event loop, not in the thread pool: a page is a few ms of CPU under the engine's lock, and
    # threads taking turns at the GIL served 40% fewer pages than this (bench/http_load.py).
    moment = safefeed.now(clock.client_time(request, now))
    answer = safefeed.feed.page(account_id, n=n, cursor=cursor, tab=tab, now=moment)
    return schemas.page_out(answer.page, answer.prompt, cursor, moment)


@router.get("/visitor/feed", response_model=schemas.PageOut, dependencies=[deps.Visitor])
async def get_visitor_feed(
    request: fastapi.Request,
    safefeed: deps.ServiceDep,
    n: Annotated[int, fastapi.Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, fastapi.Query(max_length=200)] = None,
    region: Annotated[
        str, fastapi.Query(pattern="^([A-Za-z]{2})?$", description="ISO country code: picks local help lines")
    ] = "",
    now: clock.Now = None,
) -> schemas.PageOut:
    """The feed for someone not logged in: the youngest age band's, not personalised, nothing stored.

    No token. Pass the previous `next_cursor` to scroll on; the cursor is all the paging there is.
    """
    moment = safefeed.now(clock.client_time(request, now))
    page = safefeed.feed.visitor_page(n=n, cursor=cursor, region=region.upper(), now=moment)
    return schemas.page_out(page, None, cursor, moment)


@router.get("/search", response_model=schemas.SearchOut)
def search(
    request: fastapi.Request,
    account_id: deps.AccountId,
    safefeed: deps.ServiceDep,
    q: Annotated[str, fastapi.Query(min_length=1, max_length=500)],
    n: Annotated[int, fastapi.Query(ge=1, le=100)] = 20,
    now: clock.Now = None,
) -> schemas.SearchOut:
    """Captions and hashtags; a search also feeds your interests."""
    answer = safefeed.feed.search(account_id, q, n=n, now=clock.client_time(request, now))
    return schemas.search_out(answer.result, answer.prompt)


@router.get("/search/suggestions", response_model=schemas.SuggestionsOut)
async def search_suggestions(
    request: fastapi.Request,
    account_id: deps.AccountId,
    safefeed: deps.ServiceDep,
    q: Annotated[str, fastapi.Query(min_length=1, max_length=100)],
    n: Annotated[int, fastapi.Query(ge=1, le=20)] = 8,
    now: clock.Now = None,
) -> schemas.SuggestionsOut:
    """Completions for the search box from the hashtags and topics you may be shown; typing is not logged."""
    found = safefeed.feed.suggestions(account_id, q, n=n, now=clock.client_time(request, now))
    return schemas.SuggestionsOut(suggestions=list(found))


@router.post("/events", response_model=schemas.RecordedOut)
def post_events(
    request: fastapi.Request,
    account_id: deps.AccountId,
    safefeed: deps.ServiceDep,
    body: Annotated[list[schemas.EventIn], fastapi.Body(max_length=1000)],
    now: clock.Now = None,
) -> schemas.RecordedOut:
    """A batch of your events; when this answers they are on disk and the next page reflects them."""
    moment = clock.client_time(request, now)
    events = []
    for number, event in enumerate(body):
        if event.account_id is not None and event.account_id != account_id:
            raise access.Forbidden(f"event {number} names account {event.account_id!r}: you may only send yours")
        fields = event.model_dump(exclude={"account_id", "at", "kind"})
        if fields.get("hashtag"):
            fields["hashtag"] = fields["hashtag"].lstrip("#")
        try:
            events.append(model.Event(account_id, event.kind, event.at or safefeed.now(moment), **fields))
        except model.InvalidValue as bad:
            raise model.InvalidValue(f"event {number}: {bad}") from None
    return schemas.RecordedOut(recorded=safefeed.feed.record(events, now=moment))
