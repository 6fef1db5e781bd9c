"""What routes depend on: the service, the authenticated caller, and who may act on which account.

Dependencies are `async def` (the token check is one indexed read): FastAPI runs
a plain `def` in its thread pool, and a hand-off per dependency costs more than
the work.
"""

from __future__ import annotations

from typing import Annotated

import fastapi
from fastapi import security

from safefeed import access, services
from safefeed.api import limits

bearer = security.HTTPBearer(auto_error=False, description="A token from POST /v1/accounts or POST /v1/auth/token")


async def get_service(request: fastapi.Request) -> services.SafeFeed:
    found: services.SafeFeed = request.app.state.service
    return found


ServiceDep = Annotated[services.SafeFeed, fastapi.Depends(get_service)]


async def get_caller(
    request: fastapi.Request,
    safefeed: ServiceDep,
    credentials: Annotated[security.HTTPAuthorizationCredentials | None, fastapi.Depends(bearer)],
) -> access.Principal:
    if credentials is None:
        raise access.Unauthenticated("send 'Authorization: Bearer <token>'; get a token from POST /v1/auth/token")
    caller = safefeed.accounts.authenticate(credentials.credentials)
    limiter: limits.Limiter = request.app.state.limiter
    limiter.check(f"principal:{caller.id}")
    return caller


Caller = Annotated[access.Principal, fastapi.Depends(get_caller)]


def require(caller: access.Principal, *roles: access.Role) -> None:
    if caller.role not in roles:
        allowed = " or ".join(role.value for role in roles)
        raise access.Forbidden(f"this needs a {allowed} login; you are logged in as a {caller.role.value}")


async def get_account_caller(caller: Caller) -> str:
    """The caller's own account id: feed, events, controls and 'me' act on the caller only."""
    require(caller, access.Role.ACCOUNT)
    return caller.id


AccountId = Annotated[str, fastapi.Depends(get_account_caller)]


async def get_guardian_caller(caller: Caller) -> str:
    require(caller, access.Role.GUARDIAN)
    return caller.id


GuardianId = Annotated[str, fastapi.Depends(get_guardian_caller)]


async def get_token(
    credentials: Annotated[security.HTTPAuthorizationCredentials | None, fastapi.Depends(bearer)],
) -> str:
    if credentials is None:
        raise access.Unauthenticated("send 'Authorization: Bearer <token>'")
    return credentials.credentials


Token = Annotated[str, fastapi.Depends(get_token)]


def client_address(request: fastapi.Request) -> str:
    return request.client.host if request.client else "unknown"


async def limit_anonymous(request: fastapi.Request) -> None:
    """Sign-ups and logins are limited per client address, so guessing passwords stays slow."""
    limiter: limits.Limiter = request.app.state.login_limiter
    limiter.check(f"address:{client_address(request)}")


Anonymous = fastapi.Depends(limit_anonymous)


async def limit_visitor(request: fastapi.Request) -> None:
    """The logged-out feed is limited per client address, as an account's calls are per account."""
    limiter: limits.Limiter = request.app.state.limiter
    limiter.check(f"visitor:{client_address(request)}")


Visitor = fastapi.Depends(limit_visitor)
