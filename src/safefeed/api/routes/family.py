"""Family Pairing: a guardian links with a one-time code the teen accepts, then sets time and content controls.

A guardian sees time summaries, never watch history or searches; the teen sees
everything any guardian set.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import fastapi
import pydantic

from safefeed import access
from safefeed.api import deps, schemas
from safefeed.wellbeing import family, schedule

router = fastapi.APIRouter(prefix="/family", tags=["family"])

Minutes = Annotated[int, pydantic.Field(ge=1, le=1440)]


class CodeIn(schemas.Strict):
    code: Annotated[str, pydantic.StringConstraints(min_length=1, max_length=32)]


class LimitIn(schemas.Strict):
    minutes: Minutes | None  # null withdraws the guardian's limit


class PasscodeIn(schemas.Strict):
    passcode: Annotated[str, pydantic.StringConstraints(min_length=4, max_length=64)]


class WindowIn(schemas.Strict):
    # ISO weekdays, as `date.isoweekday()`: 1 = Monday ... 7 = Sunday.
    days: Annotated[list[Annotated[int, pydantic.Field(ge=1, le=7)]], pydantic.Field(min_length=1, max_length=7)]
    start: dt.time
    end: dt.time


class TimeAwayIn(schemas.Strict):
    windows: Annotated[list[WindowIn], pydantic.Field(max_length=28)]


class ContentIn(schemas.Strict):
    keyword_filters: schemas.Words | None = None
    less_of: schemas.Words | None = None
    personalised: bool | None = None
    autoplay: bool | None = None
    streaks: bool | None = None


class ConsentIn(schemas.Strict):
    granted: bool  # false withdraws it


class MoreTimeIn(schemas.Strict):
    minutes: Annotated[int, pydantic.Field(ge=1, le=240)]


class DecisionIn(schemas.Strict):
    approve: bool


# -- the guardian's side ---------------------------------------------------------


@router.post("/codes", status_code=201)
def new_code(guardian_id: deps.GuardianId, safefeed: deps.ServiceDep) -> dict[str, str]:
    """A one-time code for the teen to enter; it expires in minutes."""
    return {"code": safefeed.family.new_code(guardian_id)}


@router.get("/teens")
def teens(guardian_id: deps.GuardianId, safefeed: deps.ServiceDep) -> list[str]:
    return safefeed.family.teens(guardian_id)


@router.get("/teens/{teen_id}/summary", response_model=family.Summary)
def summary(teen_id: str, guardian_id: deps.GuardianId, safefeed: deps.ServiceDep) -> family.Summary:
    """Time by day and the limit: never what the teen watched or searched."""
    return safefeed.family.summary(guardian_id, teen_id)


@router.put("/teens/{teen_id}/limit", status_code=204)
def set_limit(teen_id: str, body: LimitIn, guardian_id: deps.GuardianId, safefeed: deps.ServiceDep) -> None:
    safefeed.family.set_limit(guardian_id, teen_id, body.minutes)


@router.put("/teens/{teen_id}/passcode", status_code=204)
def set_passcode(teen_id: str, body: PasscodeIn, guardian_id: deps.GuardianId, safefeed: deps.ServiceDep) -> None:
    """The passcode the guardian shares when their limit is reached."""
    safefeed.family.set_passcode(guardian_id, teen_id, body.passcode)


@router.put("/teens/{teen_id}/time-away", status_code=204)
def set_time_away(teen_id: str, body: TimeAwayIn, guardian_id: deps.GuardianId, safefeed: deps.ServiceDep) -> None:
    """Recurring windows (days 1 = Monday ... 7 = Sunday, local time) when the teen's feed is unavailable."""
    windows = [schedule.Window(frozenset(window.days), window.start, window.end) for window in body.windows]
    safefeed.family.set_time_away(guardian_id, teen_id, windows)


@router.get("/teens/{teen_id}/content", response_model=family.Controls)
def content(teen_id: str, guardian_id: deps.GuardianId, safefeed: deps.ServiceDep) -> family.Controls:
    """What the teen's guardians set (the teen sees the same at GET /v1/family/controls)."""
    return safefeed.family.content(guardian_id, teen_id)


@router.patch("/teens/{teen_id}/content", response_model=family.Controls)
def tighten(teen_id: str, body: ContentIn, guardian_id: deps.GuardianId, safefeed: deps.ServiceDep) -> family.Controls:
    """Filters, 'less of', personalisation, autoplay and streaks: only ever tighter than the teen's own."""
    return safefeed.family.tighten(
        guardian_id,
        teen_id,
        keyword_filters=body.keyword_filters,
        less_of=body.less_of,
        personalised=body.personalised,
        autoplay=body.autoplay,
        streaks=body.streaks,
    )


@router.put("/teens/{teen_id}/feed-consent", response_model=family.Controls)
def set_feed_consent(
    teen_id: str, body: ConsentIn, guardian_id: deps.GuardianId, safefeed: deps.ServiceDep
) -> family.Controls:
    """Consent to the teen's For You feed (or withdraw it). Where the policy asks for it
    (`default_feed_without_consent`), a minor without it gets the chronological Following feed:
    New York's SAFE for Kids Act and California's SB 976 require a parent's consent first."""
    return safefeed.family.set_feed_consent(guardian_id, teen_id, body.granted)


@router.post("/requests/{request_id}/decision", response_model=family.TimeRequest)
def decide(
    request_id: Annotated[int, fastapi.Path(ge=1, le=2**63 - 1)],
    body: DecisionIn,
    guardian_id: deps.GuardianId,
    safefeed: deps.ServiceDep,
) -> family.TimeRequest:
    return safefeed.family.decide(guardian_id, request_id, body.approve)


@router.delete("/teens/{teen_id}", status_code=204)
def unlink_teen(teen_id: str, guardian_id: deps.GuardianId, safefeed: deps.ServiceDep) -> None:
    safefeed.family.unlink_teen(guardian_id, teen_id)


# -- the teen's side ------------------------------------------------------------------


@router.post("/pair", response_model=family.Controls)
def accept(body: CodeIn, account_id: deps.AccountId, safefeed: deps.ServiceDep) -> family.Controls:
    """Accept a guardian's code: from now on they may set your limits and content controls."""
    return safefeed.family.accept(account_id, body.code)


@router.get("/controls", response_model=family.Controls)
def controls(account_id: deps.AccountId, safefeed: deps.ServiceDep) -> family.Controls:
    """Everything your guardians set."""
    return safefeed.family.controls(account_id)


@router.delete("/guardians/{guardian_id}", status_code=204)
def unlink_guardian(guardian_id: str, account_id: deps.AccountId, safefeed: deps.ServiceDep) -> None:
    safefeed.family.unlink_guardian(account_id, guardian_id)


@router.post("/requests", status_code=201, response_model=family.TimeRequest)
def ask_for_time(body: MoreTimeIn, account_id: deps.AccountId, safefeed: deps.ServiceDep) -> family.TimeRequest:
    return safefeed.family.ask_for_time(account_id, body.minutes)


@router.get("/requests", response_model=list[family.TimeRequest])
def requests(caller: deps.Caller, safefeed: deps.ServiceDep) -> list[family.TimeRequest]:
    """A guardian sees their teens' requests; a teen sees their own."""
    if caller.role is access.Role.GUARDIAN:
        return safefeed.family.guardian_requests(caller.id)
    deps.require(caller, access.Role.ACCOUNT)
    return safefeed.family.teen_requests(caller.id)
