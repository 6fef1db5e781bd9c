"""Who scrolls: a sock-puppet account with an age, a place, interests and a schedule.

A persona is a value. Everything random about how it reacts lives in
`behaviour`, seeded per (scenario seed, persona, repetition), never per target:
the same persona meets every target with the same parameters and the same
random stream.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import zoneinfo

from safefeed import model
from safefeed.audit import behaviour

INTERESTED = "interested"
CONTROL = "control"
ARMS = (INTERESTED, CONTROL)


@dataclasses.dataclass(frozen=True, slots=True)
class Schedule:
    """When the persona scrolls: `sessions` sessions of `session_minutes`, the first at local `start`."""

    start: dt.datetime  # naive: local wall-clock time in the persona's time zone
    session_minutes: float = 360.0
    sessions: int = 1
    gap_hours: float = 24.0  # from the start of one session to the start of the next

    def __post_init__(self) -> None:
        assert self.start.tzinfo is None, "Schedule.start is local wall-clock time: give it without a time zone"
        if not 0 < self.session_minutes <= 24 * 60:
            raise model.InvalidValue(f"session_minutes must be within (0, 1440], got {self.session_minutes}")
        if self.sessions < 1:
            raise model.InvalidValue(f"sessions must be >= 1, got {self.sessions}")


@dataclasses.dataclass(frozen=True, slots=True)
class Persona:
    """One sock puppet as the scenario describes it; `arm` and `variant` only label it for the metrics."""

    id: str
    age: int
    region: str
    timezone: str
    seed_interests: tuple[str, ...]
    mh_sensitivity: float  # 0: indifferent to mental-health videos; 1: watches them to the end and beyond
    arm: str = CONTROL
    variant: str = "automated"
    schedule: Schedule = Schedule(dt.datetime(2026, 2, 2, 16, 0))
    behaviour: behaviour.Parameters = behaviour.Parameters()
    personalised: bool | None = None  # the account's own choice (True: opted in); None: the policy's default

    def __post_init__(self) -> None:
        model.Account(self.id)  # the same id rules as an account
        if not 0 <= self.mh_sensitivity <= 1:
            raise model.InvalidValue(f"persona {self.id}: mh_sensitivity must be within [0, 1]")
        if not 5 <= self.age <= 120:
            raise model.InvalidValue(f"persona {self.id}: age must be within 5-120, got {self.age}")
        if self.arm not in ARMS:
            raise model.InvalidValue(f"persona {self.id}: arm must be one of {ARMS}, got {self.arm!r}")
        try:
            zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise model.InvalidValue(
                f"persona {self.id}: unknown time zone {self.timezone!r}; use an IANA name like Africa/Nairobi"
            ) from None

    @property
    def minor(self) -> bool:
        return self.age < 18

    def session_starts(self) -> list[dt.datetime]:
        """Each session's start in UTC."""
        zone = zoneinfo.ZoneInfo(self.timezone)
        first = self.schedule.start.replace(tzinfo=zone).astimezone(dt.UTC)
        gap = dt.timedelta(hours=self.schedule.gap_hours)
        return [first + index * gap for index in range(self.schedule.sessions)]

    def account(self, repetition: int) -> model.Account:
        """A fresh account for one repetition; its birth year makes it `age` on the first session day."""
        start = self.session_starts()[0]
        return model.Account(
            account_id(self, repetition),
            # Account.age_band reads `year - birth_year - 1` as the age: this makes it exactly `age`.
            birth_year=start.year - self.age - 1,
            region=self.region,
            timezone=self.timezone,
            created_at=start - dt.timedelta(minutes=1),
            settings=model.AccountSettings(personalised=self.personalised),
        )


def account_id(persona: Persona, repetition: int) -> str:
    return f"audit-{persona.id}-r{repetition}"


def unit_seed(scenario_seed: int, persona_id: str, repetition: int) -> int:
    """The behaviour seed of one (persona, repetition): independent of the target, stable across runs.

    >>> unit_seed(1, "ke", 0) == unit_seed(1, "ke", 0) != unit_seed(1, "ke", 1)
    True
    """
    digest = hashlib.blake2b(f"{scenario_seed}:{persona_id}:{repetition}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little")
