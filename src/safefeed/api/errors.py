"""Domain errors to HTTP statuses, as JSON a developer can act on; never a 500 for bad input."""

from __future__ import annotations

import datetime as dt

import fastapi
from fastapi import exceptions, responses

from safefeed import access, model
from safefeed.audit import jobs
from safefeed.content import catalog_import
from safefeed.recommend import feed
from safefeed.services import feed as feed_service
from safefeed.store import repository
from safefeed.wellbeing import errors as wellbeing_errors

# Most specific first: the first matching class decides the status.
STATUSES: tuple[tuple[type[Exception], int], ...] = (
    (access.Unauthenticated, 401),
    (access.WrongPassword, 401),
    (access.LockedOut, 429),
    (access.Forbidden, 403),
    (access.PrincipalExists, 409),
    (jobs.UnknownJob, 404),
    (jobs.UnknownScenario, 404),
    (wellbeing_errors.PasscodeLocked, 429),
    (wellbeing_errors.WrongPasscode, 403),
    (wellbeing_errors.SetByGuardian, 403),
    (wellbeing_errors.QuietHoursLocked, 403),
    (wellbeing_errors.NotGuardian, 403),
    (wellbeing_errors.CodeExpired, 410),
    (wellbeing_errors.UnknownCode, 404),
    (wellbeing_errors.UnknownRequest, 404),
    (wellbeing_errors.InvalidSetting, 422),
    (wellbeing_errors.WellbeingError, 409),  # too early, no passcode, no guardian, already decided...
    (repository.UnknownAccount, 404),
    (repository.UnknownVideo, 404),
    (catalog_import.ImportFailed, 422),
    (feed.InvalidCursor, 400),
    (feed_service.EventFromTheFuture, 422),
    (feed_service.TooManyEvents, 422),
    (model.InvalidValue, 422),
)
"""Only these named errors are the client's; any other exception is a bug and answers 500."""


def retry_after(error: Exception, now: dt.datetime) -> int | None:
    """Seconds until a locked-out or rate-limited caller may try again."""
    if isinstance(error, access.LockedOut):
        return max(1, int(error.retry_after.total_seconds()) + 1)
    if isinstance(error, wellbeing_errors.PasscodeLocked):
        return max(1, int((error.until - now).total_seconds()) + 1)
    return None


def status_for(error: Exception) -> int | None:
    for kind, status in STATUSES:
        if isinstance(error, kind):
            return status
    return None


def _body(status: int, message: str, **extra: object) -> responses.JSONResponse:
    return responses.JSONResponse({"detail": message, **extra}, status_code=status)


def install(app: fastapi.FastAPI) -> None:
    """Register the handlers: known domain errors get their status, request validation a readable message."""

    async def domain_error(request: fastapi.Request, error: Exception) -> responses.Response:
        status = status_for(error)
        if status is None:
            raise error
        answer = _body(status, str(error).strip("'\"") or type(error).__name__)
        wait = retry_after(error, request.app.state.service.now())
        if wait is not None:
            answer.headers["Retry-After"] = str(wait)
        return answer

    async def invalid_request(_request: fastapi.Request, error: Exception) -> responses.Response:
        assert isinstance(error, exceptions.RequestValidationError)
        problems = [
            f"{'.'.join(str(part) for part in issue.get('loc', ()))}: {issue.get('msg', 'invalid')}"
            for issue in error.errors()
        ]
        return _body(422, "; ".join(problems) or "the request is not valid", errors=problems)

    for kind, _status in STATUSES:
        app.add_exception_handler(kind, domain_error)
    app.add_exception_handler(exceptions.RequestValidationError, invalid_request)
