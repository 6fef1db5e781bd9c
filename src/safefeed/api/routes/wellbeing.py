"""Time well spent, for the account itself: screen time, its own limit, passcode, prompts, notifications."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import fastapi
import pydantic

from safefeed import access
from safefeed.api import deps, schemas
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
    account_id: deps.AccountId, safefeed: deps.ServiceDep, days: Annotated[int, fastapi.Query(ge=1, le=366)] = 7
) -> screen_time.Dashboard:
    """Minutes by local day and by local hour."""
    return safefeed.wellbeing.dashboard(account_id, days=days)


@router.get("/features", response_model=wellbeing_service.Features)
def features(account_id: deps.AccountId, safefeed: deps.ServiceDep) -> wellbeing_service.Features:
    """What applies now: the daily limit and who set it, session prompts, quiet hours, autoplay, streaks."""
    return safefeed.wellbeing.features(account_id)


@router.patch("/features", status_code=204)
def set_features(body: FeaturesIn, account_id: deps.AccountId, safefeed: deps.ServiceDep) -> None:
    safefeed.wellbeing.set_features(account_id, autoplay=body.autoplay, streaks=body.streaks)


@router.put("/limit", status_code=204)
def set_limit(body: LimitIn, account_id: deps.AccountId, safefeed: deps.ServiceDep) -> None:
    """Your own daily limit; refused when a guardian set one."""
    safefeed.wellbeing.set_limit(account_id, body.minutes)


@router.put("/session-prompt", status_code=204)
def set_session_prompt(body: LimitIn, account_id: deps.AccountId, safefeed: deps.ServiceDep) -> None:
    """How often "keep going?" asks, in minutes; null turns it off."""
    safefeed.wellbeing.set_session_prompt(account_id, body.minutes)


@router.put("/quiet-hours", status_code=204)
def set_quiet_hours(body: QuietHoursIn | None, account_id: deps.AccountId, safefeed: deps.ServiceDep) -> None:
    """Move your quiet hours (never shorter than the policy's); null returns to the default."""
    window: notifications.QuietHours | None = None if body is None else (body.start, body.end)
    safefeed.wellbeing.set_quiet_hours(account_id, window)


@router.put("/passcode", status_code=204)
def set_passcode(body: PasscodeIn, account_id: deps.AccountId, safefeed: deps.ServiceDep) -> None:
    """The passcode that extends your own limit (stored hashed)."""
    safefeed.wellbeing.set_passcode(account_id, body.passcode)


@router.post("/unlock")
def unlock(body: PasscodeIn, account_id: deps.AccountId, safefeed: deps.ServiceDep) -> dict[str, float]:
    """Past the limit: the passcode grants a set extension; wrong ones are counted and paused."""
    granted = safefeed.wellbeing.unlock(account_id, body.passcode)
    return {"extension_minutes": granted.total_seconds() / 60}


@router.post("/prompts/{kind}/acknowledge", status_code=204)
def acknowledge(kind: prompts.PromptKind, account_id: deps.AccountId, safefeed: deps.ServiceDep) -> None:
    """ "Keep going", the first wind-down screen, or "not now" to setting a limit."""
    safefeed.wellbeing.acknowledge(account_id, kind)


@router.post("/wind-down/confirm", status_code=204)
def confirm_wind_down(account_id: deps.AccountId, safefeed: deps.ServiceDep) -> None:
    """The deliberate second answer at night; refused before its delay has passed."""
    safefeed.wellbeing.confirm_wind_down(account_id)


@router.get("/notifications", response_model=list[notifications.Notification])
def inbox(caller: deps.Caller, safefeed: deps.ServiceDep) -> list[notifications.Notification]:
    """Delivered notifications, newest first (quiet hours hold a minor's until morning)."""
    if caller.role is access.Role.GUARDIAN:
        return safefeed.wellbeing.guardian_notifications(caller.id)
    deps.require(caller, access.Role.ACCOUNT)
    return safefeed.wellbeing.notifications(caller.id)
