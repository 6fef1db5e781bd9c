"""Controls a test needs beyond the three-verb `Target` (start, feed, send), as optional Protocols.

A target offers a control by having the method; `offers` asks at run time.
A test whose control is missing is reported "not testable", naming it --
never passed, never failed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from safefeed import model


@dataclasses.dataclass(frozen=True, slots=True)
class Searched:
    """What a search answered: videos, or help resources instead (`withheld`)."""

    videos: tuple[model.Video, ...]
    help_lines: int
    withheld: bool


@dataclasses.dataclass(frozen=True, slots=True)
class Answer:
    """A feed request's answer including any well-being prompt; `blocking` means no videos until acted on."""

    videos: tuple[model.Video, ...]
    prompt: str | None = None  # the prompt's kind, e.g. "daily_limit", "session"
    blocking: bool = False


@dataclasses.dataclass(frozen=True, slots=True)
class Notice:
    kind: str
    at: dt.datetime  # when it was delivered (or created, where the feed does not say)


DISMISSIBLE = frozenset({"session", "wind_down", "set_own_limit"})  # a child may tap "keep going"


@runtime_checkable
class Refreshable(Protocol):
    def refresh(self, account_id: str, now: dt.datetime) -> None:
        """Forget everything learned about the account (DSA Art. 28 guidelines: a complete, permanent reset)."""
        ...


@runtime_checkable
class Searchable(Protocol):
    def search(self, account_id: str, query: str, now: dt.datetime) -> Searched: ...


@runtime_checkable
class Suggests(Protocol):
    def suggest(self, account_id: str, typed: str, now: dt.datetime) -> tuple[str, ...]:
        """The completions the search box offers for what has been typed so far."""
        ...


@runtime_checkable
class Settable(Protocol):
    def set_personalised(self, account_id: str, personalised: bool, now: dt.datetime) -> None:
        """Switch the feed based on profiling on or off (DSA Art. 38)."""
        ...


@runtime_checkable
class Explains(Protocol):
    def why(self, account_id: str, video_id: str, now: dt.datetime) -> tuple[str, ...]: ...

    def forget_interest(self, account_id: str, topic: str, now: dt.datetime) -> None:
        """Remove the signal an explanation names (an inferred interest)."""
        ...


@runtime_checkable
class Clocked(Protocol):
    """Screen-time controls on the simulated clock."""

    def answer(self, account_id: str, n: int, now: dt.datetime) -> Answer: ...

    def set_limits(self, account_id: str, daily_minutes: int, session_minutes: int, now: dt.datetime) -> None: ...

    def acknowledge(self, account_id: str, prompt: str, now: dt.datetime) -> None:
        """Dismiss a prompt that may be dismissed ("keep going")."""
        ...

    def set_passcode(self, account_id: str, passcode: str, now: dt.datetime) -> None: ...

    def unlock(self, account_id: str, passcode: str, now: dt.datetime) -> None: ...


@runtime_checkable
class Notifies(Protocol):
    def notifications(self, account_id: str, now: dt.datetime) -> Sequence[Notice]:
        """The account's inbox as the app would show it at `now`."""
        ...


@runtime_checkable
class Anonymous(Protocol):
    def anonymous_feed(self, visitor_id: str, n: int, now: dt.datetime) -> Sequence[model.Video]:
        """The feed a logged-out visitor sees."""
        ...


PROTOCOLS: dict[str, type] = {
    "refresh": Refreshable,
    "search": Searchable,
    "suggestions": Suggests,
    "settings": Settable,
    "explain": Explains,
    "wellbeing": Clocked,
    "notifications": Notifies,
    "anonymous": Anonymous,
}


def offers(target: object, capability: str) -> bool:
    """Whether the target has the control a test needs."""
    return isinstance(target, PROTOCOLS[capability])


def missing(target: object, needs: Sequence[str]) -> list[str]:
    return [capability for capability in needs if not offers(target, capability)]
