"""What an account controls: its settings, 'not interested', interests, refresh, and why a video was shown."""

from __future__ import annotations

from typing import Any

import fastapi

from safefeed.api import clock, deps, schemas
from safefeed.services import controls as controls_service

router = fastapi.APIRouter(prefix="/me", tags=["controls"])


@router.get("/settings")
def get_settings(account_id: deps.AccountId, safefeed: deps.ServiceDep) -> dict[str, Any]:
    return schemas.settings_out(safefeed.controls.settings(account_id))


@router.patch("/settings")
def change_settings(
    request: fastapi.Request,
    body: schemas.SettingsIn,
    account_id: deps.AccountId,
    safefeed: deps.ServiceDep,
    now: clock.Now = None,
) -> dict[str, Any]:
    """Filters, chosen topics, 'less of', personalisation and the STEM tab; the next page follows them.

    `now` is checked as on every audited route; settings do not depend on the time."""
    clock.client_time(request, now)
    change = controls_service.SettingsChange(
        personalised=body.personalised,
        keyword_filters=None if body.keyword_filters is None else tuple(body.keyword_filters),
        chosen_interests=None if body.chosen_interests is None else tuple(body.chosen_interests),
        less_of=None if body.less_of is None else tuple(body.less_of),
        stem_feed=body.stem_feed,
    )
    return schemas.settings_out(safefeed.controls.change_settings(account_id, change))


@router.post("/not-interested", response_model=schemas.RecordedOut)
def not_interested(
    body: schemas.NotInterestedIn, account_id: deps.AccountId, safefeed: deps.ServiceDep
) -> schemas.RecordedOut:
    """Never show this video, creator, hashtag or topic again; takes effect on the next page."""
    recorded = safefeed.controls.not_interested(
        account_id, video_id=body.video_id, creator_id=body.creator_id, hashtag=body.hashtag, topic=body.topic
    )
    return schemas.RecordedOut(recorded=recorded)


@router.post("/refresh", status_code=204)
def refresh(
    request: fastapi.Request, account_id: deps.AccountId, safefeed: deps.ServiceDep, now: clock.Now = None
) -> None:
    """Start the feed afresh: everything learned about you is forgotten, permanently.

    `now` is checked as on every audited route; a refresh does not depend on the time."""
    clock.client_time(request, now)
    safefeed.controls.refresh(account_id)


@router.get("")
def what_we_know(account_id: deps.AccountId, safefeed: deps.ServiceDep) -> dict[str, Any]:
    """What SafeFeed has inferred about you, in terms you can read and edit."""
    return safefeed.controls.profile(account_id)


@router.delete("/interests/{topic}", status_code=204)
def forget_interest(
    request: fastapi.Request, topic: str, account_id: deps.AccountId, safefeed: deps.ServiceDep, now: clock.Now = None
) -> None:
    """Remove one inferred interest, permanently. `now` is checked as on every audited route; this does not
    depend on the time."""
    clock.client_time(request, now)
    safefeed.controls.forget_interest(account_id, topic)


@router.get("/export")
def export(account_id: deps.AccountId, safefeed: deps.ServiceDep) -> dict[str, Any]:
    """Everything held about you, as JSON."""
    return safefeed.controls.export(account_id)


@router.delete("", status_code=204)
def delete(account_id: deps.AccountId, safefeed: deps.ServiceDep) -> None:
    """Delete your account, your events, everything learned from them and your logins. This cannot be undone."""
    safefeed.controls.delete(account_id)


@router.get("/why/{video_id}")
def why(
    request: fastapi.Request,
    video_id: str,
    account_id: deps.AccountId,
    safefeed: deps.ServiceDep,
    now: clock.Now = None,
) -> dict[str, Any]:
    """Why this video is in your feed, from the same signals the ranking used."""
    moment = safefeed.now(clock.client_time(request, now))
    return {"video_id": video_id, "why": list(safefeed.controls.why(account_id, video_id, now=moment)), "at": moment}
