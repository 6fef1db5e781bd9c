"""Passcodes that extend a daily limit: argon2 hashes, and a lock-out after wrong attempts.

The rate limit is kept in the database beside the account, so a second API
instance cannot be used to guess faster.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import argon2

from safefeed.wellbeing import errors

MIN_LENGTH = 4
MAX_LENGTH = 64


@dataclasses.dataclass(frozen=True, slots=True)
class RateLimit:
    """After `max_failures` wrong passcodes in a row, no attempt is checked for `lockout`."""

    max_failures: int = 5
    lockout: dt.timedelta = dt.timedelta(minutes=15)


def check(passcode: str) -> str:
    if not MIN_LENGTH <= len(passcode) <= MAX_LENGTH or passcode.strip() != passcode:
        raise errors.InvalidSetting(
            f"a passcode must be {MIN_LENGTH}-{MAX_LENGTH} characters without surrounding spaces, "
            f"got {len(passcode)} characters"
        )
    return passcode


def matches(hasher: argon2.PasswordHasher, digest: str, passcode: str) -> bool:
    try:
        return hasher.verify(digest, passcode)
    except (argon2.exceptions.VerifyMismatchError, argon2.exceptions.InvalidHashError):
        return False
