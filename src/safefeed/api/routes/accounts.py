"""Sign-up and logins: accounts, guardians, tokens."""

from __future__ import annotations

from typing import Annotated

import fastapi
from fastapi import security

from safefeed import access, model
from safefeed.api import clock, deps, schemas

router = fastapi.APIRouter(tags=["logins"], dependencies=[deps.Anonymous])


@router.post("/accounts", status_code=201, response_model=schemas.TokenOut)
def sign_up(
    request: fastapi.Request, body: schemas.AccountIn, safefeed: deps.ServiceDep, now: clock.Now = None
) -> schemas.TokenOut:
    """Create an account; the answer carries its bearer token. Unknown age gets the youngest band's protections.

    `now` dates the account (an audit's persona joined then); the token always runs on the server's clock."""
    account = model.Account(
        body.id,
        birth_year=body.birth_year,
        region=body.region.upper(),
        timezone=body.timezone,
        settings=model.AccountSettings(chosen_interests=tuple(body.interests)),
    )
    return schemas.token_out(safefeed.accounts.sign_up(account, body.password, now=clock.client_time(request, now)))


@router.post("/guardians", status_code=201, response_model=schemas.TokenOut)
def sign_up_guardian(body: schemas.LoginIn, safefeed: deps.ServiceDep) -> schemas.TokenOut:
    """Create a guardian login (a parent or carer); link it to a teen with a pairing code."""
    return schemas.token_out(safefeed.accounts.register(body.id, access.Role.GUARDIAN, body.password))


@router.post("/auth/token", response_model=schemas.TokenOut)
def log_in(
    form: Annotated[security.OAuth2PasswordRequestForm, fastapi.Depends()], safefeed: deps.ServiceDep
) -> schemas.TokenOut:
    """OAuth2 password flow: form fields `username` and `password`; too many wrong passwords lock the login."""
    return schemas.token_out(safefeed.accounts.login(form.username, form.password))


@router.get("/auth/me")
def who_am_i(caller: deps.Caller) -> dict[str, str]:
    """The login this token belongs to and its role (account, guardian, admin or auditor)."""
    return {"id": caller.id, "role": caller.role.value}


@router.post("/auth/logout", status_code=204)
def log_out(token: deps.Token, safefeed: deps.ServiceDep) -> None:
    """Revoke the token this request carries."""
    safefeed.accounts.logout(token)
