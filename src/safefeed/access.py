"""Who is calling: logins, roles and bearer tokens.

Passwords are hashed with argon2; tokens are random, stored only as SHA-256
digests, expire and can be revoked. Repeated wrong passwords lock the login for
a while, so a password cannot be guessed by brute force.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import secrets

import argon2
import sqlalchemy as sa

from safefeed.store import schema

# A principal registered without a password can only use the tokens it was given.
NO_PASSWORD = "!"


class Role(enum.StrEnum):
    ACCOUNT = "account"  # a person with a feed; the principal id is the account id
    GUARDIAN = "guardian"  # a parent or carer, linked to teens by Family Pairing
    ADMIN = "admin"  # runs the catalog and moderation
    AUDITOR = "auditor"  # runs audits; sees aggregate reports, never a person's data


class Unauthenticated(PermissionError):
    """No valid token: missing, unknown, expired or revoked."""


class Forbidden(PermissionError):
    """A valid caller asked for something that is not theirs to do."""


class WrongPassword(PermissionError):
    pass


class LockedOut(PermissionError):
    def __init__(self, message: str, *, retry_after: dt.timedelta) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PrincipalExists(ValueError):
    pass


@dataclasses.dataclass(frozen=True, slots=True)
class Principal:
    id: str
    role: Role


def _epoch(moment: dt.datetime) -> float:
    return moment.timestamp()


def digest(token: str) -> str:
    """What the store keeps of a token.

    >>> len(digest("abc"))
    64
    """
    return hashlib.sha256(token.encode()).hexdigest()


# Built once: every request checks a token.
_TOKEN = (
    sa.select(schema.tokens.c.expires_at, schema.tokens.c.revoked, schema.principals.c.id, schema.principals.c.role)
    .join(schema.principals, schema.principals.c.id == schema.tokens.c.principal_id)
    .where(schema.tokens.c.digest == sa.bindparam("digest"))
)


class Access:
    """Registers principals, checks passwords and issues, checks and revokes tokens."""

    def __init__(
        self,
        engine: sa.Engine,
        *,
        token_lifetime: dt.timedelta = dt.timedelta(days=30),
        max_failed_logins: int = 5,
        lockout: dt.timedelta = dt.timedelta(minutes=15),
        hasher: argon2.PasswordHasher | None = None,
    ) -> None:
        self.engine = engine
        self.token_lifetime = token_lifetime
        self.max_failed_logins = max_failed_logins
        self.lockout = lockout
        self.hasher = hasher or argon2.PasswordHasher()

    def register(self, principal_id: str, role: Role, password: str | None, now: dt.datetime) -> Principal:
        """A new login; `PrincipalExists` if the id is taken."""
        hashed = NO_PASSWORD if password is None else self.hasher.hash(password)
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    schema.principals.insert().values(
                        id=principal_id, role=role.value, password_hash=hashed, created_at=_epoch(now)
                    )
                )
        except sa.exc.IntegrityError:
            raise PrincipalExists(f"{principal_id!r} is already registered: choose another id or log in") from None
        return Principal(principal_id, role)

    def principal(self, principal_id: str) -> Principal | None:
        with self.engine.connect() as connection:
            role = connection.execute(
                sa.select(schema.principals.c.role).where(schema.principals.c.id == principal_id)
            ).scalar()
        return None if role is None else Principal(principal_id, Role(role))

    def export(self, principal_id: str) -> dict[str, object]:
        """The login as stored, less its password hash; its tokens are counted, never shown."""
        principals, tokens = schema.principals, schema.tokens
        with self.engine.connect() as connection:
            row = connection.execute(sa.select(principals).where(principals.c.id == principal_id)).mappings().first()
            count = connection.execute(
                sa.select(sa.func.count()).select_from(tokens).where(tokens.c.principal_id == principal_id)
            ).scalar_one()
        if row is None:
            return {}
        return {**{key: value for key, value in row.items() if key != "password_hash"}, "tokens": count}

    def login(self, principal_id: str, password: str, now: dt.datetime) -> str:
        """A new token for the right password; after too many wrong ones the login is locked for a while."""
        table = schema.principals
        with self.engine.begin() as connection:
            row = connection.execute(sa.select(table).where(table.c.id == principal_id)).one_or_none()
            if row is None:
                self.hasher.hash(password)  # as slow as a real check: the answer time does not reveal who exists
                raise WrongPassword("unknown login or wrong password")
            if row.locked_until is not None and row.locked_until > _epoch(now):
                wait = dt.timedelta(seconds=row.locked_until - _epoch(now))
                raise LockedOut(
                    f"too many wrong passwords: try again in {int(wait.total_seconds()) + 1} seconds", retry_after=wait
                )
            right: bool
            try:
                right = self.hasher.verify(row.password_hash, password)
            except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
                right = False
            # The failure is counted in this transaction, which must commit: raise only after it.
            failures = 0 if right else row.failed_logins + 1
            locked = _epoch(now + self.lockout) if failures >= self.max_failed_logins else None
            connection.execute(
                table.update()
                .where(table.c.id == principal_id)
                .values(failed_logins=0 if locked else failures, locked_until=locked)
            )
        if not right:
            raise WrongPassword("unknown login or wrong password")
        return self.issue(principal_id, now)

    def issue(self, principal_id: str, now: dt.datetime) -> str:
        """A fresh bearer token for the principal; only its digest is stored."""
        token = secrets.token_urlsafe(32)
        with self.engine.begin() as connection:
            connection.execute(
                schema.tokens.insert().values(
                    digest=digest(token),
                    principal_id=principal_id,
                    created_at=_epoch(now),
                    expires_at=_epoch(now + self.token_lifetime),
                )
            )
        return token

    def authenticate(self, token: str, now: dt.datetime) -> Principal:
        with self.engine.connect() as connection:
            row = connection.execute(_TOKEN, {"digest": digest(token)}).one_or_none()
        if row is None or row.revoked:
            raise Unauthenticated("the token is unknown or was revoked: log in again for a new one")
        if row.expires_at <= _epoch(now):
            raise Unauthenticated("the token has expired: log in again for a new one")
        return Principal(row.id, Role(row.role))

    def revoke(self, token: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                schema.tokens.update().where(schema.tokens.c.digest == digest(token)).values(revoked=True)
            )

    def remove(self, principal_id: str) -> None:
        """Forget a principal and every token it had (the account was deleted)."""
        with self.engine.begin() as connection:
            connection.execute(schema.tokens.delete().where(schema.tokens.c.principal_id == principal_id))
            connection.execute(schema.principals.delete().where(schema.principals.c.id == principal_id))
