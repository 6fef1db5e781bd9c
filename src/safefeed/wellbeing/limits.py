"""The daily limit: whose it is, how many minutes, and whether today's are used up.

Precedence: a guardian's limit (the strictest, when several guardians set one),
else the account's own choice (0 means "no limit": an opt-out), else the policy's
default for the age band. Extensions (a passcode, a guardian's approval) add
minutes to one local day only.
"""

from __future__ import annotations

import dataclasses
import enum

from safefeed import model
from safefeed.policy import rules
from safefeed.wellbeing import errors

OFF = 0  # AccountSettings.daily_limit_minutes when the account opted out
MAX_MINUTES = 1440


class Source(enum.StrEnum):
    POLICY = "policy"
    OWN = "own"
    GUARDIAN = "guardian"


@dataclasses.dataclass(frozen=True, slots=True)
class Limit:
    minutes: int | None  # None: no daily limit
    source: Source

    @property
    def opted_out(self) -> bool:
        """The account turned a limit off itself: the "set your own limit" prompt applies."""
        return self.minutes is None and self.source is Source.OWN


def effective(band: rules.Band, settings: model.AccountSettings, guardian_minutes: int | None) -> Limit:
    """The limit in force.

    >>> band = rules.built_in("default").bands[model.AgeBand.U16]
    >>> effective(band, model.AccountSettings(), None)
    Limit(minutes=60, source=<Source.POLICY: 'policy'>)
    >>> effective(band, model.AccountSettings(daily_limit_minutes=0), 40).source
    <Source.GUARDIAN: 'guardian'>
    """
    if guardian_minutes is not None:
        return Limit(guardian_minutes, Source.GUARDIAN)
    own = settings.daily_limit_minutes
    if own is not None:
        return Limit(None if own == OFF else own, Source.OWN)
    return Limit(band.daily_limit_minutes, Source.POLICY)


def reached(limit: Limit, used_seconds: float, extra_minutes: int) -> bool:
    """Whether today's minutes (limit plus extensions) are used up.

    >>> reached(Limit(60, Source.POLICY), used_seconds=3600.0, extra_minutes=0)
    True
    >>> reached(Limit(60, Source.POLICY), used_seconds=3600.0, extra_minutes=15)
    False
    """
    return limit.minutes is not None and used_seconds >= (limit.minutes + extra_minutes) * 60


def check_minutes(minutes: int, *, what: str = "a daily limit") -> int:
    if not 1 <= minutes <= MAX_MINUTES:
        raise errors.InvalidSetting(f"{what} must be 1-{MAX_MINUTES} minutes, got {minutes}")
    return minutes
