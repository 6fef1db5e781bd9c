"""Time well spent, for the account itself: screen time, its own limit, passcode, prompts, notifications.

Every route here that an audit drives takes `?now=` (see `api.clock`): on a
server started for audits the simulated clock, elsewhere ignored.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import fastapi
import pydantic

from safefeed import access
from safefeed.api import clock, deps, schemas
from safefeed.wellbeing import notifications, prompts, screen_time
from safefeed.wellbeing import service as wellbeing_service

router = fastapi.APIRouter(prefix="/wellbeing", tags=["wellbeing"])

Minutes = Annotated[int, pydantic.Field(ge=1, le=1440)]
Passcode = Annotated[str, pydantic.StringConstraints(min_length=4, max_length=64)]


class LimitIn(schemas.Strict):
    minutes: Minutes | None  # null: no daily limit of my own


class PasscodeIn(schemas.Strict):
    passcode: Passcode


class QuietHoursIn(schemas.Strict):
    start: dt.time
    end: dt.time


class FeaturesIn(schemas.Strict):
    autoplay: bool | None = None
    streaks: bool | None = None


@router.get("/screen-time", response_model=screen_time.Dashboard)
def dashboard(
    request: fastapi.Request,
    account_id: deps.AccountId,
    safefeed: deps.ServiceDep,
    days: Annotated[int, fastapi.Query(ge=1, le=366)] = 7,
    now: clock.Now = None,
) -> screen_time.Dashboard:
    """Minutes by local day and by local hour."""
    return safefeed.wellbeing.dashboard(account_id, days=days, now=clock.client_time(request, now))


@router.get("/features", response_model=wellbeing_service.Features)
def features(
    request: fastapi.Request, account_id: deps.AccountId, safefeed: deps.ServiceDep, now: clock.Now = None
) -> wellbeing_service.Features:
    """What applies now: the daily limit and who set it, session prompts, quiet hours, autoplay, streaks."""
    return safefeed.wellbeing.features(account_id, now=clock.client_time(request, now))


@router.patch("/features", status_code=204)
def set_features(body: FeaturesIn, account_id: deps.AccountId, safefeed: deps.ServiceDep) -> None:
    safefeed.wellbeing.set_features(account_id, autoplay=body.autoplay, streaks=body.streaks)


@router.put("/limit", status_code=204)
def set_limit(
    request: fastapi.Request,
    body: LimitIn,
    account_id: deps.AccountId,
    safefeed: deps.ServiceDep,
    now: clock.Now = None,
) -> None:
    """Your own daily limit; refused when a guardian set one."""
    safefeed.wellbeing.set_limit(account_id, body.minutes, now=clock.client_time(request, now))


@router.put("/session-prompt", status_code=204)
def set_session_prompt(
    request: fastapi.Request,
    body: LimitIn,
    account_id: deps.AccountId,
    safefeed: deps.ServiceDep,
    now: clock.Now = None,
) -> None:
    """How often "keep going?" asks, in minutes; null turns it off.

    `now` is checked as on every audited route; this setting does not depend on the time."""
    clock.client_time(request, now)
    safefeed.wellbeing.set_session_prompt(account_id, body.minutes)


@router.put("/quiet-hours", status_code=204)
def set_quiet_hours(
    request: fastapi.Request,
    body: QuietHoursIn | None,
    account_id: deps.AccountId,
    safefeed: deps.ServiceDep,
    now: clock.Now = None,
) -> None:
    """Move your quiet hours (never shorter than the policy's); null returns to the default."""
    window: notifications.QuietHours | None = None if body is None else (body.start, body.end)
    safefeed.wellbeing.set_quiet_hours(account_id, window, now=clock.client_time(request, now))


@router.put("/passcode", status_code=204)
def set_passcode(
    request: fastapi.Request,
    body: PasscodeIn,
    account_id: deps.AccountId,
    safefeed: deps.ServiceDep,
    now: clock.Now = None,
) -> None:
    """The passcode that extends your own limit (stored hashed)."""
    safefeed.wellbeing.set_passcode(account_id, body.passcode, now=clock.client_time(request, now))


@router.post("/unlock")
def unlock(
    request: fastapi.Request,
    body: PasscodeIn,
    account_id: deps.AccountId,
    safefeed: deps.ServiceDep,
    now: clock.Now = None,
) -> dict[str, float]:
    """Past the limit: the passcode grants a set extension; wrong ones are counted and paused."""
    granted = safefeed.wellbeing.unlock(account_id, body.passcode, now=clock.client_time(request, now))
    return {"extension_minutes": granted.total_seconds() / 60}


@router.post("/prompts/{kind}/acknowledge", status_code=204)
def acknowledge(
    request: fastapi.Request,
    kind: prompts.PromptKind,
    account_id: deps.AccountId,
    safefeed: deps.ServiceDep,
    now: clock.Now = None,
) -> None:
    """ "Keep going", the first wind-down screen, or "not now" to setting a limit."""
    safefeed.wellbeing.acknowledge(account_id, kind, now=clock.client_time(request, now))


@router.post("/wind-down/confirm", status_code=204)
def confirm_wind_down(
    request: fastapi.Request, account_id: deps.AccountId, safefeed: deps.ServiceDep, now: clock.Now = None
) -> None:
    """The deliberate second answer at night; refused before its delay has passed."""
    safefeed.wellbeing.confirm_wind_down(account_id, now=clock.client_time(request, now))


@router.get("/notifications", response_model=list[notifications.Notification])
def inbox(
    request: fastapi.Request, caller: deps.Caller, safefeed: deps.ServiceDep, now: clock.Now = None
) -> list[notifications.Notification]:
    """Delivered notifications, newest first (quiet hours hold a minor's until morning)."""
    moment = clock.client_time(request, now)
    if caller.role is access.Role.GUARDIAN:
        return safefeed.wellbeing.guardian_notifications(caller.id, now=moment)
    deps.require(caller, access.Role.ACCOUNT)
    return safefeed.wellbeing.notifications(caller.id, now=moment)
