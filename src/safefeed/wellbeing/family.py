"""Family Pairing: one-time codes, what guardians set, requests for more time, time-only summaries.

A guardian's controls are an overlay on the teen's own settings: the teen gets
the union of every filter and the "off" of every switch any guardian turned
off, so a guardian can only ever make the teen's feed tighter than the teen's
own choice. Lifting a guardian's switch (`True`) hands it back to the teen.

One thing a guardian gives rather than restricts: consent to the For You feed, which
a policy may require before a minor gets it (`default_feed_without_consent`; New
York's SAFE for Kids Act, California's SB 976). It is recorded with who gave it and
when; it holds while a linked guardian has given it and none has withdrawn theirs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from safefeed import model
from safefeed.wellbeing import errors, schedule, screen_time

# No 0/O or 1/I/L: a code is read aloud and typed on a phone.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
MAX_FILTERS = 200


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def digest(code: str) -> str:
    """What the database keeps of a code: its SHA-256 after normalising case, spaces and dashes.

    >>> digest("abcd-efgh") == digest(" ABCDEFGH ")
    True
    """
    normal = "".join(code.split()).replace("-", "").upper()
    return hashlib.sha256(normal.encode()).hexdigest()


@dataclasses.dataclass(frozen=True, slots=True)
class GuardianControls:
    """What one guardian set for one teen; `None` leaves the teen's own choice."""

    guardian_id: str
    daily_limit_minutes: int | None = None
    time_away: tuple[schedule.Window, ...] = ()
    keyword_filters: tuple[str, ...] = ()
    less_of: tuple[str, ...] = ()
    personalised: bool | None = None  # False: off; None: the teen's choice
    autoplay: bool | None = None
    streaks: bool | None = None
    updated_at: dt.datetime | None = None
    feed_consent: bool | None = None  # For You: True given, False withdrawn, None never asked
    feed_consent_at: dt.datetime | None = None  # when it was given or withdrawn

    def settings_json(self) -> dict[str, Any]:
        return {
            "keyword_filters": list(self.keyword_filters),
            "less_of": list(self.less_of),
            "personalised": self.personalised,
            "autoplay": self.autoplay,
            "streaks": self.streaks,
            "feed_consent": self.feed_consent,
            "feed_consent_at": None if self.feed_consent_at is None else self.feed_consent_at.isoformat(),
        }

    @classmethod
    def from_row(
        cls,
        guardian_id: str,
        daily_limit_minutes: int | None,
        time_away: Sequence[Mapping[str, Any]],
        settings: Mapping[str, Any],
        updated_at: dt.datetime,
    ) -> GuardianControls:
        return cls(
            guardian_id=guardian_id,
            daily_limit_minutes=daily_limit_minutes,
            time_away=tuple(schedule.Window.from_json(window) for window in time_away),
            keyword_filters=tuple(settings.get("keyword_filters", ())),
            less_of=tuple(settings.get("less_of", ())),
            personalised=settings.get("personalised"),
            autoplay=settings.get("autoplay"),
            streaks=settings.get("streaks"),
            updated_at=updated_at,
            feed_consent=settings.get("feed_consent"),
            feed_consent_at=_moment(settings.get("feed_consent_at")),
        )


def _moment(text: str | None) -> dt.datetime | None:
    return None if text is None else dt.datetime.fromisoformat(text)


@dataclasses.dataclass(frozen=True, slots=True)
class Controls:
    """Everything any guardian set, merged to the strictest, for the teen to see."""

    teen_id: str
    guardians: tuple[str, ...]
    daily_limit_minutes: int | None
    limit_set_by: str | None
    time_away: tuple[schedule.Window, ...]
    keyword_filters: tuple[str, ...]
    less_of: tuple[str, ...]
    personalised: bool | None
    autoplay: bool | None
    streaks: bool | None
    by_guardian: tuple[GuardianControls, ...]
    feed_consent: bool = False  # a linked guardian consented to For You and none withdrew
    consent_needed: bool = False  # the policy serves this teen Following until a guardian consents


def _off(values: Sequence[bool | None]) -> bool | None:
    return False if any(value is False for value in values) else None


def merge(teen_id: str, guardians: Sequence[str], each: Sequence[GuardianControls]) -> Controls:
    """The strictest of every guardian's controls."""
    limits = [(c.daily_limit_minutes, c.guardian_id) for c in each if c.daily_limit_minutes is not None]
    strictest = min(limits) if limits else (None, None)
    return Controls(
        teen_id=teen_id,
        guardians=tuple(sorted(guardians)),
        daily_limit_minutes=strictest[0],
        limit_set_by=strictest[1],
        time_away=tuple(window for c in each for window in c.time_away),
        keyword_filters=tuple(dict.fromkeys(word for c in each for word in c.keyword_filters)),
        less_of=tuple(dict.fromkeys(topic for c in each for topic in c.less_of)),
        personalised=_off([c.personalised for c in each]),
        autoplay=_off([c.autoplay for c in each]),
        streaks=_off([c.streaks for c in each]),
        by_guardian=tuple(each),
        feed_consent=consented([c.feed_consent for c in each]),
    )


def consented(answers: Sequence[bool | None]) -> bool:
    """Whether the guardians' answers add up to consent: one given, none withdrawn (the strictest wins).

    >>> consented([True, None]), consented([True, False]), consented([None]), consented([])
    (True, False, False, False)
    """
    return any(answer is True for answer in answers) and not any(answer is False for answer in answers)


def apply(settings: model.AccountSettings, controls: Controls) -> model.AccountSettings:
    """The teen's settings with every guardian's controls laid over them (never looser).

    >>> mine = model.AccountSettings(keyword_filters=("diet",), personalised=True)
    >>> theirs = merge("t", ["g"], [GuardianControls("g", keyword_filters=("fasting",), personalised=False)])
    >>> tight = apply(mine, theirs)
    >>> tight.keyword_filters, tight.personalised
    (('diet', 'fasting'), False)
    """
    return dataclasses.replace(
        settings,
        keyword_filters=tuple(dict.fromkeys((*settings.keyword_filters, *controls.keyword_filters))),
        less_of=tuple(dict.fromkeys((*settings.less_of, *controls.less_of))),
        personalised=False if controls.personalised is False else settings.personalised,
        autoplay=False if controls.autoplay is False else settings.autoplay,
        streaks=False if controls.streaks is False else settings.streaks,
    )


def check_words(name: str, words: Sequence[str]) -> tuple[str, ...]:
    cleaned = tuple(dict.fromkeys(word.strip() for word in words if word.strip()))
    if len(cleaned) > MAX_FILTERS or any(len(word) > 100 for word in cleaned):
        raise errors.InvalidSetting(f"{name}: at most {MAX_FILTERS} entries of at most 100 characters each")
    return cleaned


class RequestStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"


@dataclasses.dataclass(frozen=True, slots=True)
class TimeRequest:
    id: int
    teen_id: str
    minutes: int
    requested_at: dt.datetime
    status: RequestStatus
    decided_by: str | None = None
    decided_at: dt.datetime | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Summary:
    """What a guardian sees: time only; never what was watched or searched."""

    teen_id: str
    today_minutes: float
    daily_limit_minutes: int | None
    limit_source: str
    days: tuple[screen_time.DayUsage, ...]  # the last 7 local days, today last
    week_minutes: float
    pending_requests: int
