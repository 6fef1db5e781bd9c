"""The accounts router's acts: sign-up, logins for guardians, admins and auditors, tokens."""

from __future__ import annotations

import dataclasses
import datetime as dt

from safefeed import access, model
from safefeed.services import parts as parts_module


class Accounts:
    def __init__(self, parts: parts_module.Parts) -> None:
        self.parts = parts

    def sign_up(self, account: model.Account, password: str | None, *, now: dt.datetime | None = None) -> str:
        """Create an account and its login; the answer is its first bearer token.

        `now` (an audit's simulated clock) dates the account; the login and its token always run on the
        server's clock, so a client's time can never stretch a token's life."""
        parts = self.parts
        server_now = parts.clock()
        parts.logins.register(account.id, access.Role.ACCOUNT, password, server_now)
        parts.store.put_account(dataclasses.replace(account, created_at=parts.now(now)))
        return parts.logins.issue(account.id, server_now)

    def register(self, principal_id: str, role: access.Role, password: str) -> str:
        """A login that has no feed (a guardian, an admin, an auditor); the answer is a token."""
        now = self.parts.clock()
        self.parts.logins.register(principal_id, role, password, now)
        return self.parts.logins.issue(principal_id, now)

    def login(self, principal_id: str, password: str) -> str:
        return self.parts.logins.login(principal_id, password, self.parts.clock())

    def authenticate(self, token: str) -> access.Principal:
        return self.parts.logins.authenticate(token, self.parts.clock())

    def logout(self, token: str) -> None:
        self.parts.logins.revoke(token)
